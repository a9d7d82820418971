"""The main navigation, by capability: each link shows only to users who may use it.

Apps add their entries to NAV; a link needs its capability somewhere in the user's scope.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from governance.models import User
from governance.roles import Cap
from governance.scope import region_codes


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    cap: str
    badge: bool = False  # show the unread-notices count


NAV: list[NavLink] = [
    NavLink(_("首页"), "home", Cap.VIEW),
    NavLink(_("待办"), "cases:todo", Cap.VIEW),
    NavLink(_("上报事件"), "cases:new", Cap.FILE_CASE),
    NavLink(_("事件"), "cases:list", Cap.VIEW),
    NavLink(_("通知"), "cases:notices", Cap.VIEW, badge=True),
    NavLink(_("纠纷调解"), "mediation:desk", Cap.VIEW),
    NavLink(_("风险台账"), "mediation:risks", Cap.VIEW_CASES),
    NavLink(_("报告"), "reports:home", Cap.VIEW_CASES),
    NavLink(_("实有人口"), "parties:residents", Cap.VIEW_REGISTER),
    NavLink(_("实有房屋"), "parties:houses", Cap.VIEW_REGISTER),
    NavLink(_("实有单位"), "parties:units", Cap.VIEW_REGISTER),
    NavLink(_("党建红网格"), "parties:party-branches", Cap.VIEW_REGISTER),
    NavLink(_("走访巡查"), "grids:visits", Cap.VIEW_REGISTER),
    NavLink(_("名册导入导出"), "rosters:index", Cap.IMPORT_ROSTER),
    NavLink(_("类别时限"), "cases:config", Cap.CONFIGURE),
    NavLink(_("登录锁定"), "security-lockouts", Cap.MANAGE_SECURITY),
]


def nav_links(user: User, current_path: str) -> list[tuple[str, str, bool, bool]]:
    """(label, url, is_current, has_badge) for the links this user may use."""
    if not user.is_authenticated:
        return []
    visible = [link for link in NAV if user.is_superuser or region_codes(user, link.cap)]
    urls = [reverse(link.url_name) for link in visible]
    # The current link is the longest URL the path starts with (/cases/todo/ is 待办, not 事件).
    matches = [u for u in urls if current_path == u or (u != "/" and current_path.startswith(u))]
    current = max(matches, key=len, default=None)
    return [(str(link.label), url, url == current, link.badge) for link, url in zip(visible, urls)]

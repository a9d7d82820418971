"""The main navigation, by capability: each link shows only to users who may use it.

Apps add their entries to NAV; a link needs its capability somewhere in the user's scope (and,
when it names roles, one of those roles). Two presentations of the same links (templates/base.html):

- desktop (wider than 600 px): a top bar of the main links, the registers and the administration
  pages folded into two menus (基础信息, 管理) so the bar fits a 1,366 px screen in every language;
- phone (600 px and narrower): a bottom tab bar of four tabs chosen by the user's role, and 更多
  opening every other link.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.models import User
from governance.roles import Cap, Role
from governance.scope import is_grid_worker_only, region_codes, role_assignments

MAIN, REGISTERS, ADMIN = "main", "registers", "admin"
GROUP_LABELS = {REGISTERS: _("基础信息"), ADMIN: _("管理")}
TAB_COUNT = 4  # and 更多: five tabs on a 375 px phone, each at least 70 px wide


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    cap: str
    badge: bool = False  # show the unread-notices count
    group: str = MAIN
    short: str = ""  # the tab bar's label (a phone tab has room for about four characters)
    icon: str = "dot"  # templates/_nav_icon.html
    roles: tuple[str, ...] = ()  # only for holders of one of these roles


NAV: list[NavLink] = [
    NavLink(_("首页"), "home", Cap.VIEW, icon="home"),
    NavLink(_("我的网格"), "grids:mine", Cap.VIEW, icon="grid", roles=(Role.GRID_WORKER,)),
    NavLink(_("待办"), "cases:todo", Cap.VIEW, icon="todo"),
    NavLink(_("上报事件"), "cases:new", Cap.FILE_CASE, short=pgettext_lazy("tab bar", "上报"), icon="plus"),
    NavLink(_("事件"), "cases:list", Cap.VIEW, icon="list"),
    NavLink(_("通知"), "cases:notices", Cap.VIEW, badge=True, icon="bell"),
    NavLink(_("纠纷调解"), "mediation:desk", Cap.VIEW, short=pgettext_lazy("tab bar", "调解"), icon="scale"),
    NavLink(_("风险台账"), "mediation:risks", Cap.VIEW_CASES, icon="alert"),
    NavLink(_("报告"), "reports:home", Cap.VIEW_CASES, icon="chart"),
    NavLink(_("实有人口"), "parties:residents", Cap.VIEW_REGISTER, group=REGISTERS, short=pgettext_lazy("tab bar", "人口"),
            icon="people"),
    NavLink(_("实有房屋"), "parties:houses", Cap.VIEW_REGISTER, group=REGISTERS, icon="house"),
    NavLink(_("实有单位"), "parties:units", Cap.VIEW_REGISTER, group=REGISTERS, icon="building"),
    NavLink(_("党建红网格"), "parties:party-branches", Cap.VIEW_REGISTER, group=REGISTERS,
            short=pgettext_lazy("tab bar", "党建"), icon="flag"),
    NavLink(_("走访巡查"), "grids:visits", Cap.VIEW_REGISTER, group=REGISTERS, short=pgettext_lazy("tab bar", "走访"),
            icon="walk"),
    NavLink(_("名册导入导出"), "rosters:index", Cap.IMPORT_ROSTER, group=ADMIN, short=pgettext_lazy("tab bar", "名册"),
            icon="upload"),
    NavLink(_("类别时限"), "cases:config", Cap.CONFIGURE, group=ADMIN, icon="gear"),
    NavLink(_("登录锁定"), "security-lockouts", Cap.MANAGE_SECURITY, group=ADMIN, icon="lock"),
    NavLink(_("操作记录"), "audit-list", Cap.READ_AUDIT, group=ADMIN, icon="list"),
]

# The phone tabs of each role, by URL name, in order; the first role of this list that the user
# holds decides. Links the user may not use are skipped, and the rest of the visible links fill up
# to TAB_COUNT. A grid worker works in the field: their grids, filing, their to-do, their visits.
TABS_BY_ROLE: list[tuple[str, tuple[str, ...]]] = [
    (Role.ADMIN, ("home", "cases:list", "rosters:index", "cases:config")),
    (Role.CITY_LEADER, ("home", "reports:home", "cases:list", "cases:todo")),
    (Role.DISTRICT_CENTRE, ("home", "cases:todo", "cases:list", "reports:home")),
    (Role.STREET_OFFICER, ("home", "cases:todo", "cases:list", "reports:home")),
    (Role.MEDIATOR, ("mediation:desk", "cases:todo", "cases:new", "cases:list")),
    (Role.PARTY_SECRETARY, ("home", "cases:todo", "cases:new", "parties:party-branches")),
    (Role.COMMUNITY_STAFF, ("home", "cases:todo", "cases:new", "cases:list")),
    (Role.GRID_WORKER, ("grids:mine", "cases:new", "cases:todo", "grids:visits")),
    (Role.DEPT_HANDLER, ("cases:todo", "cases:list", "cases:notices", "home")),
]
DEFAULT_TABS = ("home", "cases:todo", "cases:list", "cases:notices")


@dataclass
class Item:
    label: str
    url: str
    current: bool
    badge: bool
    group: str
    short: str
    icon: str
    url_name: str

    def __iter__(self):  # (label, url, is_current, has_badge), as nav_links() always gave
        return iter((self.label, self.url, self.current, self.badge))


@dataclass
class Group:
    key: str
    label: str
    items: list[Item] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return any(item.current for item in self.items)


@dataclass
class Navigation:
    items: list[Item]
    tabs: list[Item]  # the phone's bottom tabs (更多 comes after them)
    more: list[Group]  # everything else, for 更多, by group
    top: list[Item]  # the desktop bar's own links (the main group)
    menus: list[Group]  # the desktop bar's menus (基础信息, 管理), only those with links

    @property
    def more_current(self) -> bool:
        return any(group.current for group in self.more)

    @property
    def more_badge(self) -> bool:
        return any(item.badge for group in self.more for item in group.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __iter__(self):
        return iter(self.items)


def _visible(user: User) -> list[NavLink]:
    if not user.is_authenticated:
        return []
    held = {a.role for a in role_assignments(user)}
    grid_worker_only = is_grid_worker_only(user)
    links = []
    for link in NAV:
        if link.roles and not held.intersection(link.roles):
            continue
        if link.url_name == "home" and grid_worker_only:
            continue  # their home is 我的网格
        if region_codes(user, link.cap):  # a superuser holds no territory: its roles decide
            links.append(link)
    return links


def tab_names(user: User, available: list[str]) -> list[str]:
    """The URL names of the user's phone tabs, among `available` (the links they may use)."""
    held = {a.role for a in role_assignments(user)}
    wanted = DEFAULT_TABS
    if user.is_superuser and Role.ADMIN not in held:
        held.add(Role.ADMIN)
    for role, names in TABS_BY_ROLE:
        if role in held:
            wanted = names
            break
    tabs = [name for name in wanted if name in available]
    for name in available:
        if len(tabs) >= TAB_COUNT:
            break
        if name not in tabs:
            tabs.append(name)
    return tabs[:TAB_COUNT]


def navigation(user: User, current_path: str) -> Navigation:
    links = _visible(user)
    urls = [reverse(link.url_name) for link in links]
    # The current link is the longest URL the path starts with (/cases/todo/ is 待办, not 事件).
    matches = [u for u in urls if current_path == u or (u != "/" and current_path.startswith(u))]
    current = max(matches, key=len, default=None)
    items = [
        Item(str(link.label), url, url == current, link.badge, link.group, str(link.short or link.label), link.icon,
             link.url_name)
        for link, url in zip(links, urls)
    ]
    by_name = {item.url_name: item for item in items}
    tabs = [by_name[name] for name in tab_names(user, list(by_name))]
    more: list[Group] = []
    for key in (MAIN, REGISTERS, ADMIN):
        rest = [item for item in items if item.group == key and item not in tabs]
        if rest:
            more.append(Group(key, str(GROUP_LABELS.get(key, "")), rest))
    menus = [
        Group(key, str(GROUP_LABELS[key]), [item for item in items if item.group == key])
        for key in (REGISTERS, ADMIN)
        if any(item.group == key for item in items)
    ]
    return Navigation(items, tabs, more, [item for item in items if item.group == MAIN], menus)


def nav_links(user: User, current_path: str) -> list[tuple[str, str, bool, bool]]:
    """(label, url, is_current, has_badge) for the links this user may use."""
    return [tuple(item) for item in navigation(user, current_path).items]

"""What an admin should know before filling in each kind of roster.

Shown on /rosters/ and as a "填写说明" sheet in the blank .xlsx template (the importer
reads only the first sheet, so the notes never get in the way of an import)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from rosters.models import RosterKind

KIND_NOTES: dict[RosterKind, tuple] = {
    RosterKind.TERRITORY: (
        _("行的先后顺序不限：上级可以排在下级之后。上级编码可不填，按编码位数推出。"),
    ),
    RosterKind.GRID_WORKERS: (
        _("导入的网格员没有登录密码：导入后请在“网格员初始密码”页为他们生成初始密码，网格员首次登录时须修改密码。"),
        _("一人负责多个网格时，网格编码之间用顿号或逗号分隔。"),
    ),
    RosterKind.RESIDENTS: (
        _("人员标签只增不减：重新导入时，文件中列出的标签会加到该人员身上；文件中没有列出的已有标签不会被删除（它可能是其他工作人员设置的）。"),
        _("要撤销某个标签，请在该人员的详情页中移除（会记录移除人和原因）。导入不能撤销标签。"),
        _("多个标签之间用顿号或逗号分隔。"),
    ),
}


def notes_for(kind: str) -> tuple:
    return KIND_NOTES.get(kind, ())

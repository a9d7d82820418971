"""Grid workers roster: 姓名, 手机号, 用户名 (optional: the phone number), 网格编码 → a User and
one grid_worker RoleAssignment per grid. Several grids may be listed in one cell (，、;)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext

from governance.models import Region, RoleAssignment, User
from governance.roles import Cap, Level, Role
from governance.scope import scoped
from parties.validators import normalize_phone, validate_phone
from rosters.badrows import PHONE
from rosters.engine import Column, ImportContext, Roster, Row
from rosters.models import RosterKind
from rosters.selectors import untouchable_accounts

USERNAME = re.compile(r"^[\w.@+-]{1,150}$")
SPLIT = re.compile(r"[，,、;；\s/]+")


@dataclass
class WorkerRecord:
    username: str
    name: str
    phone: str
    grids: tuple[str, ...]
    user_id: int | None = None
    missing_grids: tuple[str, ...] = ()

    @property
    def region_code(self) -> str:
        return self.grids[0]


class GridWorkerRoster(Roster):
    kind = RosterKind.GRID_WORKERS
    sheet_title = "网格员"
    columns = (
        Column("name", "姓名", ("网格员姓名", "网格员", "名字"), True),
        Column("phone", "手机号", ("联系电话", "手机号码", "手机", "电话", "联系方式"), True, pii=PHONE),
        Column("username", "用户名", ("账号", "登录名", "登录账号")),
        Column("grid", "网格编码", ("所属网格编码", "所属网格", "网格代码", "负责网格编码"), True),
    )
    example = ("张三", "13800000000", "", "210802001001001")

    def prepare(self, ctx: ImportContext) -> None:
        self.grid_codes = set(Region.objects.filter(level=Level.GRID).values_list("code", flat=True))

    def clean(self, row: Row, ctx: ImportContext) -> None:
        name = row.text("name").replace(" ", "") if not row.text("name").isascii() else row.text("name")
        phone = normalize_phone(row.code("phone"))
        username = row.text("username") or phone
        grids = tuple(dict.fromkeys(g for g in SPLIT.split(row.code("grid")) if g))
        if not name:
            row.fail("missing_name", gettext("缺少姓名"))
        elif len(name) > 64:
            row.fail("bad_value", gettext("姓名超过 64 个字"))
        if not phone:
            row.fail("missing_phone", gettext("缺少手机号"))
        else:
            try:
                validate_phone(phone)
            except ValidationError:
                row.fail("bad_phone", gettext("手机号“%(phone)s”格式不正确") % {"phone": row.code('phone')})
        if username and not USERNAME.match(username):
            row.fail("bad_username", gettext("用户名只能包含字母、数字和 @ . + - _"))
        if not grids:
            row.fail("missing_grid", gettext("缺少网格编码"))
        for code in grids:
            if code not in self.grid_codes:
                row.fail("unknown_grid", gettext("网格编码“%(code)s”不存在") % {"code": code})
            elif not ctx.in_scope(code):
                row.fail("out_of_scope", gettext("网格“%(code)s”不在您的管辖范围内") % {"code": code})
        if not row.errors:
            row.record = WorkerRecord(username, name, phone, grids)

    def key(self, row: Row) -> list[str]:
        return [f"{row.record.username}|{g}" for g in row.record.grids]

    def classify(self, rows: list[Row], ctx: ImportContext) -> None:
        users = {u.username: u for u in User.objects.filter(username__in={r.record.username for r in rows})}
        # An existing account is changed only if everything it holds lies in the importer's scope: an
        # account holding nothing lies in nobody's (a staff account, say), and a superuser is never changed.
        refused = untouchable_accounts(users.values(), ctx.prefixes)
        assigned: dict[int, set[str]] = {}
        for user_id, region in RoleAssignment.objects.filter(
            user__in=users.values(), role=Role.GRID_WORKER
        ).values_list("user_id", "region_id"):
            assigned.setdefault(user_id, set()).add(region)
        for row in rows:
            rec = row.record
            user = users.get(rec.username)
            if user is None:
                row.status = "new"
                rec.missing_grids = rec.grids
                continue
            if user.pk in refused:
                row.fail("out_of_scope", gettext("账号“%(username)s”属于您管辖范围以外的人员，不能修改")
                         % {"username": rec.username})
                continue
            rec.user_id = user.pk
            assigned_grids = assigned.get(user.pk, set())
            rec.missing_grids = tuple(g for g in rec.grids if g not in assigned_grids)
            same = user.name == rec.name and user.phone == rec.phone
            row.status = "unchanged" if same and not rec.missing_grids else "updated"

    def write(self, rows: list[Row], ctx: ImportContext) -> None:
        unusable = make_password(None)  # they set a password through the admin / reset; no shared default
        new_users = {}
        for r in rows:
            if r.status == "new" and r.record.username not in new_users:
                new_users[r.record.username] = User(
                    username=r.record.username, name=r.record.name, phone=r.record.phone, password=unusable
                )
        User.objects.bulk_create(list(new_users.values()))
        ids = dict(User.objects.filter(username__in=new_users).values_list("username", "pk"))
        changed = []
        for r in rows:
            if r.record.user_id is None:
                r.record.user_id = ids[r.record.username]
            elif r.status == "updated":
                changed.append(User(pk=r.record.user_id, name=r.record.name, phone=r.record.phone))
        User.objects.bulk_update(changed, ["name", "phone"])
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user_id=r.record.user_id, role=Role.GRID_WORKER, region_id=g)
             for r in rows for g in r.record.missing_grids],
            ignore_conflicts=True,
        )

    export_cap = Cap.IMPORT_ROSTER

    def export_queryset(self, user: User) -> QuerySet:
        return scoped(RoleAssignment.objects.filter(role=Role.GRID_WORKER), user, self.export_cap)

    def export_rows(self, user: User) -> Iterator[tuple]:
        qs = self.export_queryset(user)
        for name, phone, username, region in qs.order_by("region_id", "user__username").values_list(
            "user__name", "user__phone", "user__username", "region_id"
        ):
            yield (name, phone, username, region)

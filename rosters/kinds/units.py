"""Units roster (实有单位): upserts on the unified social credit code."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from governance.models import User
from governance.roles import Cap
from governance.scope import region_codes, scoped
from parties import pii
from parties.models import Unit, UnitKind
from parties.validators import normalize_credit_code, validate_credit_code
from rosters.badrows import PHONE
from rosters.engine import Column, ImportContext, Roster, Row
from rosters.kinds.checks import GRID_ALIASES, GridCheck, check_choice, check_phone, choice_words
from rosters.models import RosterKind

UNIT_KIND = choice_words(UnitKind, {"个体工商户": UnitKind.SHOP, "商铺": UnitKind.SHOP, "医院": UnitKind.HOSPITAL,
                                    "机关": UnitKind.GOVERNMENT, "事业单位": UnitKind.GOVERNMENT})


@dataclass
class UnitRecord:
    credit_code: str
    name: str
    kind: str
    grid: str
    address: str
    legal_person: str
    contact_name: str
    phone: str
    phone_hash: str
    employees: int | None
    pk: int | None = None

    @property
    def region_code(self) -> str:
        return self.grid


class UnitRoster(Roster):
    kind = RosterKind.UNITS
    sheet_title = "实有单位"
    columns = (
        Column("name", "单位名称", ("名称", "企业名称", "单位"), True),
        Column("credit_code", "统一社会信用代码", ("信用代码", "社会信用代码", "统一代码"), True),
        Column("kind", "单位类别", ("类别", "单位类型")),
        Column("grid", "网格编码", GRID_ALIASES, True),
        Column("address", "地址", ("单位地址", "经营地址")),
        Column("legal_person", "法定代表人", ("负责人", "法人")),
        Column("contact_name", "联系人"),
        Column("phone", "联系电话", ("手机号", "电话", "联系方式"), pii=PHONE),
        Column("employees", "从业人数", ("员工人数", "职工人数")),
    )
    example = ("营口示例商贸有限公司", "91210802MA0XXXXXXX", "企业", "210802001001001", "站前区示例路 1 号",
               "张三", "李四", "0417-2812345", "12")

    def prepare(self, ctx: ImportContext) -> None:
        self.grids = GridCheck()
        self.grids.load()

    def clean(self, row: Row, ctx: ImportContext) -> None:
        name = row.text("name")
        if not name:
            row.fail("missing_name", gettext("缺少单位名称"))
        code = normalize_credit_code(row.code("credit_code"))
        if not code:
            row.fail("missing_credit_code", gettext("缺少统一社会信用代码"))
        else:
            try:
                validate_credit_code(code)
            except ValidationError as e:
                row.fail("credit_code_checksum" if e.code == "checksum" else "bad_credit_code", e.messages[0])
        grid = row.code("grid")
        self.grids.check_grid(row, grid, ctx)
        kind = check_choice(row, "kind", UNIT_KIND, "单位类别", UnitKind.ENTERPRISE)
        phone = check_phone(row)
        employees = None
        if row.text("employees"):
            try:
                employees = int(row.text("employees"))
                if employees < 0:
                    raise ValueError
            except ValueError:
                row.fail("bad_value", gettext("从业人数“%(employees)s”不是整数") % {"employees": row.text('employees')})
        if not row.errors:
            row.record = UnitRecord(code, name[:128], kind, grid, row.text("address")[:200],
                                    row.text("legal_person")[:64], row.text("contact_name")[:64], phone,
                                    pii.blind_index(phone), employees)

    def key(self, row: Row) -> list[str]:
        return [row.record.credit_code]

    FIELDS = ("name", "kind", "grid_id", "address", "legal_person", "contact_name", "contact_phone_hash", "employees")

    def classify(self, rows: list[Row], ctx: ImportContext) -> None:
        existing = {
            v["credit_code"]: v
            for v in Unit.objects.filter(credit_code__in=[r.record.credit_code for r in rows]).values(
                "pk", "credit_code", *self.FIELDS
            )
        }
        for row in rows:
            rec = row.record
            old = existing.get(rec.credit_code)
            if old is None:
                row.status = "new"
                continue
            if not ctx.in_scope(old["grid_id"]):
                row.fail("out_of_scope", gettext("该单位已登记在您管辖范围以外的网格，不能修改"))
                continue
            rec.pk = old["pk"]
            new = (rec.name, rec.kind, rec.grid, rec.address, rec.legal_person, rec.contact_name, rec.phone_hash,
                   rec.employees)
            row.status = "unchanged" if tuple(old[f] for f in self.FIELDS) == new else "updated"

    def _obj(self, rec: UnitRecord, **extra: object) -> Unit:
        return Unit(name=rec.name, kind=rec.kind, grid_id=rec.grid, address=rec.address,
                    legal_person=rec.legal_person, contact_name=rec.contact_name,
                    contact_phone_encrypted=pii.encrypt(
                        rec.phone, aad=pii.aad(Unit, "contact_phone_encrypted", rec.phone_hash)) if rec.phone else "",
                    contact_phone_hash=rec.phone_hash,
                    employees=rec.employees, **extra)

    def write(self, rows: list[Row], ctx: ImportContext) -> None:
        Unit.objects.bulk_create([self._obj(r.record, credit_code=r.record.credit_code)
                                  for r in rows if r.status == "new"])
        Unit.objects.bulk_update(
            [self._obj(r.record, pk=r.record.pk, updated_at=timezone.now()) for r in rows if r.status == "updated"],
            [*self.FIELDS, "contact_phone_encrypted", "updated_at"],
        )

    def export_queryset(self, user: User) -> QuerySet:
        return scoped(Unit.objects.all(), user, self.export_cap)

    def export_rows(self, user: User) -> Iterator[tuple]:
        reveal = region_codes(user, Cap.REVEAL_PII)
        kinds = dict(UnitKind.choices)
        qs = self.export_queryset(user).order_by("grid_id", "name")
        for name, code, kind, grid, address, legal, contact, phone, employees, h in qs.values_list(
            "name", "credit_code", "kind", "grid_id", "address", "legal_person", "contact_name",
            "contact_phone_encrypted", "employees", "contact_phone_hash",
        ).iterator(chunk_size=2000):
            # The token is bound to the phone's blind index; one that does not decrypt is UNREADABLE.
            phone = pii.readable(phone, aad=pii.aad(Unit, "contact_phone_encrypted", h) if h else None,
                                 what=f"unit {code} contact_phone_encrypted") if phone else ""
            if phone and phone != str(pii.UNREADABLE) and not (reveal and grid.startswith(reveal)):
                phone = pii.mask_phone(phone)
            yield (name, code or "", str(kinds.get(kind, kind)), grid, address, legal, contact, phone,
                   "" if employees is None else employees)

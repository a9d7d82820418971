"""Territory roster: regions and grids (编码, 名称, 层级, 上级编码, 网格类型)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext

from governance.models import GridType, Region, User, validate_region_code
from governance.roles import CODE_LENGTH, LEVEL_BY_CODE_LENGTH, Cap, Level
from governance.scope import scoped
from rosters.engine import Column, ImportContext, Roster, Row
from rosters.models import RosterKind

LEVEL_WORDS = {
    "市": Level.CITY, "地级市": Level.CITY, "地市": Level.CITY,
    "区": Level.DISTRICT, "县": Level.DISTRICT, "区县": Level.DISTRICT, "区/县": Level.DISTRICT,
    "县级市": Level.DISTRICT, "旗": Level.DISTRICT,
    "街道": Level.STREET, "乡": Level.STREET, "镇": Level.STREET, "乡镇": Level.STREET, "街道乡镇": Level.STREET,
    "街道/乡镇": Level.STREET,
    "社区": Level.COMMUNITY, "村": Level.COMMUNITY, "社区村": Level.COMMUNITY, "社区/村": Level.COMMUNITY,
    "居委会": Level.COMMUNITY, "村委会": Level.COMMUNITY,
    "网格": Level.GRID,
}
LEVEL_NAMES = {
    Level.CITY: "市", Level.DISTRICT: "区", Level.STREET: "街道", Level.COMMUNITY: "社区", Level.GRID: "网格",
}


def grid_type_words() -> dict[str, str]:
    words = {}
    for value, label in GridType.choices:
        label = str(label)
        words[label] = value
        words[value] = value
        if "（" in label:
            words[label.split("（", 1)[1].rstrip("）")] = value  # 学校, 医院…
    words.update({"综合": GridType.COMPREHENSIVE, "专属网格": GridType.OTHER, "专属": GridType.OTHER})
    return {k.replace("（", "(").replace("）", ")"): v for k, v in words.items()}


@dataclass
class RegionRecord:
    code: str
    name: str
    level: int
    parent_code: str | None
    grid_type: str

    @property
    def region_code(self) -> str:
        return self.code


class TerritoryRoster(Roster):
    """Parents are checked per batch, not per row: a batch is ordered parents-first before
    its parents are checked and written, so a file imports whatever its row order. One batch
    holds a whole real territory file (a big city: ~20,000 grids and a few thousand regions)."""

    kind = RosterKind.TERRITORY
    batch_size = 60_000
    sheet_title = "区划网格"
    columns = (
        Column("code", "编码", ("区划编码", "区划代码", "统计用区划代码", "代码", "网格编码", "行政区划代码"), True),
        Column("name", "名称", ("区划名称", "网格名称", "名字"), True),
        Column("level", "层级", ("级别", "区划层级")),
        Column("parent", "上级编码", ("上级区划编码", "上级代码", "父级编码", "所属上级编码")),
        Column("grid_type", "网格类型", ("类型",)),
    )
    example = ("210802001001001", "五大门社区第1网格", "网格", "210802001001", "综合网格")

    def prepare(self, ctx: ImportContext) -> None:
        self.existing_codes = set(Region.objects.values_list("code", flat=True))
        self.file_codes: set[str] = set()
        self.grid_types = grid_type_words()

    def clean(self, row: Row, ctx: ImportContext) -> None:
        code, name, parent = row.code("code"), row.text("name"), row.code("parent")
        if not code:
            row.fail("missing_code", gettext("缺少编码"))
        if not name:
            row.fail("missing_name", gettext("缺少名称"))
        if row.errors:
            return
        if len(name) > 64:
            row.fail("bad_value", gettext("名称超过 64 个字"))
        level = LEVEL_BY_CODE_LENGTH.get(len(code))
        if not parent and level and level > Level.CITY:
            parent = code[: CODE_LENGTH[Level(level - 1)]]
        try:
            level = validate_region_code(code, parent or None)
        except ValidationError as e:
            row.fail("bad_code", "；".join(e.messages))
            return
        if not ctx.in_scope(code):
            row.fail("out_of_scope", gettext("不在您的管辖范围内"))
            return
        level_word = row.text("level")
        if level_word and LEVEL_WORDS.get(level_word) != level:
            row.fail("bad_level", gettext("层级“%(level_word)s”与编码位数不符（%(digits)s 位编码应为%(level)s）")
                     % {"level_word": level_word, "digits": len(code), "level": LEVEL_NAMES[level]})
        type_word = row.text("grid_type").replace("（", "(").replace("）", ")")
        grid_type = ""
        if type_word:
            grid_type = self.grid_types.get(type_word, "")
            if not grid_type:
                row.fail("bad_grid_type",
                         gettext("未知的网格类型“%(grid_type)s”") % {"grid_type": row.text("grid_type")})
            elif level != Level.GRID:
                row.fail("bad_grid_type", gettext("只有网格才有网格类型"))
        elif level == Level.GRID:
            grid_type = GridType.COMPREHENSIVE
        if not row.errors:
            row.record = RegionRecord(code, name, level, parent or None, grid_type)

    def key(self, row: Row) -> list[str]:
        return [row.record.code]

    def classify(self, rows: list[Row], ctx: ImportContext) -> None:
        # Parents before children (a parent's code is shorter), whatever the file's order: a row's
        # parent must exist, be a good row of an earlier batch, or be a good row of this one.
        known = self.file_codes
        for row in sorted(rows, key=lambda r: len(r.record.code)):
            parent = row.record.parent_code
            if parent and parent not in self.existing_codes and parent not in known:
                row.fail("unknown_parent", gettext("上级编码“%(parent)s”不存在（请先导入上级，或把上级放在同一文件中）")
                         % {"parent": parent})
            else:
                known.add(row.record.code)
        rows = [r for r in rows if not r.errors]
        existing = Region.objects.in_bulk([r.record.code for r in rows])
        for row in rows:
            old = existing.get(row.record.code)
            if old is None:
                row.status = "new"
            elif old.name == row.record.name and old.grid_type == row.record.grid_type:
                row.status = "unchanged"
            else:
                row.status = "updated"
                # The dry run shows what will change: the column, what is stored now, what the file says.
                if old.name != row.record.name:
                    row.changes.append((gettext("名称"), old.name, row.record.name))
                if old.grid_type != row.record.grid_type:
                    row.changes.append((gettext("网格类型"), _grid_type_label(old.grid_type),
                                        _grid_type_label(row.record.grid_type)))

    def write(self, rows: list[Row], ctx: ImportContext) -> None:
        new = sorted((r.record for r in rows if r.status == "new"), key=lambda rec: len(rec.code))
        Region.objects.bulk_create(
            [Region(code=r.code, name=r.name, level=r.level, parent_id=r.parent_code, grid_type=r.grid_type)
             for r in new]
        )
        updated = [Region(code=r.record.code, name=r.record.name, grid_type=r.record.grid_type)
                   for r in rows if r.status == "updated"]
        Region.objects.bulk_update(updated, ["name", "grid_type"], batch_size=1000)
        self.existing_codes.update(r.code for r in new)

    export_cap = Cap.VIEW

    def export_queryset(self, user: User) -> QuerySet:
        return scoped(Region.objects.all(), user, self.export_cap)

    def export_rows(self, user: User) -> Iterator[tuple]:
        qs = self.export_queryset(user).order_by("code")
        for code, name, level, parent, grid_type in qs.values_list("code", "name", "level", "parent_id", "grid_type"):
            yield (code, name, LEVEL_NAMES[Level(level)], parent or "",
                   str(GridType(grid_type).label) if grid_type else "")


def _grid_type_label(value: str) -> str:
    return str(GridType(value).label) if value in GridType.values else (value or "—")

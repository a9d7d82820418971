"""Houses roster (实有房屋): 网格编码, 楼栋, 单元, 房号 → a Building and a House.

Upserts on (building, unit, room) within the grid. The residents roster places its residents'
houses through the same HousePlacer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from governance.models import User
from governance.scope import scoped
from parties.models import Building, House, HouseUse
from rosters.bulk import db_datetime, ensure_rows, insert_rows, select_in
from rosters.engine import Column, ImportContext, Roster, Row
from rosters.kinds.checks import GRID_ALIASES, GridCheck, check_choice, choice_words
from rosters.models import RosterKind

HOUSE_USE = choice_words(HouseUse, {"自用": HouseUse.OWNER, "租赁": HouseUse.RENTED, "闲置": HouseUse.VACANT,
                                    "商铺": HouseUse.COMMERCIAL})


class HousePlacer:
    """Find or create the buildings and houses a batch refers to, keyed (grid, building, unit, room).

    Building ids are cached for the whole import (a grid has tens of buildings); houses are
    looked up per batch, only within the batch's buildings."""

    def __init__(self) -> None:
        self._local = threading.local()

    @property
    def building_ids(self) -> dict[tuple[str, str], int]:
        # One cache per writer thread: a building another writer has just created is not
        # committed yet, and its id must not reach this thread's batch before it is.
        ids = getattr(self._local, "ids", None)
        if ids is None:
            ids = self._local.ids = {}
        return ids

    def buildings(self, pairs: set[tuple[str, str]], create: bool) -> dict[tuple[str, str], int]:
        unknown = {p for p in pairs if p not in self.building_ids}
        if unknown:
            grids = {g for g, _ in unknown}
            names = {b for _, b in unknown}
            found = Building.objects.filter(grid_id__in=grids, name__in=names).values_list("pk", "grid_id", "name")
            for pk, g, n in found:
                self.building_ids[(g, n)] = pk
            missing = sorted(p for p in unknown if p not in self.building_ids)  # one lock order for all writers
            if missing and create:
                insert_rows(Building, ["grid_id", "name", "address", "floors"], [(g, n, "", None) for g, n in missing],
                            ignore_conflicts=True)
                return self.buildings(pairs, create=False)
        return {p: self.building_ids[p] for p in pairs if p in self.building_ids}

    def _houses(self, keys: set[tuple[str, str, str, str]],
                buildings: dict[tuple[str, str], int]) -> dict[tuple, int]:
        wanted = {(buildings[(g, b)], u, r): (g, b, u, r) for g, b, u, r in keys if (g, b) in buildings}
        if not wanted:
            return {}
        found = {}
        for pk, building_id, unit_no, room in select_in(
            House, ["id", "building_id", "unit_no", "room"], ["building_id", "unit_no", "room"], list(wanted)
        ):
            key = wanted.get((building_id, unit_no, room))
            if key:
                found[key] = pk
        return found

    def existing(self, keys: set[tuple[str, str, str, str]]) -> dict[tuple, int]:
        return self._houses(keys, self.buildings({(g, b) for g, b, _, _ in keys}, create=False))

    def ensure(self, keys: set[tuple[str, str, str, str]],
               defaults: dict[tuple, dict] | None = None) -> dict[tuple, int]:
        """{(grid, building, unit, room): house id} for every key, creating the missing houses (with
        `defaults[key]` or blank details); houses that exist are left as they are."""
        buildings = self.buildings({(g, b) for g, b, _, _ in keys}, create=True)
        now = db_datetime(timezone.now())
        blank = {"use": HouseUse.OWNER, "area": None, "owner_name": ""}
        rows = []
        key_of = {}
        for g, b, u, r in keys:
            d = (defaults or {}).get((g, b, u, r), blank)
            building_id = buildings[(g, b)]
            key_of[(building_id, u, r)] = (g, b, u, r)
            rows.append((g, building_id, u, r, d["use"], d["area"], d["owner_name"], "", now))
        ids = ensure_rows(House, ["grid_id", "building_id", "unit_no", "room", "use", "area", "owner_name", "note",
                                  "updated_at"], rows, ["building_id", "unit_no", "room"])
        return {key_of[k]: pk for k, pk in ids.items() if k in key_of}


@dataclass
class HouseRecord:
    key: tuple
    use: str
    area: Decimal | None
    owner_name: str
    pk: int | None = None

    @property
    def region_code(self) -> str:
        return self.key[0]


class HouseRoster(Roster):
    kind = RosterKind.HOUSES
    sheet_title = "实有房屋"
    columns = (
        Column("grid", "网格编码", GRID_ALIASES, True),
        Column("building", "楼栋", ("楼栋号", "楼号", "楼栋名称"), True),
        Column("unit_no", "单元", ("单元号",)),
        Column("room", "房号", ("房间号", "门牌号", "室"), True),
        Column("use", "房屋用途", ("用途", "房屋类型", "使用情况")),
        Column("area", "面积", ("建筑面积", "面积（㎡）", "面积(平方米)")),
        Column("owner_name", "产权人", ("房主", "业主", "产权人姓名")),
    )
    example = ("210802001001001", "1号楼", "1单元", "101", "自住", "89.5", "张三")

    def prepare(self, ctx: ImportContext) -> None:
        self.grids = GridCheck()
        self.grids.load()
        self.houses = HousePlacer()

    def clean(self, row: Row, ctx: ImportContext) -> None:
        grid = row.code("grid")
        self.grids.check_grid(row, grid, ctx)
        building, unit_no, room = row.text("building"), row.text("unit_no"), row.text("room")
        if not building:
            row.fail("missing_building", gettext("缺少楼栋"))
        if not room:
            row.fail("missing_room", gettext("缺少房号"))
        use = check_choice(row, "use", HOUSE_USE, "房屋用途", HouseUse.OWNER)
        area = None
        if row.text("area"):
            try:
                area = Decimal(row.text("area").replace("㎡", "").replace("平方米", "")).quantize(Decimal("0.01"))
                if area <= 0 or area >= Decimal("1000000"):
                    raise InvalidOperation
            except InvalidOperation:
                row.fail("bad_value", gettext("面积“%(area)s”不是有效的数字") % {"area": row.text('area')})
        if not row.errors:
            row.record = HouseRecord((grid, building[:64], unit_no[:16], room[:16]), use, area,
                                     row.text("owner_name")[:64])

    def key(self, row: Row) -> list[str]:
        return ["|".join(row.record.key)]

    def classify(self, rows: list[Row], ctx: ImportContext) -> None:
        found = self.houses.existing({r.record.key for r in rows})
        current = {
            pk: (use, area, owner)
            for pk, use, area, owner in House.objects.filter(pk__in=found.values()).values_list(
                "pk", "use", "area", "owner_name"
            )
        }
        for row in rows:
            pk = found.get(row.record.key)
            row.record.pk = pk
            if pk is None:
                row.status = "new"
            else:
                rec = row.record
                row.status = "unchanged" if current[pk] == (rec.use, rec.area, rec.owner_name) else "updated"

    def write(self, rows: list[Row], ctx: ImportContext) -> None:
        defaults = {r.record.key: {"use": r.record.use, "area": r.record.area, "owner_name": r.record.owner_name}
                    for r in rows if r.status == "new"}
        self.houses.ensure(set(defaults), defaults)
        House.objects.bulk_update(
            [House(pk=r.record.pk, use=r.record.use, area=r.record.area, owner_name=r.record.owner_name,
                   updated_at=timezone.now()) for r in rows if r.status == "updated"],
            ["use", "area", "owner_name", "updated_at"],
        )

    def export_queryset(self, user: User) -> QuerySet:
        return scoped(House.objects.all(), user, self.export_cap)

    def export_rows(self, user: User) -> Iterator[tuple]:
        use = dict(HouseUse.choices)
        qs = self.export_queryset(user).order_by(
            "grid_id", "building__name", "unit_no", "room")
        for grid, b, u, r, hu, area, owner in qs.values_list(
            "grid_id", "building__name", "unit_no", "room", "use", "area", "owner_name"
        ).iterator(chunk_size=2000):
            yield (grid, b, u, r, str(use.get(hu, hu)), str(area) if area is not None else "", owner)

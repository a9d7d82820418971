"""Residents, houses and units rosters (the registers of issue 3: parties.models).

Residents also bring their house: 楼栋 + 单元 + 房号 in the resident's grid are found or
created (Building, House), and the resident is linked to it (人房关联).
Upserts: residents on the ID number's blind index, houses on (building, unit, room),
units on the unified social credit code. ID numbers and phones are encrypted only for
rows that are written; look-ups use the keyed hashes.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date
from operator import mul
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from governance.models import Region
from governance.roles import Cap, Level
from governance.scope import region_codes, scoped
from parties import pii
from parties.idnumbers import (
    CHECK_CHARS,
    EARLIEST_BIRTH,
    PROVINCES,
    WEIGHTS,
    birth_date_and_gender,
    normalize_id_number,
    validate_id_number,
)
from parties.validators import MOBILE
from parties.models import (
    Building,
    House,
    HouseUse,
    PoliticalStatus,
    Resident,
    ResidencyType,
    ResidentTag,
    TAG_ALIASES,
    TagKind,
    Unit,
    UnitKind,
)
from parties.validators import normalize_credit_code, normalize_phone, validate_credit_code, validate_phone
from django.utils.translation import gettext
from rosters.bulk import db_datetime, ensure_rows, insert_new_rows, insert_rows, select_in
from rosters.engine import Column, ImportContext, Roster, Row
from rosters.normalize import clean_name, looks_like_excel_number
from django.utils.translation import gettext_lazy as _

TAG_SPLIT = re.compile(r"[，,、;；\s/]+")
GRID_ALIASES = ("所属网格编码", "所属网格", "网格代码", "网格号")


def _choices(choices, extra: dict[str, str]) -> dict[str, str]:
    words = {str(label): value for value, label in choices.choices}
    words.update({value: value for value in choices.values})
    words.update(extra)
    return words


POLITICAL = _choices(PoliticalStatus, {
    "党员": PoliticalStatus.CPC_MEMBER, "中共党员": PoliticalStatus.CPC_MEMBER, "共产党员": PoliticalStatus.CPC_MEMBER,
    "预备党员": PoliticalStatus.CPC_PROBATIONARY, "团员": PoliticalStatus.CYL_MEMBER,
    "无党派": PoliticalStatus.NON_PARTY, "民主党派成员": PoliticalStatus.DEMOCRATIC_PARTY,
})
RESIDENCY = _choices(ResidencyType, {
    "户籍": ResidencyType.REGISTERED, "常住人口": ResidencyType.REGISTERED, "流动": ResidencyType.FLOATING,
    "境外": ResidencyType.OVERSEAS, "境外人口": ResidencyType.OVERSEAS,
})
TAGS = _choices(TagKind, {str(k): v for k, v in TAG_ALIASES.items()})  # labels, keys and the registers' aliases
HOUSE_USE = _choices(HouseUse, {"自用": HouseUse.OWNER, "租赁": HouseUse.RENTED, "闲置": HouseUse.VACANT,
                                "商铺": HouseUse.COMMERCIAL})
UNIT_KIND = _choices(UnitKind, {"个体工商户": UnitKind.SHOP, "商铺": UnitKind.SHOP, "医院": UnitKind.HOSPITAL,
                                "机关": UnitKind.GOVERNMENT, "事业单位": UnitKind.GOVERNMENT})


class GridCheck:
    """The grid codes that exist, loaded once per import, and the importer's scope."""

    def load(self) -> None:
        self.grid_codes = set(Region.objects.filter(level=Level.GRID).values_list("code", flat=True))

    def check_grid(self, row: Row, code: str, ctx: ImportContext) -> bool:
        if not code:
            row.fail("missing_grid", gettext("缺少网格编码"))
        elif code not in self.grid_codes:
            row.fail("unknown_grid", gettext("网格编码“%(code)s”不存在") % {"code": code})
        elif not ctx.in_scope(code):
            row.fail("out_of_scope", gettext("网格“%(code)s”不在您的管辖范围内") % {"code": code})
        else:
            return True
        return False


_ZERO_WEIGHT = ord("0") * sum(WEIGHTS)


def fast_id_number(value: str, today: date) -> tuple[date, str] | None:
    """(birth date, gender) when `value` passes every check of parties.idnumbers.validate_id_number;
    None otherwise (the caller then asks validate_id_number for the reason). A fast path for the
    common valid case: the canonical validator calls date.today() and more for every row."""
    if len(value) != 18 or not value.isascii() or not value[:17].isdigit() or value[:2] not in PROVINCES:
        return None
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None
    if born < EARLIEST_BIRTH or born > today:
        return None
    # The digits' bytes minus 48 each: sum(int(d) * w) without an int() per digit.
    if CHECK_CHARS[(sum(map(mul, value.encode(), WEIGHTS)) - _ZERO_WEIGHT) % 11] != value[17]:
        return None
    return born, ("M" if int(value[16]) % 2 else "F")


def check_phone(row: Row, key: str = "phone") -> str:
    raw = row.values.get(key)
    if raw is None or raw == "":
        return ""
    if raw.__class__ is str and len(raw) == 11 and raw.isascii() and raw.isdigit() and MOBILE.match(raw):
        return raw  # what normalize_phone returns for a plain mobile number, and valid
    phone = normalize_phone(str(raw) if not isinstance(raw, float) else str(int(raw)))
    if not phone:
        return ""
    try:
        validate_phone(phone)
    except ValidationError as e:
        row.fail("bad_phone", e.messages[0])
    return phone


def check_choice(row: Row, key: str, words: dict[str, str], label: str, default: str) -> str:
    text = row.text(key)
    if not text:
        return default
    value = words.get(text) or words.get(text.replace(" ", ""))
    if value is None:
        # `label` is a catalogued field name (政治面貌, 房屋用途…); translated only here, off the valid-row path.
        row.fail("bad_value", gettext("%(label)s“%(text)s”不在可选范围内") % {"label": gettext(label), "text": text})
        return default
    return value


# ---- houses, shared by residents and houses -----------------------------------------------


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
            for pk, g, n in Building.objects.filter(grid_id__in=grids, name__in=names).values_list("pk", "grid_id", "name"):
                self.building_ids[(g, n)] = pk
            missing = sorted(p for p in unknown if p not in self.building_ids)  # one lock order for all writers
            if missing and create:
                insert_rows(Building, ["grid_id", "name", "address", "floors"], [(g, n, "", None) for g, n in missing],
                            ignore_conflicts=True)
                return self.buildings(pairs, create=False)
        return {p: self.building_ids[p] for p in pairs if p in self.building_ids}

    def _houses(self, keys, buildings) -> dict[tuple, int]:
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

    def ensure(self, keys: set[tuple[str, str, str, str]], defaults: dict[tuple, dict] | None = None) -> dict[tuple, int]:
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


# ---- residents ------------------------------------------------------------------------------


@dataclass(slots=True)
class ResidentRecord:
    name: str
    id_number: str
    id_hash: str
    phone: str
    phone_hash: str
    ethnicity: str
    political_status: str
    residency_type: str
    grid: str
    house_key: tuple | None
    tags: frozenset
    born_gender: tuple | None
    pk: int | None = None
    missing_tags: tuple = ()

    @property
    def region_code(self) -> str:
        return self.grid


class ResidentRoster(Roster):
    kind = "residents"
    label = _("实有人口")
    sheet_title = "实有人口"
    columns = (
        Column("name", "姓名", ("人员姓名", "名字"), True),
        Column("id_number", "公民身份号码", ("身份证号", "身份证号码", "身份证", "证件号码", "公民身份证号码"), True),
        Column("phone", "联系电话", ("手机号", "手机号码", "手机", "电话", "联系方式")),
        Column("ethnicity", "民族"),
        Column("political_status", "政治面貌"),
        Column("residency_type", "人口类型", ("人员类型", "居住类型", "人口类别")),
        Column("grid", "网格编码", GRID_ALIASES, True),
        Column("building", "楼栋", ("楼栋号", "楼号", "楼栋名称")),
        Column("unit_no", "单元", ("单元号",)),
        Column("room", "房号", ("房间号", "门牌号", "室")),
        Column("tags", "人员标签", ("标签", "人员类别标签", "特殊人群")),
    )
    example = ("张三", "210802199001011234", "13800000000", "汉族", "群众", "户籍人口", "210802001001001",
               "1号楼", "1单元", "101", "")

    def prepare(self, ctx: ImportContext) -> None:
        self.grids = GridCheck()
        self.grids.load()
        self.houses = HousePlacer()
        self.today = date.today()
        self.blind_index = pii.blind_indexer()
        self.grid_codes: dict[str, str] = {}  # cell text → cleaned code (a file names few grids)

    def clean(self, row: Row, ctx: ImportContext) -> None:
        name = clean_name(row.text("name"))
        if not name:
            row.fail("missing_name", gettext("缺少姓名"))
        elif len(name) > 64:
            row.fail("bad_value", gettext("姓名超过 64 个字"))
        raw_id = row.values.get("id_number")
        number, born_gender = "", None
        if raw_id.__class__ is str and len(raw_id) == 18 and raw_id.isascii():
            number = raw_id.upper()
            born_gender = fast_id_number(number, self.today)  # the common case: a valid number as text
        if born_gender is None:
            number, born_gender = self._check_id_number(row, raw_id)
        phone = check_phone(row)
        raw_grid = row.values.get("grid")
        grid = self.grid_codes.get(raw_grid) if raw_grid.__class__ is str else None
        if grid is None:
            grid = row.code("grid")
            if raw_grid.__class__ is str and len(self.grid_codes) < 50_000:
                self.grid_codes[raw_grid] = grid
        self.grids.check_grid(row, grid, ctx)
        political = check_choice(row, "political_status", POLITICAL, "政治面貌", PoliticalStatus.MASSES)
        residency = check_choice(row, "residency_type", RESIDENCY, "人口类型", ResidencyType.REGISTERED)
        ethnicity = row.text("ethnicity").replace(" ", "") or "汉族"
        tags = set()
        tag_text = row.text("tags")
        for word in TAG_SPLIT.split(tag_text) if tag_text else ():
            if word:
                tag = TAGS.get(word)
                if tag is None:
                    row.fail("bad_tag", gettext("未知的人员标签“%(word)s”") % {"word": word})
                else:
                    tags.add(tag)
        building, unit_no, room = row.text("building"), row.text("unit_no"), row.text("room")
        house_key = None
        if building or room:
            if not (building and room):
                row.fail("bad_house", gettext("楼栋和房号要么都填，要么都不填"))
            else:
                house_key = (grid, building[:64], unit_no[:16], room[:16])
        if row.errors:
            return
        row.record = ResidentRecord(
            name=name, id_number=number, id_hash=self.blind_index(number), phone=phone,
            phone_hash=self.blind_index(phone), ethnicity=ethnicity[:16], political_status=political,
            residency_type=residency, grid=grid, house_key=house_key, tags=frozenset(tags), born_gender=born_gender,
        )

    def _check_id_number(self, row: Row, raw_id) -> tuple[str, tuple | None]:
        """(normalised number, (birth date, gender)), or a failed row and (…, None)."""
        if raw_id is None or raw_id == "":
            row.fail("missing_id_number", gettext("缺少公民身份号码"))
            return "", None
        if looks_like_excel_number(raw_id):
            row.fail("id_precision", gettext("公民身份号码被 Excel 存成了数字，后几位已丢失：请把该列设置为“文本”格式后重新填写号码"))
            return "", None
        if raw_id.__class__ is str and raw_id.isascii():
            number = "".join(raw_id.split()).upper()  # = normalize_id_number for ASCII input
        else:
            number = normalize_id_number(raw_id)
        born_gender = fast_id_number(number, self.today)
        if born_gender is not None:
            return number, born_gender
        try:
            validate_id_number(number)
            return number, birth_date_and_gender(number)
        except ValidationError as e:
            code = {"checksum": "id_checksum", "excel_number": "id_precision"}.get(e.code, "bad_id_number")
            row.fail(code, e.messages[0])
            return number, None

    def key(self, row: Row):
        return [row.record.id_number]

    def key_hashes(self, row: Row) -> list[int]:
        return [int(row.record.id_hash[:16], 16)]  # the keyed hash of the ID number, already computed

    def classify(self, rows: list[Row], ctx: ImportContext) -> None:
        by_hash = {r.record.id_hash: r for r in rows}
        names = ["pk", "id_number_hash", "name", "grid_id", "phone_hash", "ethnicity", "political_status",
                 "residency_type", "house_id"]
        existing = {
            v[1]: dict(zip(names, v))
            for v in select_in(Resident, ["id", *names[1:]], ["id_number_hash"], [(h,) for h in by_hash])
        }
        tags: dict[int, set[str]] = {}
        houses = {}
        if existing:
            ids = [v["pk"] for v in existing.values()]
            for resident_id, tag in ResidentTag.objects.filter(resident_id__in=ids, removed_at__isnull=True).values_list(
                "resident_id", "tag"
            ):
                tags.setdefault(resident_id, set()).add(tag)
            house_ids = {v["house_id"] for v in existing.values() if v["house_id"]}
            houses = {
                pk: (g, b, u, r)
                for pk, g, b, u, r in House.objects.filter(pk__in=house_ids).values_list(
                    "pk", "grid_id", "building__name", "unit_no", "room"
                )
            }
        for row in rows:
            rec = row.record
            old = existing.get(rec.id_hash)
            if old is None:
                row.status = "new"
                rec.missing_tags = tuple(sorted(rec.tags))
                continue
            if not ctx.in_scope(old["grid_id"]):
                row.fail("out_of_scope", gettext("该人员已登记在您管辖范围以外的网格，不能修改"))
                continue
            rec.pk = old["pk"]
            rec.missing_tags = tuple(sorted(rec.tags - tags.get(rec.pk, set())))
            same = (
                old["name"] == rec.name and old["grid_id"] == rec.grid and old["phone_hash"] == rec.phone_hash
                and old["ethnicity"] == rec.ethnicity and old["political_status"] == rec.political_status
                and old["residency_type"] == rec.residency_type
                and (rec.house_key is None or houses.get(old["house_id"]) == rec.house_key)
            )
            row.status = "unchanged" if same and not rec.missing_tags else "updated"

    NEW_FIELDS = ["grid_id", "house_id", "household_id", "relation_to_head", "name", "id_number_encrypted",
                  "id_number_hash", "gender", "birth_date", "phone_encrypted", "phone_hash", "ethnicity",
                  "political_status", "residency_type", "note", "created_at", "updated_at"]
    UPDATE_FIELDS = ["grid_id", "name", "phone_encrypted", "phone_hash", "ethnicity", "political_status",
                     "residency_type", "updated_at"]

    def inserts_before_comparing(self) -> bool:
        return connection.vendor == "postgresql"

    def write(self, rows: list[Row], ctx: ImportContext) -> None:
        """New residents in one raw insert (COPY on PostgreSQL); changed ones with bulk_update."""
        if rows and not rows[0].status:
            self._insert_then_compare(rows, ctx)
            return
        self._write_classified(rows, ctx, self.houses.ensure({r.record.house_key for r in rows if r.record.house_key}))

    def _write_classified(self, rows: list[Row], ctx: ImportContext, house_ids: dict[tuple, int]) -> None:
        now = timezone.now()
        now_db = str(db_datetime(now))  # as text once: it goes into every row
        new = [r.record for r in rows if r.status == "new"]
        changed = [r.record for r in rows if r.status != "new"]
        tokens = iter(pii.encrypt_many([value for rec in new for value in (rec.id_number, rec.phone)]))
        tuples = []
        for rec in new:
            born, gender = rec.born_gender
            tuples.append((
                rec.grid, house_ids.get(rec.house_key) if rec.house_key else None, None, "", rec.name,
                next(tokens), rec.id_hash, gender, born.isoformat(), next(tokens), rec.phone_hash,
                rec.ethnicity, rec.political_status, rec.residency_type, "", now_db, now_db,
            ))
        insert_rows(Resident, self.NEW_FIELDS, tuples)
        # Reading back only the tagged residents' ids (one in ten) is cheaper than drawing every id
        # from the sequence beforehand.
        tagged = {rec.id_hash: rec for rec in new if rec.missing_tags}
        if tagged:
            for pk, h in select_in(Resident, ["id", "id_number_hash"], ["id_number_hash"], [(h,) for h in tagged]):
                tagged[h].pk = pk
        phones = pii.encrypt_many([rec.phone for rec in changed])
        objs = []
        for rec, phone_token in zip(changed, phones):
            obj = Resident(pk=rec.pk, grid_id=rec.grid, name=rec.name, phone_encrypted=phone_token,
                           phone_hash=rec.phone_hash, ethnicity=rec.ethnicity, political_status=rec.political_status,
                           residency_type=rec.residency_type, updated_at=now)
            obj.house_id = house_ids.get(rec.house_key) if rec.house_key else None
            objs.append(obj)
        Resident.objects.bulk_update([o for o in objs if o.house_id], self.UPDATE_FIELDS + ["house_id"])
        Resident.objects.bulk_update([o for o in objs if not o.house_id], self.UPDATE_FIELDS)
        actor_id = ctx.actor.pk if ctx.actor else None
        insert_rows(ResidentTag, ["resident_id", "tag", "note", "set_by_id", "set_at", "removed_by_id", "removed_at",
                                  "removed_reason"],
                    [(r.record.pk, t, "名册导入", actor_id, now_db, None, None, "")
                     for r in rows for t in r.record.missing_tags])

    def _insert_then_compare(self, rows: list[Row], ctx: ImportContext) -> None:
        """Rows not compared yet (PostgreSQL): every resident whose ID number is new goes in with one
        statement — the unique index answers "is it new?" as it inserts, so a city's first import
        never looks anything up — and only the rest is compared and written as usual."""
        house_ids = self.houses.ensure({r.record.house_key for r in rows if r.record.house_key})
        now_db = str(db_datetime(timezone.now()))
        tokens = iter(pii.encrypt_many([value for r in rows for value in (r.record.id_number, r.record.phone)]))
        tuples = []
        for row in rows:
            rec = row.record
            born, gender = rec.born_gender
            tuples.append((
                rec.grid, house_ids.get(rec.house_key) if rec.house_key else None, None, "", rec.name,
                next(tokens), rec.id_hash, gender, born.isoformat(), next(tokens), rec.phone_hash,
                rec.ethnicity, rec.political_status, rec.residency_type, "", now_db, now_db,
            ))
        inserted = insert_new_rows(Resident, self.NEW_FIELDS, tuples, ["id_number_hash"])
        known = []
        for row in rows:
            pk = inserted.get((row.record.id_hash,))
            if pk is None:
                known.append(row)
            else:
                row.status, row.record.pk, row.record.missing_tags = "new", pk, tuple(sorted(row.record.tags))
        actor_id = ctx.actor.pk if ctx.actor else None
        insert_rows(ResidentTag, ["resident_id", "tag", "note", "set_by_id", "set_at", "removed_by_id", "removed_at",
                                  "removed_reason"],
                    [(r.record.pk, t, "名册导入", actor_id, now_db, None, None, "")
                     for r in rows if r.status == "new" for t in r.record.missing_tags])
        if known:
            self.classify(known, ctx)
            changed = [r for r in known if not r.errors and r.status == "updated"]
            if changed:
                self._write_classified(changed, ctx, house_ids)  # their houses are ensured above

    def export_rows(self, user):
        reveal = region_codes(user, Cap.REVEAL_PII) if not user.is_superuser else ("",)
        qs = scoped(Resident.objects.all(), user, Cap.VIEW_REGISTER).order_by("grid_id", "pk")
        tag_label = dict(TagKind.choices)
        political = dict(PoliticalStatus.choices)
        residency = dict(ResidencyType.choices)
        rows = qs.values_list(
            "pk", "name", "id_number_encrypted", "phone_encrypted", "ethnicity", "political_status", "residency_type",
            "grid_id", "house__building__name", "house__unit_no", "house__room",
        )
        batch = []

        def emit(batch):
            tags: dict[int, list[str]] = {}
            for rid, tag in ResidentTag.objects.filter(
                resident_id__in=[b[0] for b in batch], removed_at__isnull=True
            ).values_list("resident_id", "tag"):
                tags.setdefault(rid, []).append(str(tag_label[tag]))
            for pk, name, idn, ph, eth, pol, res, grid, b, u, r in batch:
                number, phone = pii.decrypt(idn), pii.decrypt(ph)
                if not (reveal and grid.startswith(reveal)):
                    number, phone = pii.mask_id_number(number), pii.mask_phone(phone)
                yield (name, number, phone, eth, str(political.get(pol, pol)), str(residency.get(res, res)), grid,
                       b or "", u or "", r or "", "、".join(tags.get(pk, [])))

        for row in rows.iterator(chunk_size=2000):
            batch.append(row)
            if len(batch) >= 2000:
                yield from emit(batch)
                batch = []
        if batch:
            yield from emit(batch)


# ---- houses -------------------------------------------------------------------------------


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
    kind = "houses"
    label = _("实有房屋")
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
            row.record = HouseRecord((grid, building[:64], unit_no[:16], room[:16]), use, area, row.text("owner_name")[:64])

    def key(self, row: Row):
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

    def export_rows(self, user):
        use = dict(HouseUse.choices)
        qs = scoped(House.objects.all(), user, Cap.VIEW_REGISTER).order_by("grid_id", "building__name", "unit_no", "room")
        for grid, b, u, r, hu, area, owner in qs.values_list(
            "grid_id", "building__name", "unit_no", "room", "use", "area", "owner_name"
        ).iterator(chunk_size=2000):
            yield (grid, b, u, r, str(use.get(hu, hu)), str(area) if area is not None else "", owner)


# ---- units --------------------------------------------------------------------------------


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
    kind = "units"
    label = _("实有单位")
    sheet_title = "实有单位"
    columns = (
        Column("name", "单位名称", ("名称", "企业名称", "单位"), True),
        Column("credit_code", "统一社会信用代码", ("信用代码", "社会信用代码", "统一代码"), True),
        Column("kind", "单位类别", ("类别", "单位类型")),
        Column("grid", "网格编码", GRID_ALIASES, True),
        Column("address", "地址", ("单位地址", "经营地址")),
        Column("legal_person", "法定代表人", ("负责人", "法人")),
        Column("contact_name", "联系人"),
        Column("phone", "联系电话", ("手机号", "电话", "联系方式")),
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

    def key(self, row: Row):
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

    def _obj(self, rec: UnitRecord, **extra) -> Unit:
        return Unit(name=rec.name, kind=rec.kind, grid_id=rec.grid, address=rec.address,
                    legal_person=rec.legal_person, contact_name=rec.contact_name,
                    contact_phone_encrypted=pii.encrypt(rec.phone), contact_phone_hash=rec.phone_hash,
                    employees=rec.employees, **extra)

    def write(self, rows: list[Row], ctx: ImportContext) -> None:
        Unit.objects.bulk_create([self._obj(r.record, credit_code=r.record.credit_code)
                                  for r in rows if r.status == "new"])
        Unit.objects.bulk_update(
            [self._obj(r.record, pk=r.record.pk, updated_at=timezone.now()) for r in rows if r.status == "updated"],
            [*self.FIELDS, "contact_phone_encrypted", "updated_at"],
        )

    def export_rows(self, user):
        reveal = region_codes(user, Cap.REVEAL_PII) if not user.is_superuser else ("",)
        kinds = dict(UnitKind.choices)
        qs = scoped(Unit.objects.all(), user, Cap.VIEW_REGISTER).order_by("grid_id", "name")
        for name, code, kind, grid, address, legal, contact, phone, employees in qs.values_list(
            "name", "credit_code", "kind", "grid_id", "address", "legal_person", "contact_name",
            "contact_phone_encrypted", "employees",
        ).iterator(chunk_size=2000):
            phone = pii.decrypt(phone)
            if not (reveal and grid.startswith(reveal)):
                phone = pii.mask_phone(phone)
            yield (name, code or "", str(kinds.get(kind, kind)), grid, address, legal, contact, phone,
                   "" if employees is None else employees)

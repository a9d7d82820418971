"""Residents roster (实有人口).

Residents also bring their house: 楼栋 + 单元 + 房号 in the resident's grid are found or
created (Building, House), and the resident is linked to it (人房关联).
Upserts on the ID number's blind index. ID numbers and phones are encrypted only for
rows that are written; look-ups use the keyed hashes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from operator import mul

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from governance.models import User
from governance.roles import Cap
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
from parties.models import TAG_ALIASES, House, PoliticalStatus, ResidencyType, Resident, ResidentTag, TagKind
from parties.selectors import visible_tags_q
from rosters.badrows import ID_NUMBER, PHONE
from rosters.bulk import db_datetime, insert_new_rows, insert_rows, select_in
from rosters.engine import Column, ImportContext, Roster, Row
from rosters.kinds.checks import GRID_ALIASES, GridCheck, check_choice, check_phone, choice_words
from rosters.kinds.houses import HousePlacer
from rosters.models import RosterKind
from rosters.normalize import clean_name, looks_like_excel_number

TAG_SPLIT = re.compile(r"[，,、;；\s/]+")
POLITICAL = choice_words(PoliticalStatus, {
    "党员": PoliticalStatus.CPC_MEMBER, "中共党员": PoliticalStatus.CPC_MEMBER, "共产党员": PoliticalStatus.CPC_MEMBER,
    "预备党员": PoliticalStatus.CPC_PROBATIONARY, "团员": PoliticalStatus.CYL_MEMBER,
    "无党派": PoliticalStatus.NON_PARTY, "民主党派成员": PoliticalStatus.DEMOCRATIC_PARTY,
})
RESIDENCY = choice_words(ResidencyType, {
    "户籍": ResidencyType.REGISTERED, "常住人口": ResidencyType.REGISTERED, "流动": ResidencyType.FLOATING,
    "境外": ResidencyType.OVERSEAS, "境外人口": ResidencyType.OVERSEAS,
})
TAGS = choice_words(TagKind, {str(k): v for k, v in TAG_ALIASES.items()})  # labels, keys and the registers' aliases


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
    kind = RosterKind.RESIDENTS
    sheet_title = "实有人口"
    columns = (
        Column("name", "姓名", ("人员姓名", "名字"), True),
        Column("id_number", "公民身份号码", ("身份证号", "身份证号码", "身份证", "证件号码", "公民身份证号码"), True,
               pii=ID_NUMBER),
        Column("phone", "联系电话", ("手机号", "手机号码", "手机", "电话", "联系方式"), pii=PHONE),
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

    def _check_id_number(self, row: Row, raw_id: object) -> tuple[str, tuple | None]:
        """(normalised number, (birth date, gender)), or a failed row and (…, None)."""
        if raw_id is None or raw_id == "":
            row.fail("missing_id_number", gettext("缺少公民身份号码"))
            return "", None
        if looks_like_excel_number(raw_id):
            row.fail("id_precision", gettext(
                "公民身份号码被 Excel 存成了数字，后几位已丢失：请把该列设置为“文本”格式后重新填写号码"))
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

    def key(self, row: Row) -> list[str]:
        return [row.record.id_number]

    def key_hashes(self, row: Row) -> list[int]:
        return [int(row.record.id_hash[:16], 16)]  # the keyed hash of the ID number, already computed

    def classify(self, rows: list[Row], ctx: ImportContext) -> None:
        by_hash = {r.record.id_hash: r for r in rows}
        names = ["pk", "id_number_hash", "name", "grid_id", "phone_hash", "ethnicity", "political_status",
                 "residency_type", "house_id"]
        existing = {
            v[1]: dict(zip(names, v, strict=True))
            for v in select_in(Resident, ["id", *names[1:]], ["id_number_hash"], [(h,) for h in by_hash])
        }
        tags: dict[int, set[str]] = {}
        houses = {}
        if existing:
            ids = [v["pk"] for v in existing.values()]
            for resident_id, tag in ResidentTag.objects.filter(
                resident_id__in=ids, removed_at__isnull=True
            ).values_list("resident_id", "tag"):
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

    @staticmethod
    def _aads(records: list[ResidentRecord]) -> list[bytes]:
        """The associated data of each record's ID-number and phone tokens, in the order they are
        encrypted: both bound to the row by the ID number's blind index (as parties.actions binds them)."""
        return [pii.aad(Resident, field, rec.id_hash) for rec in records
                for field in ("id_number_encrypted", "phone_encrypted")]

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
        tokens = iter(pii.encrypt_many([value for rec in new for value in (rec.id_number, rec.phone)],
                                       aads=self._aads(new)))
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
        phones = pii.encrypt_many([rec.phone for rec in changed],
                                  aads=[pii.aad(Resident, "phone_encrypted", rec.id_hash) for rec in changed])
        objs = []
        for rec, phone_token in zip(changed, phones, strict=True):
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
        records = [r.record for r in rows]
        tokens = iter(pii.encrypt_many([value for rec in records for value in (rec.id_number, rec.phone)],
                                       aads=self._aads(records)))
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

    def export_queryset(self, user: User) -> QuerySet:
        return scoped(Resident.objects.all(), user, self.export_cap)

    def export_rows(self, user: User) -> Iterator[tuple]:
        reveal = region_codes(user, Cap.REVEAL_PII)
        qs = self.export_queryset(user).order_by("grid_id", "pk")
        tag_label = dict(TagKind.choices)
        political = dict(PoliticalStatus.choices)
        residency = dict(ResidencyType.choices)
        rows = qs.values_list(
            "pk", "name", "id_number_encrypted", "phone_encrypted", "ethnicity", "political_status", "residency_type",
            "grid_id", "house__building__name", "house__unit_no", "house__room", "id_number_hash",
        )
        batch = []

        def emit(batch: list[tuple]) -> Iterator[tuple]:
            tags: dict[int, list[str]] = {}
            for rid, tag in ResidentTag.objects.filter(  # the sensitive tags only where the user may see them
                visible_tags_q(user), resident_id__in=[b[0] for b in batch], removed_at__isnull=True
            ).values_list("resident_id", "tag"):
                tags.setdefault(rid, []).append(str(tag_label[tag]))
            for pk, name, idn, ph, eth, pol, res, grid, b, u, r, id_hash in batch:
                # Tokens are bound to their row (the ID number's blind index): one that does not
                # decrypt is exported as UNREADABLE (and logged), not a 500; UNREADABLE is never masked.
                number = pii.readable(idn, aad=pii.aad(Resident, "id_number_encrypted", id_hash),
                                      what=f"resident {pk} id_number_encrypted")
                phone = pii.readable(ph, aad=pii.aad(Resident, "phone_encrypted", id_hash),
                                     what=f"resident {pk} phone_encrypted") if ph else ""
                if not (reveal and grid.startswith(reveal)):
                    if number != str(pii.UNREADABLE):
                        number = pii.mask_id_number(number)
                    if phone != str(pii.UNREADABLE):
                        phone = pii.mask_phone(phone)
                yield (name, number, phone, eth, str(political.get(pol, pol)), str(residency.get(res, res)), grid,
                       b or "", u or "", r or "", "、".join(tags.get(pk, [])))

        for row in rows.iterator(chunk_size=2000):
            batch.append(row)
            if len(batch) >= 2000:
                yield from emit(batch)
                batch = []
        if batch:
            yield from emit(batch)

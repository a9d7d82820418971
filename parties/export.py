"""Masked exports of the registers. Exports never carry plain ID numbers or phones, nor birth
dates (the birth year only: with the masked number it would give the number away): a reveal is one
record at a time, on its page, audited."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from governance.spreadsheets import csv_row
from parties.models import Resident

RESIDENT_HEADERS = ["姓名", "公民身份号码", "性别", "出生年份", "联系电话", "民族", "政治面貌", "人口类型",
                    "网格编码", "网格", "楼栋", "单元", "房号", "人员标签"]


def resident_rows(residents: Iterable[Resident]) -> Iterator[list[str]]:
    """One masked row per resident (expects house__building and grid selected, active_tags prefetched)."""
    for r in residents:
        house = r.house
        yield [
            r.name, r.id_number_masked, r.get_gender_display(), r.birth_year, r.phone_masked, r.ethnicity,
            r.get_political_status_display(), r.get_residency_type_display(), r.grid_id, r.grid.name,
            house.building.name if house else "", house.unit_no if house else "", house.room if house else "",
            "、".join(t.get_tag_display() for t in getattr(r, "active_tags", [])),
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list[str]]) -> Iterator[str]:
    """CSV text, line by line, with a BOM so that Excel opens the UTF-8 correctly; user text that a
    spreadsheet would evaluate as a formula is written as text (governance.spreadsheets)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow(csv_row(row))

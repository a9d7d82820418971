"""User text in the spreadsheets the app writes, stored so that no spreadsheet runs it.

A cell whose text starts with = (or + - @, a tab or a CR, which Excel and LibreOffice also
read as the start of a formula when a CSV is opened) would run as a formula: a case titled
`=HYPERLINK("http://…","点此查看")` becomes a live link, and in an error file a formula can
pull the full ID number from the cell next to it. Every .xlsx and .csv the app writes passes
its values through here.

- .xlsx: such text is written as a string cell (data type "s"), unchanged: nothing evaluates a
  stored string, and re-importing the file gives back exactly what was exported.
- .csv: there is no cell type, so such text gets a leading apostrophe (OWASP's advice), which
  the spreadsheet shows as text.
- .xlsx written with xlsxwriter: `XLSXWRITER_OPTIONS` (strings are never read as formulas)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def xlsx_row(ws: Worksheet, values: Iterable[Any]) -> list[Any]:
    """The values of one row for `ws.append`, text that a spreadsheet would evaluate typed as text
    (for write-only and ordinary worksheets alike)."""
    row = []
    for value in values:
        if is_formula_like(value):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"  # openpyxl would store a leading "=" as a formula
            row.append(cell)
        else:
            row.append(value)
    return row


def csv_row(values: Iterable[Any]) -> list[Any]:
    """The values of one CSV row, text that a spreadsheet would evaluate prefixed with an apostrophe."""
    return ["'" + value if is_formula_like(value) else value for value in values]


# xlsxwriter (the case exports, constant-memory mode): every str is written as a string cell, never
# turned into a formula, a link or a number; naive datetimes (Asia/Shanghai) as dates.
XLSXWRITER_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_date_format": "yyyy-mm-dd hh:mm",
}

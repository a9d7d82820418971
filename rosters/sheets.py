"""Rows of the spreadsheets the rosters app writes: the exports, the error files, the issued passwords.

Every cell goes through governance.spreadsheets (text a spreadsheet would evaluate, = + - @ tab
CR, is stored as text in .xlsx and apostrophe-prefixed in .csv). An .xlsx cannot hold the control
characters openpyxl refuses (a NUL or \\x01 pasted into a CSV): they are dropped from .xlsx cells
rather than failing the whole file; .csv keeps them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet

from governance.spreadsheets import csv_row, xlsx_row

__all__ = ["csv_row", "xlsx_cells"]


def xlsx_cells(ws: Worksheet, values: Iterable[Any]) -> list[Any]:
    """One row for `ws.append`: user text as text, never a formula, without illegal characters."""
    # isprintable() first: it is fast, and text without control characters is nearly all there is.
    return xlsx_row(ws, [ILLEGAL_CHARACTERS_RE.sub("", v) if v.__class__ is str and not v.isprintable() else v
                         for v in values])

"""Reading back what the app wrote, to show that no cell holds a formula."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from governance.spreadsheets import FORMULA_TRIGGERS


def xlsx_formulas(content: bytes) -> list[str]:
    """Every cell of every sheet that openpyxl reads as a formula."""
    book = load_workbook(io.BytesIO(content))
    return [f"{ws.title}!{cell.coordinate}" for ws in book.worksheets for row in ws.iter_rows() for cell in row
            if cell.data_type == "f"]


def csv_formulas(text: str) -> list[str]:
    """Every CSV field a spreadsheet would evaluate."""
    return [value for row in csv.reader(io.StringIO(text)) for value in row if value.startswith(FORMULA_TRIGGERS)]

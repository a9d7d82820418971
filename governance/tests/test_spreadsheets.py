"""governance.spreadsheets: user text never becomes a formula in what the app writes."""

from __future__ import annotations

import csv
import io

from django.test import SimpleTestCase
from openpyxl import Workbook, load_workbook

from governance.spreadsheets import csv_row, xlsx_row
from governance.tests.spreadsheets import csv_formulas, xlsx_formulas

HOSTILE = ['=HYPERLINK("http://evil.example","点此查看")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "张三", 42, None]


class SpreadsheetTestCase(SimpleTestCase):
    def write_xlsx(self, write_only: bool) -> bytes:
        book = Workbook(write_only=write_only)
        ws = book.create_sheet("s") if write_only else book.active
        ws.append(xlsx_row(ws, HOSTILE))
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    def test_an_xlsx_row_holds_no_formula_and_keeps_the_text_unchanged(self):
        for write_only in (True, False):
            content = self.write_xlsx(write_only)
            self.assertEqual(xlsx_formulas(content), [])
            ws = load_workbook(io.BytesIO(content)).worksheets[0]
            self.assertEqual([c.value for c in next(ws.iter_rows())][:6], HOSTILE[:6])

    def test_the_check_itself_sees_a_formula_written_bare(self):
        book = Workbook()
        book.active.append(["=1+1"])
        out = io.BytesIO()
        book.save(out)
        self.assertEqual(xlsx_formulas(out.getvalue()), ["Sheet!A1"])

    def test_a_csv_row_holds_nothing_a_spreadsheet_evaluates(self):
        out = io.StringIO()
        csv.writer(out).writerow(csv_row(HOSTILE))
        self.assertEqual(csv_formulas(out.getvalue()), [])
        self.assertIn("'=HYPERLINK", out.getvalue())

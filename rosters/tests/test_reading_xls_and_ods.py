"""Rosters in the formats offices have: .xls (Excel 97-2003, WPS's default for many templates) and
.ods, read with python-calamine; the same rows as the .xlsx gives, the same checks, and broken or
oversized files refused in Chinese. The fixtures are made here: .xls with xlwt (test-only), .ods as
the zip of XML it is."""

import datetime as dt
import io
import zipfile
from unittest import mock
from xml.sax.saxutils import escape

import xlwt

from governance.models import Region
from rosters import readers
from rosters.readers import FileProblem, open_sheet
from rosters.tests.helpers import RosterTestCase

HEADER = ["编码", "名称", "层级", "上级编码", "网格类型"]
ROWS = [HEADER, ["210802001001009", "五大门社区第9网格", "网格", "210802001001", "学校"],
        ["210802001001010", "五大门社区第10网格", "网格", "210802001001", ""]]


def xls_bytes(rows, start_row: int = 0, start_col: int = 0) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("区划")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value not in (None, ""):
                sheet.write(start_row + r, start_col + c, value)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def ods_bytes(rows) -> bytes:
    def cell(value):
        if isinstance(value, (int, float)):
            return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
        if value in (None, ""):
            return "<table:table-cell/>"
        return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="区划">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")  # stored, first
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


class XlsAndOdsTests(RosterTestCase):
    def read(self, name, content):
        sheet = open_sheet(self.write_file(name, content), name)
        try:
            return sheet.format, list(sheet.rows())
        finally:
            sheet.close()

    def test_an_xls_roster_imports_like_the_xlsx(self):
        result = self.run_roster("territory", self.write_file("t.xls", xls_bytes(ROWS)))
        self.assertEqual(result.counts, {"new": 2, "updated": 0, "unchanged": 0, "bad": 0})
        self.assertEqual(Region.objects.get(code="210802001001009").grid_type, "school")

    def test_an_ods_roster_imports_like_the_xlsx(self):
        result = self.run_roster("territory", self.write_file("t.ods", ods_bytes(ROWS)))
        self.assertEqual(result.counts, {"new": 2, "updated": 0, "unchanged": 0, "bad": 0})
        self.assertTrue(Region.objects.filter(code="210802001001010").exists())

    def test_row_numbers_are_the_spreadsheet_s_even_below_a_title_and_right_of_an_empty_column(self):
        fmt, rows = self.read("t.xls", xls_bytes(ROWS, start_row=2, start_col=1))
        self.assertEqual(fmt, "xls")
        used = [(number, values) for number, values in rows if any(values)]
        self.assertEqual([number for number, _ in used], [3, 4, 5])
        self.assertEqual(used[0][1][:2], ("", "编码"))
        result = self.run_roster("territory", self.write_file("t.xls", xls_bytes(ROWS, start_row=2, start_col=1)))
        self.assertEqual(result.counts["new"], 2)

    def test_numbers_typed_as_numbers_lose_excel_s_dot_zero(self):
        rows = [HEADER, [210802001001011, "数字编码网格", "网格", 210802001001, ""]]
        for name, content in (("n.xls", xls_bytes(rows)), ("n.ods", ods_bytes(rows))):
            with self.subTest(name=name):
                result = self.run_roster("territory", self.write_file(name, content), dry_run=True)
                self.assertEqual(result.counts["bad"], 0, result.bad_rows)

    def test_a_bad_row_in_an_xls_is_reported_with_its_row_number(self):
        rows = [HEADER, ["2108020010010", "坏编码", "网格", "", ""]]
        result = self.run_roster("territory", self.write_file("b.xls", xls_bytes(rows)), dry_run=True)
        self.assertEqual([b["row"] for b in result.bad_rows], [2])

    def test_a_file_is_recognised_by_its_content_not_its_name(self):
        self.assertEqual(self.read("roster.bin", xls_bytes(ROWS))[0], "xls")
        self.assertEqual(self.read("roster.zip", ods_bytes(ROWS))[0], "ods")

    def test_a_damaged_xls_or_ods_is_refused_in_chinese(self):
        for name, content in (("x.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100),
                              ("x.xls", xls_bytes(ROWS)[:700]),
                              ("x.ods", ods_bytes(ROWS)[:200]),
                              ("x.ods", b"PK\x03\x04" + b"\0" * 100)):
            with self.subTest(name=name, size=len(content)), self.assertRaises(FileProblem) as caught:
                self.read(name, content)
            self.assertRegex(str(caught.exception), r"[\u4e00-\u9fff]")

    def test_an_ods_too_large_to_read_whole_asks_for_xlsx(self):
        with mock.patch.object(readers, "MAX_ODS_CONTENT_BYTES", 100), self.assertRaises(FileProblem) as caught:
            self.read("t.ods", ods_bytes(ROWS))
        self.assertIn(".xlsx", str(caught.exception))

    def test_dates_come_through_as_dates(self):
        book = xlwt.Workbook()
        sheet = book.add_sheet("s")
        sheet.write(0, 0, dt.date(1985, 3, 1), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
        buf = io.BytesIO()
        book.save(buf)
        _fmt, rows = self.read("d.xls", buf.getvalue())
        self.assertIn(rows[0][1][0], (dt.date(1985, 3, 1), dt.datetime(1985, 3, 1)))

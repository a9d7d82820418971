"""Reading roster files: formats, encodings, headers, blank rows, broken files."""

from unittest import mock

from governance.models import Region
from rosters import xlsxstream
from rosters.readers import FileProblem, detect_encoding, open_sheet
from rosters.tests.helpers import RosterTestCase, csv_bytes, shared_file, xlsx_bytes, xlsx_with_sheet

ROWS = [
    ["编码", "名称", "层级", "上级编码", "网格类型"],
    ["210802003", "新街道", "街道", "210802", ""],
    ["210802003001", "新社区", "社区", "210802003", ""],
    ["210802003001001", "新社区第1网格", "网格", "210802003001", "综合网格"],
]


class ReadingFilesTests(RosterTestCase):
    def test_gbk_and_utf8_csv_and_xlsx_give_the_same_result(self):
        results = []
        for name, content in [
            ("a.csv", csv_bytes(ROWS, "gbk")),
            ("b.csv", csv_bytes(ROWS, "utf-8")),
            ("c.csv", b"\xef\xbb\xbf" + csv_bytes(ROWS, "utf-8")),
            ("d.xlsx", xlsx_bytes(ROWS)),
        ]:
            result = self.run_roster("territory", self.write_file(name, content), dry_run=True)
            results.append((result.counts, result.bad_rows))
        self.assertEqual(results[0], ({"new": 3, "updated": 0, "unchanged": 0, "bad": 0}, []))
        self.assertEqual(results.count(results[0]), 4)

    def test_the_encoding_is_detected(self):
        self.assertEqual(detect_encoding("姓名".encode("gbk")), "gb18030")
        self.assertEqual(detect_encoding("姓名".encode("utf-8")), "utf-8")
        self.assertEqual(detect_encoding("姓名".encode("utf-8")[:-1]), "utf-8")  # cut mid-character

    def test_a_file_that_is_not_a_spreadsheet_is_refused_with_a_clear_message(self):
        for name, content in [
            ("x.xlsx", b"this is not a zip file at all" * 10),
            ("x.csv", bytes(range(256)) * 10),
            ("x.csv", "随便写的一段话，没有表头。\n第二行\n".encode()),
            ("x.csv", b""),
            ("x.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100),
        ]:
            with self.subTest(name=name, head=content[:8]):
                with self.assertRaises(FileProblem) as caught:
                    self.run_roster("territory", self.write_file(name, content))
                self.assertRegex(str(caught.exception), r"[\u4e00-\u9fff]")

    def test_an_xlsx_cut_off_midway_is_refused_and_writes_nothing(self):
        content = shared_file("territory.xlsx").read_bytes()
        before = Region.objects.count()
        for cut in (len(content) // 2, len(content) - 30):
            with self.assertRaises(FileProblem) as caught:
                self.run_roster("territory", self.write_file("cut.xlsx", content[:cut]))
            self.assertIn("截断", str(caught.exception))
        self.assertEqual(Region.objects.count(), before)

    def test_a_csv_cut_off_midway_is_refused_and_writes_nothing(self):
        content = csv_bytes(ROWS, "gbk")
        before = Region.objects.count()
        for cut in (len(content) - 9, len(content) - 22):  # mid-character; mid-row (fewer fields)
            with self.assertRaises(FileProblem):
                self.run_roster("territory", self.write_file("cut.csv", content[:cut]))
        self.assertEqual(Region.objects.count(), before)

    def test_a_title_row_is_skipped_blank_rows_are_ignored_and_row_numbers_stay_the_sheets(self):
        rows = [["站前区区划名单"], [], ROWS[0], ROWS[1], [None] * 5, ["", " ", "", "", ""], ["21080200300", "坏编码"]]
        for name, content in [("t.xlsx", xlsx_bytes(rows)), ("t.csv", csv_bytes(rows))]:
            result = self.run_roster("territory", self.write_file(name, content), dry_run=True)
            self.assertEqual(result.counts["new"], 1)
            self.assertEqual([b["row"] for b in result.bad_rows], [7])

    def test_a_missing_required_column_is_named(self):
        path = self.write_file("t.csv", csv_bytes([["编码", "层级"], ["210802003", "街道"]]))
        with self.assertRaises(FileProblem) as caught:
            self.run_roster("territory", path)
        self.assertIn("名称", str(caught.exception))


PREFIXED_SHEET = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<x:dimension ref="A1:C5"/><x:sheetData>\n'
    '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="inlineStr"><x:is><x:t>名称</x:t></x:is></x:c></x:row>\n'
    '<x:row r="2" spans="1:3"><x:c r="A2" t="s"><x:v>1</x:v></x:c><x:c r="C2"><x:v>12.0</x:v></x:c></x:row>\n'
    '<x:row r="4"/>\n'
    '<x:row><x:c t="inlineStr"><x:is><x:r><x:rPr><x:color rgb="FFFF0000"/></x:rPr><x:t>红</x:t></x:r>'
    '<x:r><x:t xml:space="preserve"> 字 &amp; row</x:t></x:r></x:is></x:c><x:c t="b"><x:v>1</x:v></x:c></x:row>\n'
    '</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="A1:B1"/></x:mergeCells></x:worksheet>'
)
SHARED_STRINGS = (
    '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<si><t>编码</t></si><si><r><t>2108</t></r><r><t>02003</t></r><rPh><t>よみ</t></rPh></si></sst>'
)


class XlsxChunkTests(RosterTestCase):
    def test_an_xlsx_reads_the_same_however_its_text_is_cut_into_chunks(self):
        files = [
            self.write_file("plain.xlsx", xlsx_bytes(ROWS)),
            self.write_file("prefixed.xlsx", xlsx_with_sheet(PREFIXED_SHEET, {"xl/sharedStrings.xml": SHARED_STRINGS})),
        ]
        expected = [list(open_sheet(path).rows()) for path in files]
        self.assertEqual(expected[1], [
            (1, ("编码", "名称")), (2, ("210802003", None, 12)), (3, ()), (4, ()), (5, ("红 字 & row", True)),
        ])
        for chunk in (1, 2, 3, 5, 7, 13, 64):
            with self.subTest(chunk=chunk), mock.patch.object(xlsxstream, "CHUNK", chunk):
                self.assertEqual([list(open_sheet(path).rows()) for path in files], expected)

"""Issue 11 (6): an upload cannot hold a worker. The work per sheet row, the unpacked size of an .xlsx
and the length of a CSV line are bounded; a file past a bound is refused whole with a Chinese
message (rosters.readers.FileProblem), the job fails and nothing is written.

No test here is timed: the work is bounded by peak memory (tracemalloc) and by counting what the
.xlsx reader scans (XlsxStream.scanned, in characters)."""

from __future__ import annotations

import base64
import io
import os
import tracemalloc
import zipfile
from pathlib import Path
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from governance.models import User
from rosters import xlsxstream
from rosters.models import ImportJob
from rosters.readers import MAX_LINE_CHARS, FileProblem, open_sheet
from rosters.tasks import execute_job
from rosters.tests.helpers import NS, RosterTestCase, csv_bytes, xlsx_bytes, xlsx_with_sheet

MB = 1 << 20
PEAK_LIMIT = 64 * MB
HEADER_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>手机号</t></is></c>'
              '<c r="C1" t="inlineStr"><is><t>网格编码</t></is></c></row>')


def unclosed_row_sheet(size: int) -> bytes:
    """One <row> that never closes: a cell of `size` bytes of random text (it does not compress, so
    no zip-bomb check stops it first) and no </row>, no </sheetData>."""
    text = base64.b64encode(os.urandom(size * 3 // 4)).decode()
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>{HEADER_ROW}'
            f'<row r="2"><c r="A2" t="inlineStr"><is><t>{text}').encode()


class Peak:
    """The peak of Python's memory allocations inside the block (tracemalloc)."""

    def __enter__(self) -> Peak:
        tracemalloc.start()
        return self

    def __exit__(self, *exc) -> None:
        self.bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


class HostileXlsxTests(RosterTestCase):
    def refused(self, content: bytes) -> tuple[str, Path]:
        path = self.write_file("hostile.xlsx", content)
        with self.assertRaises(FileProblem) as caught:
            sheet = open_sheet(path)
            try:
                for _row in sheet.rows():
                    pass
            finally:
                self.scanned = getattr(getattr(sheet, "stream", None), "scanned", None)
                sheet.close()
        return str(caught.exception), path

    def test_a_row_that_never_closes_is_refused_with_a_chinese_message(self):
        message, _ = self.refused(xlsx_with_sheet(unclosed_row_sheet(2 * MB)))
        self.assertIn("工作表中有一行超过", message)

    def test_the_work_on_a_row_that_never_closes_stops_at_the_row_limit_whatever_the_files_size(self):
        scanned = []
        for size in (int(1.5 * MB), 3 * MB):
            content = xlsx_with_sheet(unclosed_row_sheet(size))
            with Peak() as peak:
                self.refused(content)
            self.assertLess(peak.bytes, PEAK_LIMIT)
            scanned.append(self.scanned)
        # Each character is looked at a fixed number of times as it arrives (the rows before the open
        # one are cut out and parsed once), up to the row limit; never again, whatever follows.
        bound = xlsxstream.MAX_ROW_CHARS + 4 * xlsxstream.CHUNK
        self.assertLessEqual(max(scanned), bound)
        self.assertEqual(scanned[0], scanned[1])

    def test_the_job_of_such_an_upload_fails_with_the_message_and_writes_nothing(self):
        self.client.force_login(self.frank)
        upload = SimpleUploadedFile("w.xlsx", xlsx_with_sheet(unclosed_row_sheet(int(1.5 * MB))))
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("rosters:index"), {"kind": "grid_workers", "file": upload})
        job = ImportJob.objects.get()
        self.assertEqual(job.status, ImportJob.Status.FAILED)
        self.assertIn("工作表中有一行超过", job.message)
        self.assertContains(self.client.get(reverse("rosters:job", args=[job.pk])), "工作表中有一行超过")
        self.assertEqual(User.objects.filter(username__startswith="138").count(), 0)

    def test_a_sheet_that_unpacks_a_thousand_times_its_size_is_refused_before_it_is_read(self):
        bomb = (f'<worksheet {NS}><sheetData>{HEADER_ROW}<row r="2"><c r="A2" t="inlineStr"><is><t>'
                + "a" * (40 * MB) + "</t></is></c></row></sheetData></worksheet>")
        content = xlsx_with_sheet(bomb)
        del bomb
        self.assertLess(len(content), MB)  # what the upload weighs
        with Peak() as peak, mock.patch.object(zipfile.ZipFile, "testzip") as testzip:
            message, _ = self.refused(content)
        self.assertIn("压缩比", message)
        testzip.assert_not_called()  # refused from the zip's directory: nothing was unpacked
        self.assertLess(peak.bytes, PEAK_LIMIT)

    def test_a_workbook_that_unpacks_past_the_size_limit_is_refused_before_it_is_read(self):
        sheet = (f'<worksheet {NS}><sheetData>{HEADER_ROW}</sheetData></worksheet>').encode()
        noise = os.urandom(3 * MB)  # does not compress: no ratio to object to, only the size
        with mock.patch.object(xlsxstream, "MAX_UNPACKED_BYTES", 2 * MB):
            message, _ = self.refused(xlsx_with_sheet(sheet, {"xl/media/image1.png": noise}))
        self.assertIn("解压后超过", message)

    def test_a_zip_of_thousands_of_parts_is_refused_before_its_directory_is_read(self):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as zf:
            for n in range(xlsxstream.MAX_MEMBERS + 1):
                zf.writestr(f"x/{n}", b"")
        with mock.patch.object(zipfile.ZipFile, "_RealGetContents") as directory:
            message, _ = self.refused(out.getvalue())
        directory.assert_not_called()
        self.assertIn("部件", message)

    def test_a_row_number_past_excels_last_row_is_refused_not_filled_with_a_million_blank_rows(self):
        sheet = f'<worksheet {NS}><sheetData>{HEADER_ROW}<row r="99999999"/></sheetData></worksheet>'
        message, _ = self.refused(xlsx_with_sheet(sheet))
        self.assertIn("行号", message)

    def test_rows_out_of_order_are_refused(self):
        rows = "".join(f'<row r="{n}"/>' for n in (1000000, 2, 1000000, 3))
        message, _ = self.refused(xlsx_with_sheet(f'<worksheet {NS}><sheetData>{HEADER_ROW}{rows}</sheetData></worksheet>'))
        self.assertIn("行号", message)

    def test_a_row_with_more_cells_than_excel_allows_is_refused(self):
        cells = '<c r="A2"/>' * (xlsxstream.MAX_CELLS_PER_ROW + 1)
        message, _ = self.refused(xlsx_with_sheet(
            f'<worksheet {NS}><sheetData>{HEADER_ROW}<row r="2">{cells}</row></sheetData></worksheet>'))
        self.assertIn("单元格", message)

    def test_a_value_beyond_column_1024_is_ignored_instead_of_widening_every_row(self):
        far = '<c r="ZZZ2" t="inlineStr"><is><t>远</t></is></c>'
        sheet = (f'<worksheet {NS}><sheetData>{HEADER_ROW}<row r="2"><c r="A2" t="inlineStr"><is><t>近</t></is></c>'
                 f'{far}</row></sheetData></worksheet>')
        rows = list(open_sheet(self.write_file("far.xlsx", xlsx_with_sheet(sheet))).rows())
        self.assertEqual(rows[1], (2, ("近",)))

    def test_a_doctype_in_the_shared_strings_is_refused(self):
        strings = ('<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">]>'
                   f'<sst {NS}><si><t>&a;</t></si></sst>').encode()
        message, _ = self.refused(xlsx_with_sheet(f'<worksheet {NS}><sheetData>{HEADER_ROW}</sheetData></worksheet>',
                                                  {"xl/sharedStrings.xml": strings}))
        self.assertIn("无法读取", message)

    def test_an_ordinary_sheet_is_scanned_a_bounded_number_of_times_per_character(self):
        rows = [["姓名", "手机号", "网格编码"]] + [[f"网格员{n}", f"138{n:08d}", "210803001001001"] for n in range(3000)]
        for count in (1000, 3000):
            path = self.write_file(f"w{count}.xlsx", xlsx_bytes(rows[:count + 1]))
            sheet = open_sheet(path)
            self.assertEqual(len(list(sheet.rows())), count + 1)
            self.assertLessEqual(sheet.stream.scanned, 4 * sheet.stream.sheet_bytes)
            sheet.close()


class HostileCsvTests(RosterTestCase):
    def test_a_32_mb_csv_of_one_line_is_refused_in_bounded_memory_and_the_job_fails(self):
        path = self.write_file("one-line.csv", b"a," * (16 * MB))
        job = ImportJob.objects.create(kind="grid_workers", created_by=self.frank, region=self.xishi,
                                       original_name="one-line.csv")
        with Peak() as peak:
            result = execute_job(job, path, dry_run=True, error_path=self.tmp / "errors.xlsx")
        self.assertIsNone(result)
        self.assertLess(peak.bytes, PEAK_LIMIT)
        job.refresh_from_db()
        self.assertEqual(job.status, ImportJob.Status.FAILED)
        self.assertIn("CSV 文件第 1 行超过", job.message)
        self.assertEqual(job.bad_rows, [])
        self.assertFalse((self.tmp / "errors.xlsx").exists())

    def test_a_quoted_field_that_never_closes_is_refused_too(self):
        path = self.write_file("open-quote.csv", "姓名,手机号,网格编码\n".encode() + b'"' + b"a\n" * (2 * MB))
        with Peak() as peak:
            with self.assertRaises(FileProblem) as caught:
                list(open_sheet(path).rows())
        self.assertLess(peak.bytes, PEAK_LIMIT)
        self.assertRegex(str(caught.exception), r"CSV 文件第 2 行超过|引号未闭合")

    def test_a_long_line_under_the_limit_is_still_read(self):
        cells = ["张" * 500] * (MAX_LINE_CHARS // 1000)  # 500,000 characters in 1,000 fields
        path = self.write_file("long.csv", ("姓名,手机号,网格编码\n" + ",".join(cells) + "\n").encode())
        rows = list(open_sheet(path).rows())
        self.assertEqual(rows[1], (2, tuple(cells)))


class LongCellTests(RosterTestCase):
    def test_a_bad_rows_reason_is_kept_short_however_long_the_cell_it_quotes(self):
        long_phone = "1" * 100_000
        rows = [["姓名", "手机号", "网格编码"]] + [["渔夫", long_phone, "210803001001001"]] * 3
        result = self.run_roster("grid_workers", self.write_file("long.csv", csv_bytes(rows)),
                                 errors=self.tmp / "errors.xlsx")
        self.assertEqual(result.counts["bad"], 3)
        for bad in result.bad_rows:
            self.assertLessEqual(len(bad["reason"]), 500)
            self.assertTrue(bad["reason"].startswith("手机号“111"))

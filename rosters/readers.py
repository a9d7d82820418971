"""Streaming readers for .xlsx and .csv rosters.

Nothing here loads a whole file: .xlsx goes through `rosters.xlsxstream` (one
row at a time from the zipped sheet XML; openpyxl's read-only mode does the same
job several times slower), .csv through the csv module on a
decoded text stream. Encoding is detected (UTF-8 with or without BOM, else GBK,
read as its superset GB18030). Both yield (spreadsheet row number, raw values).

`open_sheet` also runs the checks that let an import refuse a broken file
before writing anything: the zip's CRCs for .xlsx (a file cut off mid-way has
no central directory or a bad CRC), the encoding and the last line for .csv.

And the ones that keep a hostile file from holding a worker: an .xlsx's size and
compression ratio before anything is unpacked and its rows' sizes as they are
read (rosters.xlsxstream), a .csv's lines at most MAX_LINE_CHARS characters each
(read with a bounded readline, so a file of one 32 MB line never sits in memory
whole), a record at most that long however many lines its quotes span.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from rosters.xlsxstream import SheetProblem, XlsxStream, check_archive, check_sizes

CHUNK = 1 << 20
MAX_LINE_CHARS = 1 << 20  # a CSV record (all its lines); a roster row is a few hundred characters


class FileProblem(Exception):
    """The whole file is refused (nothing is written); the message is Chinese and for the user."""


class Sheet:
    format = ""
    estimated_rows: int | None = None

    def rows(self) -> Iterator[tuple[int, tuple]]:
        raise NotImplementedError

    def truncation_problem(self, header_width: int) -> str | None:
        return None

    def close(self) -> None:
        pass


class XlsxSheet(Sheet):
    format = "xlsx"

    def __init__(self, path: Path):
        try:
            check_archive(path)  # before zipfile reads the directory
            with zipfile.ZipFile(path) as zf:
                check_sizes(zf)  # before testzip unpacks every part
                bad = zf.testzip()
        except SheetProblem as problem:
            raise FileProblem(str(problem)) from None
        except (zipfile.BadZipFile, EOFError, OSError):
            raise FileProblem(_("文件不是有效的 Excel (.xlsx) 文件，或在中途被截断。请重新保存后上传。")) from None
        if bad:
            raise FileProblem(_("Excel 文件已损坏（%(check)s 校验失败），可能在中途被截断。请重新保存后上传。")
                              % {"check": bad})
        try:
            self.stream = XlsxStream(path)
        except SheetProblem as problem:
            raise FileProblem(str(problem)) from None
        except Exception:  # a zip that is not a workbook, a damaged workbook part
            raise FileProblem(_("无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏。")) from None
        # Rough until the sheet's <dimension> is seen: ~600 bytes of XML per roster row.
        self.estimated_rows = max(1, self.stream.sheet_bytes // 600)

    def rows(self) -> Iterator[tuple[int, tuple]]:
        try:
            for number, values in self.stream.rows():
                if number == 1 and self.stream.dimension_rows:
                    self.estimated_rows = self.stream.dimension_rows
                yield number, values
        except FileProblem:
            raise
        except SheetProblem as problem:
            raise FileProblem(str(problem)) from None
        except Exception:
            raise FileProblem(_("读取 Excel 文件时出错，文件可能已损坏或被截断。")) from None

    def close(self) -> None:
        self.stream.close()


def detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


class CsvSheet(Sheet):
    format = "csv"

    def __init__(self, path: Path):
        self.path = path
        with open(path, "rb") as fh:
            head = fh.read(CHUNK)
        if b"\x00" in head:
            raise FileProblem(_("该文件不是电子表格（含二进制内容）。请上传 .xlsx 或 .csv 文件。"))
        self.encoding = detect_encoding(head)
        # One quick pass over the bytes: is the whole file in that encoding, how many lines, how it ends.
        decoder = codecs.getincrementaldecoder(self.encoding)()
        lines = 0
        tail = b""
        try:
            with open(path, "rb") as fh:
                while chunk := fh.read(CHUNK):
                    decoder.decode(chunk)
                    lines += chunk.count(b"\n")
                    tail = (tail + chunk)[-4096:]
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise FileProblem(
                _("无法识别文件编码（应为 UTF-8 或 GBK），或文件在中途被截断。请在 Excel 中另存为“CSV UTF-8”后上传。")
            ) from None
        self.estimated_rows = lines + (0 if tail.endswith(b"\n") else 1)
        self.ends_with_newline = tail.endswith((b"\n", b"\r"))
        self.tail = tail

    def rows(self) -> Iterator[tuple[int, tuple]]:
        with open(self.path, encoding=self.encoding, newline="") as fh:
            # The csv module reads whole lines from its iterator and keeps a record's fields until it
            # ends; it is handed lines of at most MAX_LINE_CHARS, and the characters of one record
            # (all the lines a quote spans) are counted: past the limit the file is refused.
            used = [0]  # characters of the record being read
            readline = fh.readline

            def lines() -> Iterator[str]:
                while line := readline(MAX_LINE_CHARS + 1):
                    used[0] += len(line)
                    if used[0] > MAX_LINE_CHARS:
                        raise FileProblem(
                            _("CSV 文件第 %(line)s 行超过 %(limit)s 个字符（可能整个文件没有换行，或引号未闭合），不是有效的名册。"
                              "请检查后重新导出上传。") % {"line": number + 1, "limit": MAX_LINE_CHARS})
                    yield line

            number = 0
            try:
                for values in csv.reader(lines()):
                    used[0] = 0
                    number += 1
                    yield number, tuple(values)
            except csv.Error:
                raise FileProblem(_("CSV 格式错误（引号未闭合等），文件可能在中途被截断。")) from None

    def truncation_problem(self, header_width: int) -> str | None:
        """A file cut off mid-way ends without a newline, in a row shorter than the header."""
        if self.ends_with_newline or not self.tail:
            return None
        last_line = self.tail.rsplit(b"\n", 1)[-1].decode(self.encoding, errors="replace")
        try:
            last = next(csv.reader(io.StringIO(last_line)), [])
        except csv.Error:
            return _("CSV 文件的最后一行不完整，文件可能在中途被截断。请重新导出后上传。")
        if last and len(last) < header_width:
            return _("CSV 文件的最后一行不完整，文件可能在中途被截断。请重新导出后上传。")
        return None


def open_sheet(path: Path | str, filename: str = "") -> Sheet:
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            magic = fh.read(8)
    except OSError:
        raise FileProblem(_("无法打开文件。")) from None
    if not magic:
        raise FileProblem(_("文件是空的。"))
    name = (filename or path.name).lower()
    if magic.startswith(b"PK\x03\x04") or name.endswith(".xlsx"):
        return XlsxSheet(path)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem(_("这是旧版 Excel (.xls) 文件，请在 Excel 中另存为 .xlsx 后上传。"))
    if name.endswith((".xls", ".doc", ".docx", ".pdf", ".zip", ".png", ".jpg", ".jpeg")):
        raise FileProblem(_("只支持 .xlsx 和 .csv 文件。"))
    return CsvSheet(path)

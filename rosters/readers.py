"""Readers for .xlsx, .xls, .ods and .csv rosters.

.xls (Excel 97-2003, still many WPS templates' default) and .ods (LibreOffice, WPS) are read with
python-calamine. It reads a whole sheet into memory (117 MB peak RSS for 100,000 rows against our
reader's 28 MB, growing with the rows: bench/read_rosters.py), so it is kept to the formats that need
it and to their size: an .xls holds at most 65,536 rows by its format, an .ods's content.xml may unpack
to at most MAX_ODS_CONTENT_BYTES (some 100,000 rows); beyond, the user is asked for .xlsx or .csv.
.xlsx stays with the streaming reader, whose memory stays flat on the 1 M-row bench.

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

MAX_ODS_CONTENT_BYTES = 64 << 20  # an .ods sheet's XML, unpacked: some 100,000 roster rows

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


class CalamineSheet(Sheet):
    """The first sheet of an .xls or .ods, through python-calamine (the whole sheet in memory: bounded
    by the checks in __init__). Row numbers are the spreadsheet's (calamine's range starts at the
    first used cell: its offset is added back), values as calamine gives them (str, float, int,
    bool, date, datetime; empty cells "")."""

    def __init__(self, path: Path, fmt: str):
        self.format = fmt
        if fmt == "ods":
            try:
                check_archive(path)
                with zipfile.ZipFile(path) as zf:
                    check_sizes(zf)
                    content = zf.getinfo("content.xml")
                    if content.file_size > MAX_ODS_CONTENT_BYTES:
                        raise FileProblem(
                            _("该 .ods 文件过大（表格内容解压后超过 %(limit)s MB）。请在 WPS 或 LibreOffice 中另存为 .xlsx 或 .csv 后上传。")
                            % {"limit": MAX_ODS_CONTENT_BYTES >> 20})
                    bad = zf.testzip()  # reads each part as far as its declared size: a lying directory fails here
            except SheetProblem as problem:
                raise FileProblem(str(problem)) from None
            except KeyError:
                raise FileProblem(_("无法读取该 .ods 文件（缺少表格内容），请确认文件未损坏。")) from None
            except (zipfile.BadZipFile, EOFError, OSError):
                raise FileProblem(_("文件不是有效的 .ods 文件，或在中途被截断。请重新保存后上传。")) from None
            if bad:
                raise FileProblem(_(".ods 文件已损坏（%(check)s 校验失败），可能在中途被截断。请重新保存后上传。")
                                  % {"check": bad})
        from python_calamine import CalamineWorkbook  # imported here: only .xls / .ods need it

        try:
            self.workbook = CalamineWorkbook.from_path(str(path))
            self.sheet = self.workbook.get_sheet_by_index(0)
        except Exception:  # calamine's errors: a damaged file, a password, not a workbook
            raise FileProblem(
                _("无法读取该 %(format)s 文件，请确认文件未损坏、未加密。也可另存为 .xlsx 后上传。") % {"format": f".{fmt}"}
            ) from None
        start = self.sheet.start or (0, 0)
        self.first_row, self.first_column = start
        self.estimated_rows = self.first_row + self.sheet.height

    def rows(self) -> Iterator[tuple[int, tuple]]:
        # calamine's iter_rows starts its rows at the sheet's first row or at the used range's first one,
        # its columns at column A or at the range's first (it has done both): the used range's first row
        # holds a value, so an empty first row says the rows were padded from the top, and a row as wide
        # as the range says the columns were not padded from the left.
        try:
            rows = self.sheet.iter_rows()
            number = None
            pad: tuple = ()
            for values in rows:
                if number is None:
                    padded = self.first_row > 0 and not any(v not in ("", None) for v in values)
                    number = 0 if padded or self.first_row == 0 else self.first_row
                    if self.first_column and len(values) <= self.sheet.width:
                        pad = ("",) * self.first_column
                number += 1
                yield number, pad + tuple(values)
        except FileProblem:
            raise
        except Exception:
            raise FileProblem(_("读取 %(format)s 文件时出错，文件可能已损坏。") % {"format": f".{self.format}"}) from None

    def close(self) -> None:
        try:
            self.workbook.close()
        except Exception:  # already closed
            pass


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
    if magic.startswith(b"PK\x03\x04") and (name.endswith(".ods") or _is_ods(path)):
        return CalamineSheet(path, "ods")
    if magic.startswith(b"PK\x03\x04") or name.endswith(".xlsx"):
        return XlsxSheet(path)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE2 compound file: Excel 97-2003 (or a .doc)
        if name.endswith((".doc", ".ppt")):
            raise FileProblem(_("只支持 .xlsx、.xls、.ods 和 .csv 文件。"))
        return CalamineSheet(path, "xls")
    if name.endswith((".xls", ".ods", ".doc", ".docx", ".pdf", ".zip", ".png", ".jpg", ".jpeg")):
        raise FileProblem(_("只支持 .xlsx、.xls、.ods 和 .csv 文件。"))
    return CsvSheet(path)


def _is_ods(path: Path) -> bool:
    """An OpenDocument spreadsheet announces itself in its first part, "mimetype", stored uncompressed."""
    with open(path, "rb") as fh:
        head = fh.read(100)
    return b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet" in head

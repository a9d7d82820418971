"""A lean streaming reader for the first worksheet of an .xlsx file.

openpyxl's read-only mode builds an object per cell (and per inline string) on
top of ElementTree; for a 100,000-row roster that is most of the import's time.
This reader feeds the zipped sheet XML straight to expat and keeps only what a
roster needs: the cell's text or number, by column, row by row. Shared strings,
inline strings, numbers, booleans and cached formula results are handled; a
date-formatted cell comes back as its serial number (rosters have no dates).

An upload is whatever anyone sends, so the work it can cause is bounded (SheetProblem, with a
Chinese message, refuses the file; rosters.readers turns it into a FileProblem):

- the archive, before anything is unpacked (`check_archive`): at most MAX_MEMBERS parts (read
  from the zip's end record, before Python builds its directory), at most MAX_UNPACKED_BYTES
  unpacked in all, and no part of more than RATIO_CHECK_FROM that unpacks to more than
  MAX_RATIO times its packed size (a zip bomb); the bytes are counted again as they are read;
- the sheet, as it is read (`XlsxStream.rows`): a row is at most MAX_ROW_CHARS characters of XML
  and MAX_CELLS_PER_ROW cells, row numbers rise and stay within Excel's 1,048,576, and values
  beyond column MAX_COLUMNS are ignored. Each character is scanned a fixed number of times
  however the rows are cut into chunks (`scanned` counts them): a row is found by looking for
  the next row's start tag in the text that has just arrived, never by searching the whole
  buffer again;
- the small parts (workbook, relationships) are read up to MAX_PART_BYTES, the shared strings
  up to MAX_SHARED_STRINGS_BYTES, and a DTD (entity declarations) is refused.
"""

from __future__ import annotations

import codecs
import html
import os
import re
import struct
import zipfile
from collections.abc import Iterator
from xml.parsers import expat

from django.utils.translation import gettext as _

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CHUNK = 1 << 16
_LETTERS = re.compile(r"[A-Z]+")

MAX_MEMBERS = 1_000  # an .xlsx has a dozen parts; a workbook with pictures a few hundred
MAX_UNPACKED_BYTES = 2 << 30  # all parts, unpacked: a 1,048,576-row roster needs under 1 GB
MAX_RATIO = 200  # rosters' sheets unpack to 10-20 times their size; DEFLATE's ceiling is ~1,000
RATIO_CHECK_FROM = 1 << 20  # small parts (styles, themes) may have any ratio
MAX_PART_BYTES = 8 << 20  # xl/workbook.xml, its relationships
MAX_SHARED_STRINGS_BYTES = 256 << 20
MAX_ROW_CHARS = 1 << 20  # a row's XML; a roster row is a few hundred characters
MAX_CELLS_PER_ROW = 16_384  # Excel's last column, XFD
MAX_COLUMNS = 1_024  # values further right are ignored: no roster is that wide
MAX_ROWS = 1_048_576  # Excel's last row


class SheetProblem(Exception):
    """The file is refused whole; the message is Chinese and for the user."""


def check_archive(path) -> None:
    """Refuse, from the zip's end record alone, an archive with more parts than any workbook (Python's
    zipfile would build an object per part before anything could be checked)."""
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        fh.seek(max(0, size - (22 + 0xFFFF)))
        tail = fh.read()
    at = tail.rfind(b"PK\x05\x06")
    if at == -1 or len(tail) - at < 22:
        return  # no end record: zipfile refuses it as a broken zip
    entries, directory_size = struct.unpack("<2xHL", tail[at + 8:at + 16])
    if entries > MAX_MEMBERS or directory_size > MAX_MEMBERS * 1024:  # 0xFFFF: a zip64 directory
        raise SheetProblem(_("Excel 文件包含的部件过多（%(count)s 个），不是有效的名册文件。") % {"count": entries})


def check_sizes(zf: zipfile.ZipFile) -> None:
    """Refuse a zip bomb from its directory, before any part is unpacked: the total unpacked size and
    each large part's compression ratio."""
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.file_size > RATIO_CHECK_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise SheetProblem(
                _("Excel 文件中的“%(name)s”压缩比异常（解压后是压缩前的 %(ratio)s 倍），可能是恶意构造的压缩包，已拒绝。")
                % {"name": info.filename[:80], "ratio": info.file_size // max(info.compress_size, 1)})
    if total > MAX_UNPACKED_BYTES:
        raise SheetProblem(_("Excel 文件解压后超过 %(limit)s MB，超出名册文件的合理大小，已拒绝。请拆分后上传。")
                           % {"limit": MAX_UNPACKED_BYTES >> 20})


def _too_large(name: str) -> SheetProblem:
    return SheetProblem(_("Excel 文件中的“%(name)s”解压后超过了允许的大小，已拒绝。") % {"name": name[:80]})


def _read_part(zf: zipfile.ZipFile, name: str, limit: int = MAX_PART_BYTES) -> bytes:
    """A small part, whole, counting what it unpacks to (its directory entry may lie)."""
    with zf.open(name) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise _too_large(name)
    return data


def column_index(ref: str) -> int:
    n = 0
    for ch in _LETTERS.match(ref).group():
        n = n * 26 + ord(ch) - 64
    return n - 1


def _first_sheet_path(zf: zipfile.ZipFile) -> str:
    """xl/workbook.xml names the sheets in order; its rels file says where each one lives."""
    workbook = _read_part(zf, "xl/workbook.xml").decode("utf-8")
    # [^<>] and [^"<>]: an attempt that fails stops at the next tag (linear, whatever the part holds).
    rid = re.search(r'<(?:\w+:)?sheet\b[^<>]*?\br:id="([^"<>]+)"|<(?:\w+:)?sheet\b[^<>]*?\bid="([^"<>]+)"', workbook)
    try:
        rels = _read_part(zf, "xl/_rels/workbook.xml.rels").decode("utf-8")
    except KeyError:
        rels = ""
    if rid:
        target_id = rid.group(1) or rid.group(2)
        for rel in re.finditer(r"<Relationship\b[^<>]*>", rels):
            tag = rel.group()
            if f'Id="{target_id}"' in tag:
                target = re.search(r'Target="([^"]+)"', tag).group(1)
                target = target.lstrip("/")
                return target if target.startswith("xl/") else "xl/" + target
    names = sorted(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))
    if not names:
        raise KeyError("no worksheet")
    return names[0]


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    try:
        fh = zf.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    strings: list[str] = []
    parts: list[str] = []
    state = {"in_si": False, "in_t": False, "in_rph": 0}

    def start(name, attrs):
        local = name.rsplit(" ", 1)[-1]
        if local == "si":
            state["in_si"] = True
            parts.clear()
        elif local == "t" and state["in_si"] and not state["in_rph"]:
            state["in_t"] = True
        elif local == "rPh":
            state["in_rph"] += 1

    def end(name):
        local = name.rsplit(" ", 1)[-1]
        if local == "si":
            strings.append("".join(parts))
            state["in_si"] = False
        elif local == "t":
            state["in_t"] = False
        elif local == "rPh":
            state["in_rph"] -= 1

    def chars(data):
        if state["in_t"]:
            parts.append(data)

    def doctype(*args):
        raise SheetProblem(_("Excel 文件含有不允许的 DTD 声明，无法读取。"))

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
    parser.StartDoctypeDeclHandler = doctype
    read = 0
    with fh:
        while chunk := fh.read(CHUNK):
            read += len(chunk)
            if read > MAX_SHARED_STRINGS_BYTES:
                raise _too_large("xl/sharedStrings.xml")
            parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return strings


class XlsxStream:
    def __init__(self, path):
        check_archive(path)
        self.zf = zipfile.ZipFile(path)
        try:
            check_sizes(self.zf)
            self.sheet_path = _first_sheet_path(self.zf)
            self.shared = _shared_strings(self.zf)
        except BaseException:
            self.zf.close()
            raise
        self.dimension_rows: int | None = None
        info = self.zf.getinfo(self.sheet_path)
        self.sheet_bytes = info.file_size
        self.scanned = 0  # characters of sheet XML looked at by a regular expression or copied

    def close(self) -> None:
        self.zf.close()

    def rows(self) -> Iterator[tuple[int, tuple]]:
        """(row number, cell values), with empty rows in between filled in, like openpyxl.

        The sheet XML is regular (row > c > v | is > t), so rows are cut out of the decompressed
        stream with string searches and regular expressions, which run in C: several times faster
        than an XML parser calling back into Python for every element.

        Each chunk is searched once as it arrives (with the few characters before it, for a tag cut
        in two) for row start tags. Everything before the last of them is complete rows: each runs
        from its start tag to the next one and is parsed within those bounds only (`_rows_in`);
        the rest waits for more text. A row longer than MAX_ROW_CHARS (one that never closes, say)
        is refused as soon as it is that long. Reading stops at </sheetData>."""
        expected = 1
        parts: list[str] = []  # the text after the last cut, as it arrived
        pending = 0  # its length
        starts: list[int] = []  # where row start tags begin in it
        tail = ""  # its last characters, where a tag cut in two by a chunk begins
        decoder = codecs.getincrementaldecoder("utf-8")()
        read = 0
        with self.zf.open(self.sheet_path) as fh:
            while True:
                chunk = fh.read(CHUNK)
                read += len(chunk)
                if read > self.sheet_bytes or read > MAX_UNPACKED_BYTES:
                    raise _too_large(self.sheet_path)
                text = decoder.decode(chunk, final=not chunk)
                region = tail + text
                base = pending - len(tail)  # where `region` begins in the pending text
                self.scanned += len(region)
                if self.dimension_rows is None and read <= CHUNK:
                    m = _DIMENSION.search(region, 0, 4096)
                    if m:
                        self.dimension_rows = int(m.group(1))
                for at in _tag_starts(region, "row"):
                    if not starts or base + at > starts[-1]:  # a tag in the overlap was seen before
                        starts.append(base + at)
                end = _closing_tag(region, "sheetData")
                last = end != -1 or not chunk
                if last:
                    cut = base + end if end != -1 else pending + len(text)
                elif starts and starts[-1] > 0:
                    cut = starts[-1]  # all before the last row start tag is complete rows
                else:
                    cut = None
                if cut is None:
                    parts.append(text)
                    pending += len(text)
                    tail = region[-_OVERLAP:]
                else:
                    whole = "".join(parts) + text
                    self.scanned += len(whole)
                    block, rest = whole[:cut], whole[cut:]
                    bounds = [at for at in starts if at < cut]
                    starts = [at - cut for at in starts if at >= cut]
                    parts, pending, tail = [rest], len(rest), rest[-_OVERLAP:]
                    for number, cells in self._rows_in(block, bounds, expected):
                        while expected < number:
                            yield expected, ()
                            expected += 1
                        yield number, cells
                        expected = number + 1
                    if last:
                        return
                if pending > MAX_ROW_CHARS:
                    raise SheetProblem(
                        _("Excel 工作表中有一行超过 %(limit)s 个字符（或没有结束标记），文件已损坏或不是名册。请用 Excel 重新保存后上传。")
                        % {"limit": MAX_ROW_CHARS})

    def _rows_in(self, block: str, starts: list[int], expected: int) -> Iterator[tuple[int, tuple]]:
        """The rows of a piece of sheet XML that ends where a row starts (or where the rows end), given
        where its row start tags are. A row runs from its start tag to the next one: its attributes
        end at the first ">", its cells at the last "row>" of a closing tag before the next row."""
        shared = self.shared
        self.scanned += len(block)
        starts.append(len(block))
        for index in range(len(starts) - 1):
            begin, stop = starts[index], starts[index + 1]
            gt = block.find(">", begin, stop)
            if gt == -1:
                raise _unclosed_row(expected)
            if block[gt - 1] == "/":  # <row r="7"/>
                attrs, body = block[begin:gt - 1], ""
            else:
                close = _closing_tag_before(block, "row", gt, stop)
                if close == -1:
                    raise _unclosed_row(expected)
                attrs, body = block[begin:gt], block[gt + 1:close]
            r = _R_ATTR.search(attrs)
            number = int(r.group(1)) if r else expected
            if number < expected or number > MAX_ROWS:
                raise SheetProblem(
                    _("Excel 工作表的行号有误（第 %(row)s 行出现在第 %(previous)s 行之后，或超过 Excel 的最大行数 %(max)s），"
                      "文件已损坏。请用 Excel 重新保存后上传。") % {"row": number, "previous": expected - 1, "max": MAX_ROWS})
            yield number, _cells(body, shared, number) if body else ()
            expected = number + 1


def _unclosed_row(number: int) -> SheetProblem:
    return SheetProblem(_("Excel 工作表第 %(row)s 行没有结束标记，文件已损坏或被截断。请用 Excel 重新保存后上传。")
                        % {"row": number})


_OVERLAP = 48  # longer than any tag looked for across two chunks (a prefix is at most 32 characters)
_TAG_END = frozenset(" \t\r\n/>")


def _prefix_begin(text: str, colon: int) -> int:
    """Where the namespace prefix ending at `colon` begins ("x" in "<x:row"), or -1 if there is none
    (or it is longer than 32 characters)."""
    at = colon
    while at > 0 and colon - at < 32 and (text[at - 1].isalnum() or text[at - 1] == "_"):
        at -= 1
    return at if at < colon else -1


def _tag_starts(text: str, name: str) -> list[int]:
    """Where each start tag `<name` (or `<prefix:name`) whole inside `text` begins. A string search,
    one Python step per occurrence of the name, not per character."""
    found = []
    size, limit = len(name), len(text)
    at = text.find(name)
    while at != -1:
        after = at + size
        if after < limit and text[after] in _TAG_END and at > 0:
            before = text[at - 1]
            if before == "<":
                found.append(at - 1)
            elif before == ":" and (prefix := _prefix_begin(text, at - 1)) > 0 and text[prefix - 1] == "<":
                found.append(prefix - 1)
        at = text.find(name, after)
    return found


def _closing_tag(text: str, name: str) -> int:
    """Where the first closing tag `</name>` (or `</prefix:name>`) in `text` begins, or -1."""
    needle = name + ">"
    at = text.find(needle)
    while at != -1:
        begin = _closing_begin(text, at)
        if begin != -1:
            return begin
        at = text.find(needle, at + 1)
    return -1


def _closing_tag_before(text: str, name: str, begin: int, end: int) -> int:
    """Where the last closing tag `</name>` (or `</prefix:name>`) within text[begin:end] begins, or -1."""
    needle = name + ">"
    at = text.rfind(needle, begin, end)
    while at != -1:
        start = _closing_begin(text, at)
        if start >= begin:
            return start
        at = text.rfind(needle, begin, at)
    return -1


def _closing_begin(text: str, at: int) -> int:
    """Given where a tag's name begins, where its "</" begins if it is a closing tag, or -1."""
    if at >= 2 and text[at - 1] == "/" and text[at - 2] == "<":
        return at - 2
    if at >= 1 and text[at - 1] == ":":
        prefix = _prefix_begin(text, at - 1)
        if prefix >= 2 and text[prefix - 1] == "/" and text[prefix - 2] == "<":
            return prefix - 2
    return -1


_DIMENSION = re.compile(r'<(?:\w+:)?dimension\s+ref="[A-Z]+\d+:[A-Z]+(\d+)"')
_R_ATTR = re.compile(r'\br="(\d+)"')
_CELL = re.compile(r'<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
_CELL_START = re.compile(r'<(?:\w{1,32}:)?c[\s/>]')
_CELL_REF = re.compile(r'\br="([A-Z]+)\d*"')
_CELL_TYPE = re.compile(r'\bt="(\w+)"')
# Neither runs past the next "<" when it fails: a cell of a thousand unclosed <v> costs its length once.
_V = re.compile(r'<(?:\w+:)?v(?:\s[^<>]*)?>([^<]*)</(?:\w+:)?v>')
_INLINE_TAG = re.compile(r'<(/?)(?:\w{1,32}:)?(rPh|t)(?=[\s/>])[^<>]*>')
_COLUMN_CACHE: dict[str, int] = {}


def _col(letters: str) -> int:
    """The 0-based column of a cell reference's letters; -1 beyond MAX_COLUMNS (the value is ignored)."""
    index = _COLUMN_CACHE.get(letters)
    if index is None:
        if len(letters) > 3:  # past XFD; and never cached: the cache stays at most 18,278 entries
            return -1
        index = 0
        for ch in letters:
            index = index * 26 + ord(ch) - 64
        index -= 1
        if index >= MAX_COLUMNS:
            index = -1
        _COLUMN_CACHE[letters] = index
    return index


_FAST_CELL = re.compile(
    r'<c r="([A-Z]+)\d+"(?: s="\d+")?(?: t="(\w+)")?(?: s="\d+")?'
    r'(?: ?/>|><v>([^<]*)</v></c>|><is><t(?: xml:space="preserve")?>([^<]*)</t></is></c>)'
)


def _number(raw: str):
    try:
        value = int(raw) if raw.lstrip("-").isdigit() else float(raw)
    except ValueError:
        return raw
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _too_many_cells(number: int) -> SheetProblem:
    return SheetProblem(_("Excel 工作表第 %(row)s 行的单元格超过 %(limit)s 个，文件已损坏或不是名册。")
                        % {"row": number, "limit": MAX_CELLS_PER_ROW})


def _as_tuple(values: dict[int, object]) -> tuple:
    """The cells by column, None where empty; values beyond MAX_COLUMNS (column -1) are dropped."""
    values.pop(-1, None)
    if not values:
        return ()
    cells: list[object] = [None] * (max(values) + 1)
    for index, value in values.items():
        cells[index] = value
    return tuple(cells)


def _cells(body: str, shared: list[str], number: int = 0) -> tuple:
    """The cells of one row. The common layouts (Excel's and openpyxl's) go through one
    regular expression per row; anything else (prefixes, rich text, odd attribute order)
    through the general path below."""
    count = body.count("<c ")
    if count > MAX_CELLS_PER_ROW:
        raise _too_many_cells(number)
    fast = _FAST_CELL.findall(body)
    if len(fast) == count and (count or "<" not in body):  # no "<c ": cells with a prefix (<x:c), or none
        values: dict[int, object] = {}
        for letters, kind, v, t in fast:
            if kind == "inlineStr":
                if not t:
                    continue  # <c t="inlineStr"/>: an empty cell
                value = t
            elif not v:
                continue
            elif kind == "s":
                values[_col(letters)] = shared[int(v)]
                continue
            elif kind == "str":
                value = v
            elif kind == "b":
                values[_col(letters)] = v == "1"
                continue
            elif kind == "e":
                continue
            else:
                values[_col(letters)] = _number(v)
                continue
            if "&" in value:
                value = html.unescape(value)
            values[_col(letters)] = value
        return _as_tuple(values)
    return _cells_general(body, shared, number)


def _cells_general(body: str, shared: list[str], number: int = 0) -> tuple:
    """Cell by cell: each cell runs from its start tag to the next one and is matched within those
    bounds only (a cell that never closes costs its own length, not the rest of the row)."""
    starts = [m.start() for m in _CELL_START.finditer(body)]
    if len(starts) > MAX_CELLS_PER_ROW:
        raise _too_many_cells(number)
    starts.append(len(body))
    values: dict[int, object] = {}
    position = -1
    for index in range(len(starts) - 1):
        m = _CELL.match(body, starts[index], starts[index + 1])
        if m is None:
            continue
        attrs, inner = m.group(1), m.group(2)
        ref = _CELL_REF.search(attrs)
        if ref:
            position = _col(ref.group(1))
            if position < 0:
                position = MAX_COLUMNS  # and the cells after it, without a reference, are beyond too
        else:
            position += 1
        col = position if position < MAX_COLUMNS else -1
        if not inner:
            continue
        t = _CELL_TYPE.search(attrs)
        kind = t.group(1) if t else "n"
        if kind == "inlineStr":
            value = _inline_text(inner)
        else:
            v = _V.search(inner)
            if v is None:
                continue
            raw = v.group(1)
            if kind == "s":
                values[col] = shared[int(raw)]
                continue
            if kind == "str":
                value = raw
            elif kind == "b":
                values[col] = raw == "1"
                continue
            elif kind == "e":
                continue
            else:
                values[col] = _number(raw)
                continue
        if "&" in value:
            value = html.unescape(value)
        values[col] = value
    return _as_tuple(values)


def _inline_text(inner: str) -> str:
    """The text of an inline string: its <t> elements, rich-text runs included, without the phonetic
    readings (<rPh>). One pass over its tags."""
    texts: list[str] = []
    in_reading = 0
    text_from = -1
    for m in _INLINE_TAG.finditer(inner):
        closing, name, empty = m.group(1), m.group(2), m.group().endswith("/>")
        if name == "rPh":
            if not empty:
                in_reading = max(0, in_reading - 1) if closing else in_reading + 1
        elif closing:
            if text_from != -1:
                texts.append(inner[text_from:m.start()])
                text_from = -1
        elif not empty and not in_reading:
            text_from = m.end()
    return "".join(texts)

"""A lean streaming reader for the first worksheet of an .xlsx file.

openpyxl's read-only mode builds an object per cell (and per inline string) on
top of ElementTree; for a 100,000-row roster that is most of the import's time.
This reader feeds the zipped sheet XML straight to expat and keeps only what a
roster needs: the cell's text or number, by column, row by row. Shared strings,
inline strings, numbers, booleans and cached formula results are handled; a
date-formatted cell comes back as its serial number (rosters have no dates).
"""

from __future__ import annotations

import codecs
import html
import re
import zipfile
from collections.abc import Iterator
from xml.parsers import expat

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CHUNK = 1 << 16
_LETTERS = re.compile(r"[A-Z]+")


def column_index(ref: str) -> int:
    n = 0
    for ch in _LETTERS.match(ref).group():
        n = n * 26 + ord(ch) - 64
    return n - 1


def _first_sheet_path(zf: zipfile.ZipFile) -> str:
    """xl/workbook.xml names the sheets in order; its rels file says where each one lives."""
    workbook = zf.read("xl/workbook.xml").decode("utf-8")
    rid = re.search(r"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"|<(?:\w+:)?sheet\b[^>]*?\bid=\"([^\"]+)\"", workbook)
    try:
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    except KeyError:
        rels = ""
    if rid:
        target_id = rid.group(1) or rid.group(2)
        for rel in re.finditer(r"<Relationship\b[^>]*>", rels):
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

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
    with fh:
        while chunk := fh.read(CHUNK):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return strings


class XlsxStream:
    def __init__(self, path):
        self.zf = zipfile.ZipFile(path)
        self.sheet_path = _first_sheet_path(self.zf)
        self.shared = _shared_strings(self.zf)
        self.dimension_rows: int | None = None
        info = self.zf.getinfo(self.sheet_path)
        self.sheet_bytes = info.file_size

    def close(self) -> None:
        self.zf.close()

    def rows(self) -> Iterator[tuple[int, tuple]]:
        """(row number, cell values), with empty rows in between filled in, like openpyxl.

        The sheet XML is regular (row > c > v | is > t), so complete rows are cut out of the
        decompressed stream with regular expressions, which run in C: several times faster
        than an XML parser calling back into Python for every element."""
        shared = self.shared
        expected = 1
        buffer = ""
        decoder = codecs.getincrementaldecoder("utf-8")()
        with self.zf.open(self.sheet_path) as fh:
            while True:
                chunk = fh.read(CHUNK)
                buffer += decoder.decode(chunk, final=not chunk)
                if self.dimension_rows is None and expected == 1:
                    m = _DIMENSION.search(buffer, 0, 4096)
                    if m:
                        self.dimension_rows = int(m.group(1))
                cut = _last_row_end(buffer) if chunk else len(buffer)
                for m in _ROW.finditer(buffer, 0, cut):
                    attrs, body = m.group(1), m.group(2)
                    r = _R_ATTR.search(attrs)
                    number = int(r.group(1)) if r else expected
                    while expected < number:
                        yield expected, ()
                        expected += 1
                    yield number, _cells(body, shared) if body else ()
                    expected = number + 1
                buffer = buffer[cut:]
                if not chunk:
                    break


_DIMENSION = re.compile(r'<(?:\w+:)?dimension\s+ref="[A-Z]+\d+:[A-Z]+(\d+)"')
_ROW = re.compile(r'<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)', re.S)
_R_ATTR = re.compile(r'\br="(\d+)"')
_CELL = re.compile(r'<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
_CELL_REF = re.compile(r'\br="([A-Z]+)\d*"')
_CELL_TYPE = re.compile(r'\bt="(\w+)"')
_V = re.compile(r'<(?:\w+:)?v(?:\s[^>]*)?>(.*?)</(?:\w+:)?v>', re.S)
_T = re.compile(r'<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>', re.S)
_T_EMPTY = re.compile(r'<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>', re.S)
_COLUMN_CACHE: dict[str, int] = {}


def _last_row_end(buffer: str) -> int:
    """The end of the last complete row in the buffer (after its closing tag), or 0."""
    idx = buffer.rfind("row>")
    while idx > 0:
        before = buffer[idx - 1]
        if before == "/":
            return idx + 4
        if before == ":":
            lt = buffer.rfind("<", 0, idx)
            if lt != -1 and buffer[lt + 1] == "/":
                return idx + 4
        idx = buffer.rfind("row>", 0, idx)
    return 0


def _col(letters: str) -> int:
    index = _COLUMN_CACHE.get(letters)
    if index is None:
        index = 0
        for ch in letters:
            index = index * 26 + ord(ch) - 64
        index = _COLUMN_CACHE[letters] = index - 1
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


def _cells(body: str, shared: list[str]) -> tuple:
    """The cells of one row. The common layouts (Excel's and openpyxl's) go through one
    regular expression per row; anything else (prefixes, rich text, odd attribute order)
    through the general path below."""
    fast = _FAST_CELL.findall(body)
    if len(fast) == body.count("<c "):
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
        if not values:
            return ()
        return tuple(values.get(i) for i in range(max(values) + 1))
    return _cells_general(body, shared)


def _cells_general(body: str, shared: list[str]) -> tuple:
    values: dict[int, object] = {}
    col = -1
    for m in _CELL.finditer(body):
        attrs, inner = m.group(1), m.group(2)
        ref = _CELL_REF.search(attrs)
        col = _col(ref.group(1)) if ref else col + 1
        if not inner:
            continue
        t = _CELL_TYPE.search(attrs)
        kind = t.group(1) if t else "n"
        if kind == "inlineStr":
            if "<rPh" in inner:
                inner = _T_EMPTY.sub("", inner)
            value = "".join(_T.findall(inner))
        else:
            v = _V.search(inner)
            if v is None:
                continue
            raw = v.group(1)
            if kind == "s":
                value = shared[int(raw)]
                values[col] = value
                continue
            if kind == "str":
                value = raw
            elif kind == "b":
                values[col] = raw == "1"
                continue
            elif kind == "e":
                continue
            else:
                try:
                    value = int(raw) if raw.lstrip("-").isdigit() else float(raw)
                except ValueError:
                    value = raw
                if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
                    value = int(value)
                values[col] = value
                continue
        if "&" in value:
            value = html.unescape(value)
        values[col] = value
    if not values:
        return ()
    return tuple(values.get(i) for i in range(max(values) + 1))

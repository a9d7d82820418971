"""The import pipeline shared by every roster kind.

Why not django-import-export's `Resource.import_data`: it validates and saves
row by row (one or more queries per row, a model instance and a full_clean per
row), which manages about a tenth of the rate at which openpyxl merely reads a
file. Here a roster cleans rows in pure Python, looks up what exists one
*batch* at a time (one query per batch), and writes each batch with
bulk_create / bulk_update in one transaction. django-import-export's tablib
formats are used where they are strong: the blank templates.

The flow for a file:
1. `open_sheet` refuses a broken file outright (nothing written).
2. The header row is found (a title row above it is skipped), columns are
   matched by their Chinese headers or an alias.
3. Rows are read in batches of BATCH_SIZE; blank rows are ignored; each row is
   normalised and checked; a key already seen in the file is a duplicate.
4. Each batch's good rows are compared with the database (new / updated /
   unchanged). In a dry run nothing is written; otherwise the batch is written
   in one transaction — all of its good rows or none.
5. Bad rows go to an error workbook (.xlsx) with the original columns and a
   "错误原因" column, ready to fix and import again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from governance.models import User
from governance.roles import Cap
from governance.scope import region_codes
from django.utils.translation import gettext
from rosters.normalize import cell_to_text, clean_code, clean_text
from rosters.readers import FileProblem, Sheet, open_sheet

BATCH_SIZE = 2000
HEADER_SEARCH_ROWS = 10
SHOWN_BAD_ROWS = 2000  # kept on the job for the page; all of them go to the error file
ERROR_COLUMN = "错误原因"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    help: str = ""


_TEXT_CACHE: dict[str, str] = {}


@dataclass
class RowError(Exception):
    code: str
    message: str


@dataclass
class Row:
    number: int
    raw: tuple  # the original cells, in the file's column order
    values: dict[str, Any]  # key -> raw cell value
    record: Any = None
    errors: list[RowError] = field(default_factory=list)
    status: str = ""  # new / updated / unchanged

    def text(self, key: str) -> str:
        value = self.values.get(key)
        if value.__class__ is str and len(value) < 40:
            # Rosters repeat the same short values (民族, 网格编码, 楼栋…): clean each once.
            cleaned = _TEXT_CACHE.get(value)
            if cleaned is None:
                cleaned = clean_text(value)
                if len(_TEXT_CACHE) < 100_000:
                    _TEXT_CACHE[value] = cleaned
            return cleaned
        return clean_text(cell_to_text(value))

    def code(self, key: str) -> str:
        return clean_code(cell_to_text(self.values.get(key)))

    def fail(self, code: str, message: str) -> None:
        self.errors.append(RowError(code, message))

    @property
    def reason(self) -> str:
        return "；".join(e.message for e in self.errors)


@dataclass
class ImportContext:
    actor: User | None
    dry_run: bool
    prefixes: tuple[str, ...] | None  # None: everywhere (system or superuser)
    job: Any = None

    def in_scope(self, code: str) -> bool:
        return self.prefixes is None or code.startswith(self.prefixes)


def context_for(actor: User | None, dry_run: bool, job=None) -> ImportContext:
    if actor is None or actor.is_superuser:
        prefixes = None
    else:
        prefixes = region_codes(actor, Cap.IMPORT_ROSTER)
    return ImportContext(actor=actor, dry_run=dry_run, prefixes=prefixes, job=job)


class Roster:
    """One kind of roster. Subclasses declare columns and implement the three hooks."""

    kind = ""
    label = ""
    batch_size = BATCH_SIZE  # rows checked against the database and written together (one transaction)
    sheet_title = ""
    columns: tuple[Column, ...] = ()
    example: tuple[str, ...] = ()  # one example row for the template

    # -- hooks -------------------------------------------------------------
    def prepare(self, ctx: ImportContext) -> None:
        """Load what every row is checked against (e.g. the grid codes), once per import."""

    def clean(self, row: Row, ctx: ImportContext) -> None:
        """Normalise and check one row: set row.record or call row.fail(...)."""
        raise NotImplementedError

    def key(self, row: Row) -> Iterable[str]:
        """The natural keys of a good row; a key already seen in the file makes a duplicate."""
        raise NotImplementedError

    def classify(self, rows: list[Row], ctx: ImportContext) -> None:
        """Compare a batch of good rows with the database: set row.status, or row.fail(...)."""
        raise NotImplementedError

    def write(self, rows: list[Row], ctx: ImportContext) -> None:
        """Write a batch of classified rows (new and updated). Runs inside the batch transaction."""
        raise NotImplementedError

    def export_rows(self, user: User) -> Iterable[tuple]:
        raise NotImplementedError

    # -- header ------------------------------------------------------------
    def match_header(self, cells: tuple) -> dict[str, int]:
        lookup: dict[str, str] = {}
        for col in self.columns:
            for name in (col.header, *col.aliases):
                lookup[_header_key(name)] = col.key
        found: dict[str, int] = {}
        for index, cell in enumerate(cells):
            key = lookup.get(_header_key(cell_to_text(cell)))
            if key and key not in found:
                found[key] = index
        return found

    @property
    def required_headers(self) -> list[str]:
        return [c.header for c in self.columns if c.required]


def _header_key(text: str) -> str:
    text = clean_code(text).replace("*", "").replace("（", "(").replace("）", ")")
    if "(" in text and not text.startswith("("):
        text = text.split("(", 1)[0]  # "联系电话(必填)" → "联系电话"
    return text


def id_hash(value: str) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big")


@dataclass
class Result:
    counts: dict[str, int] = field(default_factory=lambda: {"new": 0, "updated": 0, "unchanged": 0, "bad": 0})
    bad_rows: list[dict] = field(default_factory=list)
    rows_read: int = 0
    error_file: Path | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class ErrorWorkbook:
    """The bad rows, written as they are found (openpyxl write-only: memory stays flat)."""

    def __init__(self, path: Path, header: tuple, title: str):
        import openpyxl

        self.path = path
        self.workbook = openpyxl.Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(title=title or "错误行")
        self.sheet.append([cell_to_text(c) for c in header] + [ERROR_COLUMN])
        self.count = 0

    def add(self, row: Row) -> None:
        # Everything as text, so an ID number stays 18 digits when the file comes back.
        self.sheet.append([cell_to_text(c) for c in row.raw] + [gettext("第 %(number)s 行：%(reason)s") % {"number": row.number, "reason": row.reason}])
        self.count += 1

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.workbook.save(self.path)


def run_import(
    roster: Roster,
    path: Path | str,
    *,
    ctx: ImportContext,
    filename: str = "",
    error_path: Path | None = None,
    progress: Callable[[int, int | None, dict], None] | None = None,
    write_batch: Callable[[Roster, list[Row], ImportContext], None] | None = None,
) -> Result:
    """Read, check and (unless ctx.dry_run) write one file. Raises FileProblem for a refused file."""
    sheet = open_sheet(path, filename)
    try:
        return _run(roster, sheet, ctx, error_path, progress, write_batch or _default_write)
    finally:
        sheet.close()


def _default_write(roster: Roster, rows: list[Row], ctx: ImportContext) -> None:
    from rosters.actions import do_write_roster_batch

    do_write_roster_batch(actor=ctx.actor, roster=roster, rows=rows, ctx=ctx)


def _find_header(roster: Roster, rows) -> tuple[int, tuple, dict[str, int]]:
    seen = 0
    best: dict[str, int] = {}
    for number, cells in rows:
        if not any(cell_to_text(c).strip() for c in cells):
            continue
        found = roster.match_header(cells)
        missing = [c.header for c in roster.columns if c.required and c.key not in found]
        if found and not missing:
            return number, cells, found
        if len(found) > len(best):
            best = found
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    if best:
        missing = [c.header for c in roster.columns if c.required and c.key not in best]
        raise FileProblem(gettext("表头缺少必填列：%(columns)s。") % {"columns": "、".join(missing)})
    raise FileProblem(
        gettext("没有找到%(kind)s的表头。第一行（或标题行下面一行）应为列名，必填列：%(columns)s。")
        % {"kind": roster.label, "columns": "、".join(roster.required_headers)}
    )


def _run(roster, sheet: Sheet, ctx, error_path, progress, write_batch) -> Result:
    result = Result()
    rows = sheet.rows()
    header_number, header, columns = _find_header(roster, rows)
    if not ctx.dry_run:
        problem = sheet.truncation_problem(len([c for c in header if cell_to_text(c).strip()]))
        if problem:
            raise FileProblem(problem)
    roster.prepare(ctx)
    errors: ErrorWorkbook | None = None
    seen: dict[int, int] = {}  # key hash -> first row number (8-byte hashes keep this small)
    batch: list[Row] = []
    width = len(header)

    def flush() -> None:
        nonlocal errors
        good = [r for r in batch if not r.errors]
        if good:
            roster.classify(good, ctx)
        good = [r for r in batch if not r.errors]
        for r in good:
            result.counts[r.status] += 1
        changed = [r for r in good if r.status != "unchanged"]
        if changed and not ctx.dry_run:
            write_batch(roster, changed, ctx)
        for r in batch:
            if r.errors:
                result.counts["bad"] += 1
                if len(result.bad_rows) < SHOWN_BAD_ROWS:
                    result.bad_rows.append(
                        {"row": r.number, "code": r.errors[0].code, "reason": r.reason}
                    )
                if error_path is not None:
                    if errors is None:
                        errors = ErrorWorkbook(error_path, header, roster.sheet_title)
                    errors.add(r)
        batch.clear()
        if progress:
            estimated = sheet.estimated_rows
            progress(result.rows_read, max(estimated - header_number, result.rows_read) if estimated else None,
                     result.counts)

    column_items = list(columns.items())
    for number, cells in rows:
        result.rows_read = number - header_number
        if not cells or not any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells):
            continue  # blank rows are ignored
        if len(cells) < width:
            cells = tuple(cells) + (None,) * (width - len(cells))
        row = Row(number=number, raw=cells[:width] if len(cells) > width else cells,
                  values={key: cells[index] for key, index in column_items})
        roster.clean(row, ctx)
        if not row.errors:
            keys = [id_hash(k) for k in roster.key(row)]
            if keys and all(k in seen for k in keys):
                row.fail("duplicate_in_file", gettext("与文件第 %(line)s 行重复") % {"line": seen[keys[0]]})
            else:
                for k in keys:
                    seen.setdefault(k, number)
        batch.append(row)
        if len(batch) >= roster.batch_size:
            flush()
    flush()
    if errors is not None:
        errors.save()
        result.error_file = error_path
    return result

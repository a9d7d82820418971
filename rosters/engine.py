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
3. Rows are read in batches of the roster's batch_size; blank rows are ignored; each
   row is normalised and checked; a key already seen in the file is a duplicate. This
   runs one batch ahead in a thread (`read_ahead`) while the previous batch is written.
4. Each batch's good rows are compared with the database (new / updated /
   unchanged). In a dry run nothing is written; otherwise the batch is written
   in one transaction — all of its good rows or none.
5. Bad rows go to an error workbook (.xlsx) with the original columns and a
   "错误原因" column, ready to fix and import again.

The pipeline writes nothing itself: `run_pipeline` is handed the function that writes one batch
(`write_batch`). The audited write is an action (rosters.actions.do_write_roster_batch), and
actions stand above the roster kinds, which stand above this module; handing the writer in keeps
the imports running one way (models <- engine <- kinds <- actions). `rosters.actions.run_import`
is this pipeline with that writer.
"""

from __future__ import annotations

import gc
import hashlib
import queue
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from django.conf import settings
from django.db import connection, connections
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter

from governance.models import User
from governance.roles import Cap
from governance.scope import region_codes
from rosters.badrows import pii_spans
from rosters.models import RosterKind
from rosters.normalize import cell_to_text, clean_code, clean_text
from rosters.readers import FileProblem, Sheet, open_sheet
from rosters.sheets import xlsx_cells

BATCH_SIZE = 2000
HEADER_SEARCH_ROWS = 10
SHOWN_BAD_ROWS = 2000  # kept on the job for the page; all of them go to the error file
TEXT_COLUMN_WIDTHS = {"id_number": 22, "phone": 16, "credit_code": 22}  # characters
SHOWN_CHANGES = 50  # updated rows whose changes the dry run's page shows (a kind that says what changes)
ERROR_COLUMN = "错误原因"
REASON_CHARS = 500


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    help: str = ""
    pii: str = ""  # personal data: rosters.badrows.ID_NUMBER or PHONE (masked in the bad rows shown)


_TEXT_CACHE: dict[str, str] = {}


@dataclass
class RowError(Exception):
    code: str
    message: str


class Row:
    """One line of the file on its way through: its cells, then its record or its errors, then its status."""

    __slots__ = ("number", "raw", "values", "record", "errors", "status", "changes")

    def __init__(self, number: int, raw: tuple, values: dict[str, Any]):
        self.number = number
        self.raw = raw  # the original cells, in the file's column order
        self.values = values  # key -> raw cell value
        self.record: Any = None
        self.errors: list[RowError] = []
        self.status = ""  # new / updated / unchanged
        self.changes: list[tuple[str, str, str]] = []  # an updated row's (column, now, from the file), if its kind says

    def text(self, key: str) -> str:
        value = self.values.get(key)
        if value.__class__ is str and len(value) < 40:
            # Rosters repeat the same short values (民族, 网格编码, 楼栋…): clean each once.
            cleaned = _TEXT_CACHE.get(value)
            if cleaned is None:
                cleaned = clean_text(value)
                if len(_TEXT_CACHE) < 20_000:
                    _TEXT_CACHE[value] = cleaned
            return cleaned
        return clean_text(cell_to_text(value))

    def code(self, key: str) -> str:
        return clean_code(cell_to_text(self.values.get(key)))

    def fail(self, code: str, message: str) -> None:
        self.errors.append(RowError(code, message))

    @property
    def reason(self) -> str:
        """The row's errors in one line, at most REASON_CHARS long: a message may quote a cell, and a
        cell may be long (2,000 bad rows kept on the job, each quoting 100,000 characters, would be
        a 200 MB row in the database and on the page)."""
        reason = "；".join(e.message for e in self.errors)
        return reason if len(reason) <= REASON_CHARS else reason[:REASON_CHARS - 1] + "…"


@dataclass
class ImportContext:
    actor: User | None
    dry_run: bool
    prefixes: tuple[str, ...] | None  # None: everywhere (system or superuser)
    job: Any = None
    # A resumed job: the batches already written, {(first row, last row): their counts}
    # (rosters.models.WrittenBatch). Only the very same rows are skipped: a batch cut differently (another
    # batch size since) is compared and written again, which writes nothing twice (new rows now exist).
    written: dict[tuple[int, int], dict] = field(default_factory=dict)
    # ... and, by its first row, the rows such a batch refused when it was written, {file row: (error code,
    # reason)}; None where they were not recorded. Asked one batch at a time (a file with a million bad rows
    # keeps memory flat).
    refused_when_written: Callable[[int], dict[int, tuple[str, str]] | None] | None = None

    def in_scope(self, code: str) -> bool:
        return self.prefixes is None or code.startswith(self.prefixes)


def context_for(actor: User | None, dry_run: bool, job: Any = None) -> ImportContext:
    if actor is None:
        prefixes = None
    else:
        prefixes = region_codes(actor, Cap.IMPORT_ROSTER)
    return ImportContext(actor=actor, dry_run=dry_run, prefixes=prefixes, job=job)


class Roster:
    """One kind of roster. Subclasses declare their kind and columns and implement the three hooks."""

    kind: RosterKind  # each subclass sets it; the registry (rosters.kinds.ROSTERS) is keyed by it
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

    def inserts_before_comparing(self) -> bool:
        """True: write() gets the good rows before classify(), with no status, and sets the
        statuses itself (e.g. inserting the new rows first is cheaper than looking them up)."""
        return False

    def key_hashes(self, row: Row) -> list[int]:
        """The keys as 8-byte integers (what the duplicate check remembers for the whole file)."""
        return [id_hash(k) for k in self.key(row)]

    def classify(self, rows: list[Row], ctx: ImportContext) -> None:
        """Compare a batch of good rows with the database: set row.status, or row.fail(...)."""
        raise NotImplementedError

    def write(self, rows: list[Row], ctx: ImportContext) -> None:
        """Write a batch of classified rows (new and updated). Runs inside the batch transaction."""
        raise NotImplementedError

    # The export: everything of the kind that the user reaches with export_cap, in the import layout.
    export_cap: str = Cap.VIEW_REGISTER

    def export_queryset(self, user: User) -> QuerySet:
        """What the export holds, one row of the file per row of this queryset (the audit counts it)."""
        raise NotImplementedError

    def export_rows(self, user: User) -> Iterable[tuple]:
        raise NotImplementedError

    @property
    def label(self) -> str:
        return RosterKind(self.kind).label

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


# Writes one batch's changed rows, all or nothing; the whole batch is its 4th argument (rosters.actions.run_import
# hands in do_write_roster_batch, which records the batch as written in the same transaction).
BatchWriter = Callable[[Roster, list[Row], ImportContext, list[Row]], None]


def _header_key(text: str) -> str:
    text = clean_code(text).replace("*", "").replace("（", "(").replace("）", ")")
    if "(" in text and not text.startswith("("):
        text = text.split("(", 1)[0]  # "联系电话(必填)" → "联系电话"
    return text


def _has_content(cells) -> bool:
    try:
        return bool("".join(cells).strip())  # a CSV row: all text
    except TypeError:
        return any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells)


def id_hash(value: str) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big")


@dataclass
class Result:
    counts: dict[str, int] = field(default_factory=lambda: {"new": 0, "updated": 0, "unchanged": 0, "bad": 0})
    bad_rows: list[dict] = field(default_factory=list)
    # What the first updated rows change, for the dry run's page: {"row", "key", "changes": [[column, old, new]]}.
    changes: list[dict] = field(default_factory=list)
    rows_read: int = 0
    error_file: Path | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class ErrorWorkbook:
    """The bad rows, written as they are found (openpyxl write-only: memory stays flat)."""

    def __init__(self, path: Path, header: tuple, title: str, text_columns: dict[int, int] | None = None):
        """`text_columns`: {column index: width} of the columns typed as text ("@") — ID numbers, phones,
        credit codes: a number corrected in Excel stays text (not 2.10802E+17) and shows whole."""
        self.path = path
        self.workbook = openpyxl.Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(title=title or "错误行")
        self.text_columns = text_columns or {}
        for index, width in self.text_columns.items():
            self.sheet.column_dimensions[get_column_letter(index + 1)].width = width
        self.sheet.column_dimensions[get_column_letter(len(header) + 1)].width = 60  # 错误原因
        # The header's extra columns are the uploader's text too.
        self.sheet.append(xlsx_cells(self.sheet, [cell_to_text(c) for c in header] + [ERROR_COLUMN]))
        self.count = 0

    def add(self, row: Row) -> None:
        # Everything as text, so an ID number stays 18 digits when the file comes back, and text
        # that a spreadsheet would evaluate (=HYPERLINK(…) in a name) stays text (rosters.sheets).
        reason = gettext("第 %(number)s 行：%(reason)s") % {"number": row.number, "reason": row.reason}
        cells = xlsx_cells(self.sheet, [cell_to_text(c) for c in row.raw] + [reason])
        for index in self.text_columns:
            if index < len(cells) and not isinstance(cells[index], Cell):
                cell = WriteOnlyCell(self.sheet, value=cells[index])
                cell.number_format = "@"
                cells[index] = cell
        self.sheet.append(cells)
        self.count += 1

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.workbook.save(self.path)


def run_pipeline(
    roster: Roster,
    path: Path | str,
    *,
    ctx: ImportContext,
    write_batch: BatchWriter,
    filename: str = "",
    error_path: Path | None = None,
    progress: Callable[[int, int | None, dict], None] | None = None,
) -> Result:
    """Read, check and (unless ctx.dry_run) write one file, each batch through `write_batch`.
    Raises FileProblem for a refused file."""
    sheet = open_sheet(path, filename)
    try:
        with _import_tuning():
            return _run(roster, sheet, ctx, error_path, progress, write_batch)
    finally:
        sheet.close()


_tuning_lock = threading.Lock()
_tuning_users = 0
_tuning_saved: tuple = ()


@contextmanager
def _import_tuning():
    """Process-wide settings for the length of an import (or of overlapping imports: the first to
    start sets them, the last to end puts the old ones back).

    - An import makes millions of short-lived, acyclic objects; the default GC thresholds would run
      the cycle collector every 700 of them over everything alive (a third of the checking time).
    - The writing threads come back from each database call needing the GIL that the read-ahead
      thread holds; by default they would wait up to 5 ms every time."""
    global _tuning_users, _tuning_saved
    with _tuning_lock:
        if _tuning_users == 0:
            _tuning_saved = (gc.get_threshold(), sys.getswitchinterval())
            gc.set_threshold(100_000, 50, 100)
            sys.setswitchinterval(0.0005)
        _tuning_users += 1
    try:
        yield
    finally:
        with _tuning_lock:
            _tuning_users -= 1
            if _tuning_users == 0:
                thresholds, interval = _tuning_saved
                gc.set_threshold(*thresholds)
                sys.setswitchinterval(interval)


def _find_header(roster: Roster, rows: Iterator[tuple[int, tuple]]) -> tuple[int, tuple, dict[str, int]]:
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


def _run(roster: Roster, sheet: Sheet, ctx: ImportContext, error_path: Path | None,
         progress: Callable[[int, int | None, dict], None] | None, write_batch: BatchWriter) -> Result:
    result = Result()
    rows = sheet.rows()
    header_number, header, columns = _find_header(roster, rows)
    if not ctx.dry_run:
        problem = sheet.truncation_problem(len([c for c in header if cell_to_text(c).strip()]))
        if problem:
            raise FileProblem(problem)
    roster.prepare(ctx)
    errors: ErrorWorkbook | None = None
    pii_columns = [c for c in roster.columns if c.pii]
    # The error file's number columns as text, wide enough for the whole number.
    text_columns = {columns[c.key]: TEXT_COLUMN_WIDTHS.get(c.pii or c.key, 20) for c in roster.columns
                    if c.key in columns and (c.pii or c.key in TEXT_COLUMN_WIDTHS)}

    def compare_and_write(item: tuple[list[Row], int]) -> tuple[list[Row], int, dict | None]:
        batch, rows_read = item
        written = ctx.written.get((batch[0].number, batch[-1].number)) if batch else None
        if written is not None:  # written, whole, before the job was resumed
            refused = ctx.refused_when_written(batch[0].number) if ctx.refused_when_written else None
            if refused is not None:
                _refuse_as_written(batch, refused)
            return batch, rows_read, written
        good = [r for r in batch if not r.errors]
        if good and not ctx.dry_run and roster.inserts_before_comparing():
            write_batch(roster, good, ctx, batch)  # the roster compares as it writes
            return batch, rows_read, None
        if good:
            roster.classify(good, ctx)
        changed = [r for r in good if not r.errors and r.status != "unchanged"]
        if changed and not ctx.dry_run:
            write_batch(roster, changed, ctx, batch)
        return batch, rows_read, None

    def account(batch: list[Row], rows_read: int, written: dict | None) -> None:
        nonlocal errors
        result.rows_read = rows_read
        if written is not None:
            # A batch written before a resume: its counts as recorded; its refused rows, as they were
            # refused then (_refuse_as_written), still go to the list and the error file below.
            for key, n in written.items():
                result.counts[key] = result.counts.get(key, 0) + n
        for r in batch:
            if written is not None and not r.errors:
                continue
            if not r.errors:
                result.counts[r.status] += 1
                if r.status == "updated" and r.changes and len(result.changes) < SHOWN_CHANGES:
                    result.changes.append({"row": r.number, "key": roster.key(r)[0] if roster.key(r) else "",
                                           "changes": [list(c) for c in r.changes]})
                continue
            if written is None:
                result.counts["bad"] += 1
            if len(result.bad_rows) < SHOWN_BAD_ROWS:
                reason = r.reason
                # Where the reason quotes the row's ID number or phone: the page masks it (rosters.badrows).
                spans = pii_spans(reason, [(c.pii, cell_to_text(r.values.get(c.key))) for c in pii_columns])
                result.bad_rows.append({"row": r.number, "code": r.errors[0].code, "reason": reason, "pii": spans})
            if error_path is not None:
                if errors is None:
                    errors = ErrorWorkbook(error_path, header, roster.sheet_title, text_columns)
                errors.add(r)
        if progress:
            estimated = sheet.estimated_rows
            progress(result.rows_read, max(estimated - header_number, result.rows_read) if estimated else None,
                     result.counts)

    # Reading and checking (pure Python, no database) runs ahead in a thread while batches are
    # compared and written: the database works while Python checks.
    batches = read_ahead(_checked_batches(roster, rows, ctx, header_number, len(header), columns))
    writers = _writer_threads(roster)
    if writers > 1:
        done = in_threads(compare_and_write, batches, writers)
    else:
        done = map(compare_and_write, batches)
    for batch, rows_read, written in done:
        account(batch, rows_read, written)
    if errors is not None:
        errors.save()
        result.error_file = error_path
    return result


def _refuse_as_written(batch: list[Row], refused: dict[int, tuple[str, str]]) -> None:
    """A batch written before its job was resumed: exactly the rows it refused when it was written are
    bad again, with the reasons given then. The checks run again on every row (they need no database)
    would not find what the comparison with the database refused (an account outside the scope), and
    their own answers may have changed since (a grid added meanwhile): the error file and the counts
    say what was written and what was not."""
    for row in batch:
        was = refused.get(row.number)
        row.errors = [RowError(*was)] if was else []


def _writer_threads(roster: Roster) -> int:
    """How many batches are compared and written at once, each in its own transaction.

    More than one only on PostgreSQL (whose server works on several batches at once; SQLite
    writes one at a time anyway) and only outside a transaction: inside one (a test case, or a
    caller's atomic block) other connections could not see its rows, and "all or nothing per
    batch" needs each batch's transaction to be its own."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, int(getattr(settings, "ROSTER_IMPORT_WRITERS", 2)))


def _checked_batches(roster: Roster, rows: Iterator[tuple[int, tuple]], ctx: ImportContext, header_number: int,
                     width: int, columns: dict[str, int]) -> Iterator[tuple[list[Row], int]]:
    """(batch of normalised and checked rows, rows read so far), in file order; the last batch may be empty.

    Runs in the read-ahead thread: it must not touch the database (roster.prepare loaded what
    clean() needs)."""
    seen = SeenKeys()
    batch: list[Row] = []
    rows_read = 0
    column_items = list(columns.items())
    size = roster.batch_size
    try:
        for number, cells in rows:
            rows_read = number - header_number
            if not cells or not _has_content(cells):
                continue  # blank rows are ignored
            if len(cells) < width:
                cells = tuple(cells) + (None,) * (width - len(cells))
            row = Row(number=number, raw=cells[:width] if len(cells) > width else cells,
                      values={key: cells[index] for key, index in column_items})
            roster.clean(row, ctx)
            batch.append(row)
            if len(batch) >= size:
                seen.mark_duplicates(roster, batch)
                yield batch, rows_read
                batch = []
        seen.mark_duplicates(roster, batch)
        yield batch, rows_read
    finally:
        seen.close()


class SeenKeys:
    """The keys met so far in the file (8-byte hashes) and the row that first had each.

    Up to IN_MEMORY keys they live in a dict (fast; ~100 bytes a key). A bigger file moves them
    to a temporary on-disk SQLite table, so that memory stays flat however long the file is:
    a 10-million-row roster would otherwise hold a gigabyte of keys."""

    IN_MEMORY = 200_000

    def __init__(self) -> None:
        self.memory: dict[int, int] | None = {}
        self.disk = None

    def mark_duplicates(self, roster, batch: list[Row]) -> None:
        """Fail each good row whose keys all appeared earlier (in this batch or before it)."""
        keyed = [(row, roster.key_hashes(row)) for row in batch if not row.errors]
        earlier = self._first_rows({k for _, keys in keyed for k in keys})
        added: dict[int, int] = {}
        for row, keys in keyed:
            if keys and all(k in earlier for k in keys):
                row.fail("duplicate_in_file", gettext("与文件第 %(line)s 行重复") % {"line": earlier[keys[0]]})
                continue
            for k in keys:
                if k not in earlier:
                    earlier[k] = added[k] = row.number
        self._add(added)

    def _first_rows(self, keys: set[int]) -> dict[int, int]:
        if self.memory is not None:
            memory = self.memory
            return {k: memory[k] for k in keys if k in memory}
        found: dict[int, int] = {}
        wanted = [_signed(k) for k in keys]
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            found.update(
                (_unsigned(k), row) for k, row in self.disk.execute(
                    f"SELECT key, row FROM seen WHERE key IN ({','.join('?' * len(part))})", part)
            )
        return found

    def _add(self, added: dict[int, int]) -> None:
        if self.memory is not None:
            self.memory.update(added)
            if len(self.memory) <= self.IN_MEMORY:
                return
            self.disk = sqlite3.connect("")  # "": a private temporary database on disk
            self.disk.execute("CREATE TABLE seen (key INTEGER PRIMARY KEY, row INTEGER NOT NULL)")
            added, self.memory = self.memory, None
        self.disk.executemany("INSERT INTO seen VALUES (?, ?)", ((_signed(k), r) for k, r in added.items()))

    def close(self) -> None:
        if self.disk is not None:
            self.disk.close()


def _signed(key: int) -> int:
    return key - (1 << 64) if key >= 1 << 63 else key  # SQLite integers are signed 64-bit


def _unsigned(key: int) -> int:
    return key + (1 << 64) if key < 0 else key


_DONE = object()


def read_ahead(items: Iterator, depth: int = 1) -> Iterator:
    """Iterate `items` in a background thread, at most `depth` items ahead of the consumer.

    Why a thread and not a process: the consumer spends its time waiting on the database
    (psycopg2 and sqlite3 release the GIL there), which is exactly when the producer needs it.
    The producer runs under the consumer's language (messages are translated as they are made);
    its exceptions are raised here, in the consumer. If the consumer stops early, the producer is
    told to stop and does at most one more item."""
    language = translation.get_language()
    out: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        translation.activate(language)
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        out.put((True, item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            out.put((True, _DONE))
        except BaseException as error:  # handed to the consumer, which raises it
            out.put((False, error))
        finally:
            translation.deactivate()

    thread = threading.Thread(target=produce, name="roster-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            ok, item = out.get()
            if not ok:
                raise item
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                out.get_nowait()  # unblock a producer waiting to put
            except queue.Empty:
                pass
            thread.join(timeout=0.05)


def in_threads(fn: Callable, items: Iterator, workers: int) -> Iterator:
    """fn(item) for every item, in `workers` threads, the results yielded in the items' order.

    At most 2 × workers items are in hand at once (memory stays flat). The first exception
    stops the work: items not started yet are skipped, and the exception is raised here. Each
    thread closes its own database connections when it ends."""
    todo: queue.Queue = queue.Queue()
    finished: dict[int, tuple[bool, Any]] = {}
    changed = threading.Condition()
    in_hand = threading.Semaphore(2 * workers)
    stop = threading.Event()

    def work() -> None:
        try:
            while True:
                job = todo.get()
                if job is None:
                    return
                index, item = job
                if stop.is_set():
                    outcome = (False, None)
                else:
                    try:
                        outcome = (True, fn(item))
                    except BaseException as error:  # raised by the consumer below
                        stop.set()
                        outcome = (False, error)
                with changed:
                    finished[index] = outcome
                    changed.notify_all()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, name=f"roster-writer-{n}", daemon=True) for n in range(workers)]
    for thread in threads:
        thread.start()
    submitted = 0
    next_out = 0

    def take(wait: bool):
        nonlocal next_out
        with changed:
            if wait:
                changed.wait_for(lambda: next_out in finished)
            elif next_out not in finished:
                return None
            ok, value = finished.pop(next_out)
        next_out += 1
        in_hand.release()
        if not ok:
            raise value if value is not None else RuntimeError("roster writer stopped")
        return value

    try:
        for item in items:
            while not in_hand.acquire(timeout=0.05):
                ready = take(wait=False)  # make room: hand over what is finished
                if ready is not None:
                    yield ready
            todo.put((submitted, item))
            submitted += 1
            while (ready := take(wait=False)) is not None:
                yield ready
        while next_out < submitted:
            yield take(wait=True)
    finally:
        stop.set()
        for _ in threads:
            todo.put(None)
        for thread in threads:
            thread.join()

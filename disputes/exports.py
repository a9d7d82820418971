"""The case list's export: rows read straight from the database and written as they come.

- `case_rows(qs)` turns a case queryset into export rows, read by key in chunks of 10,000
  (`values_list`): no model instances, labels looked up once, so memory stays
  flat and the cost per row is small beside the spreadsheet library's own.
- `write_xlsx` uses xlsxwriter's constant-memory mode (`governance.spreadsheets.XLSXWRITER_OPTIONS`:
  no string is ever read as a formula); `csv_lines` yields a UTF-8 CSV (with BOM, for Excel) line by
  line through `governance.spreadsheets.csv_row`.
- Up to `settings.CASE_EXPORT_INLINE_ROWS` rows the request writes the file itself (the CSV streams,
  the .xlsx goes out from a temporary file); above, `ExportJob` + `disputes.tasks.exports`.

Measured in bench/bench_export.py against xlsxwriter / csv writing the same cells bare.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import IO
from zoneinfo import ZoneInfo

import xlsxwriter
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from disputes.models import OPEN_STATUSES, Status, Supervision, Urgency
from governance.roles import Level
from governance.spreadsheets import XLSXWRITER_OPTIONS, csv_row

HEADERS = [
    "编号", "标题", "类别", "子类", "紧急程度", "状态", "网格", "网格编码", "地点", "上报人", "上报时间",
    "处置人/部门", "当前时限", "是否超期", "返工次数", "督办", "责任层级", "结案时间", "满意度",
]
COLUMNS = (
    "pk", "created_at", "title", "category__name", "category__parent__name", "urgency", "status", "grid__name",
    "grid_id", "address", "filer__name", "filer__username", "assignee_id", "assignee__name", "assignee__username",
    "department__name", "deadline", "rework_count", "supervision", "level", "closed_at", "rating",
)
PROGRESS_EVERY = 2000
CHUNK = 10_000


def _local(tz: ZoneInfo) -> Callable[[datetime | None], datetime | None]:
    def local(dt: datetime | None) -> datetime | None:
        return dt.astimezone(tz).replace(tzinfo=None) if dt is not None else None
    return local


def _chunks(qs: QuerySet, size: int = CHUNK) -> Iterator[tuple]:
    """The rows of `qs` newest first, CHUNK at a time by key (created_at, id): each chunk is an
    ordinary query planned for its LIMIT, large enough that a street's slice is read by its index and
    sorted rather than found by walking the whole table newest first. (A server-side cursor is
    planned for its first rows and does that walk; an OFFSET would re-read every row before.)"""
    ordered = qs.order_by("-created_at", "-id").values_list(*COLUMNS)
    chunk = list(ordered[:size])
    while chunk:
        yield from chunk
        if len(chunk) < size:
            return
        last_pk, last_at = chunk[-1][0], chunk[-1][1]
        chunk = list(ordered.filter(created_at__lte=last_at).filter(
            Q(created_at__lt=last_at) | Q(created_at=last_at, pk__lt=last_pk))[:size])


def case_rows(qs: QuerySet, now: datetime | None = None) -> Iterator[list]:
    """The export rows of `qs` (newest first), as the list shows them; read in chunks of 10,000 by key."""
    now = now or timezone.now()
    local = _local(ZoneInfo(settings.TIME_ZONE))
    urgency = {v: str(label) for v, label in Urgency.choices}
    status = {v: str(label) for v, label in Status.choices}
    card = {v: str(label) for v, label in Supervision.choices}
    level = {v: str(label) for v, label in Level.choices}
    is_open = set(OPEN_STATUSES)
    yes, no = "是", "否"
    for (pk, created, title, cat, parent, urg, st, grid_name, grid, address, filer, filer_login, assignee_id,
         assignee, assignee_login, department, deadline, rework, sup, lvl, closed, rating) in _chunks(qs):
        created_local = local(created)
        yield [
            f"SJ{created_local:%Y%m%d}{pk:06d}", title, parent or cat, cat if parent else "", urgency.get(urg, urg),
            status.get(st, st), grid_name, grid, address, filer or filer_login, created_local,
            (assignee or assignee_login) if assignee_id else (department or ""), local(deadline),
            yes if (st in is_open and deadline is not None and deadline < now) else no, rework,
            card.get(sup, sup), level.get(lvl, lvl), local(closed), rating,
        ]


def _counted(rows: Iterable[list], progress: Callable[[int], None] | None) -> Iterator[list]:
    n = 0
    for n, row in enumerate(rows, 1):  # noqa: B007
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n)
        yield row
    if progress is not None:
        progress(n)


def write_xlsx(rows: Iterable[list], out: IO[bytes] | str, progress: Callable[[int], None] | None = None) -> None:
    """An .xlsx of the header and `rows` into `out` (a path or a binary file), in constant memory."""
    wb = xlsxwriter.Workbook(out, XLSXWRITER_OPTIONS)
    ws = wb.add_worksheet("事件")
    ws.write_row(0, 0, HEADERS)
    write = ws.write_row
    for i, row in enumerate(_counted(rows, progress), 1):
        write(i, 0, row)
    wb.close()


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list], progress: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """The CSV, line by line, UTF-8 with a BOM (so Excel reads the Chinese); formulas neutralised."""
    writer = csv.writer(_Echo())
    yield "\ufeff".encode() + writer.writerow(HEADERS).encode()
    for row in _counted(rows, progress):
        yield writer.writerow(csv_row(
            [v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else ("" if v is None else v) for v in row]
        )).encode()


def write_csv(rows: Iterable[list], out: IO[bytes], progress: Callable[[int], None] | None = None) -> None:
    for line in csv_lines(rows, progress):
        out.write(line)


def file_name(file_format: str) -> str:
    return f"cases-{timezone.localdate():%Y%m%d}.{file_format}"


CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}

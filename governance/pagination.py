"""Pagination for lists that can grow to city scale.

Django's Paginator counts every matching row on every page view. A city
leader's case list matches millions of rows over the years, so lists count at
most CAP rows and say "more than CAP" beyond that; filters narrow the list.

Deep pages by OFFSET still walk every row before the page, so the big lists page by key
instead (`keyset_page`, below): the position of the last row shown goes into the URL and the
next page starts there. Cases and disputes go by (time, pk) and show a capped count; the
registers and the visit log, at 10 M rows, go by the pk alone and never count.

Every keyset list renders `templates/_pager.html` with the context of `pager_links`.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from functools import reduce

from django.core.paginator import Page, Paginator
from django.db import DatabaseError, connection, models
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _


def _capped_count(qs, cap: int) -> int:
    """min(len(qs), cap + 1), stopping after cap + 1 rows. Which rows reach the limit does not matter
    for the count, so the list's order and display joins are left out of the subquery: kept, PostgreSQL
    walked the list's order to its 501st row (a department's cases: 78 ms at 2 M cases; unordered, by
    the dispatch index: 8 ms)."""
    if isinstance(qs, QuerySet) and not (qs.query.combinator or qs.query.group_by is not None or qs._fields
                                         or qs.query.distinct_fields):
        qs = qs.order_by().select_related(None).values("pk")
    return qs[: cap + 1].count() if isinstance(qs, QuerySet) else len(qs[: cap + 1])


class CappedPaginator(Paginator):
    cap = 10_000

    @cached_property
    def count(self) -> int:
        # COUNT(*) over a LIMIT-ed subquery: stops after cap + 1 rows (any rows: see _capped_count).
        return _capped_count(self.object_list, self.cap)

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap


# ---------------------------------------------------------------- keyset ("seek") pages

KEY_RE = re.compile(r"^([0-9]{1,17})\.([0-9]{1,19})$")
PK_KEY_RE = re.compile(r"^[0-9]{1,19}$")
MAX_PK = 2**63 - 1
EPOCH = datetime(1970, 1, 1, tzinfo=dt_timezone.utc)


class BadPageKey(ValueError):
    """A page key from the URL that is not one this module wrote."""


def encode_key(moment: datetime, pk: int) -> str:
    """`<microseconds since 1970 UTC>.<pk>`: the position of one row in (time, pk) order."""
    delta = moment - EPOCH
    return f"{(delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds}.{pk}"


def decode_key(raw: str) -> tuple[datetime, int]:
    m = KEY_RE.match(raw or "")
    if not m or int(m.group(2)) > MAX_PK:
        raise BadPageKey(raw)
    try:
        return EPOCH + timedelta(microseconds=int(m.group(1))), int(m.group(2))
    except OverflowError:
        raise BadPageKey(raw) from None


def decode_pk_key(raw: str) -> int:
    """A key of a list paged by the pk alone: the pk itself (`?after=123`)."""
    if not PK_KEY_RE.match(raw or "") or int(raw) > MAX_PK:
        raise BadPageKey(raw)
    return int(raw)


@dataclass
class KeysetPage:
    """One page of a list ordered newest first by (time field, pk), or by the pk alone, reached by
    key, not by OFFSET: page 1000 costs what page 1 costs. `next_key` / `prev_key` go into
    `?after=` / `?before=`. The count shown is the capped one (at most `cap` + 1 rows are
    counted); a list that is never counted (`counted` None) refuses to count."""

    rows: list
    counted: QuerySet | None
    next_key: str | None = None
    prev_key: str | None = None
    listed: QuerySet | None = None  # the whole list, for its estimated total
    is_first: bool = False
    number: int | None = None  # the page's position, when the link that led here said it (?p=)
    cap = CappedPaginator.cap

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    @cached_property
    def count(self) -> int:
        if self.counted is None:
            raise TypeError("this list is paged without counting it")
        return _capped_count(self.counted, self.cap)

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    @property
    def has_next(self) -> bool:
        return self.next_key is not None

    @property
    def has_previous(self) -> bool:
        return self.prev_key is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @cached_property
    def total(self) -> Total | None:
        """How many rows the list holds. Exact when the page shows them all; a counted list (cases,
        disputes) is counted up to `cap` as before (LIMIT-ed), past it PostgreSQL's planner estimate
        (EXPLAIN: planned, no row read) or, elsewhere, "more than `cap`"; a list never counted (the
        registers, the visit log: 10 M rows) shows the planner's estimate on PostgreSQL (one EXPLAIN)
        and, elsewhere, a count that stops at ESTIMATE_EXACT_BELOW: one query either way."""
        if self.is_first and not self.has_next:
            return Total(len(self.rows))
        if self.counted is None and self.listed is None and not self.rows:
            return None
        if self.counted is not None:
            if not self.is_capped:
                return Total(self.count)
            return Total(planner_estimate(self.counted), exact=False, at_least=self.cap)
        if self.listed is None:  # a page made by hand (an empty result): nothing to tell
            return None
        estimate = planner_estimate(self.listed)
        if estimate is not None:  # PostgreSQL: the planner's word, never below what the pages have shown
            return Total(max(estimate, len(self.rows) + (1 if self.has_next else 0)), exact=False)
        limit = ESTIMATE_EXACT_BELOW  # elsewhere (SQLite: one machine's data) a count that stops at the limit
        n = self.listed.order_by()[: limit + 1].count()
        return Total(n) if n <= limit else Total(None, exact=False, at_least=limit)


ESTIMATE_EXACT_BELOW = 1_000  # without a planner estimate (SQLite), a list never counted is counted up to this


@dataclass(frozen=True)
class Total:
    """A list's total for the pager: `n` exact, or estimated (`exact` False; None: only "more than
    `at_least`"). str(): "共 1,234 条", "约 1.2 万条", "超过 10,000 条"."""

    n: int | None
    exact: bool = True
    at_least: int = 0

    def __str__(self) -> str:
        if self.exact and self.n is not None:
            return _("共 %(n)s 条") % {"n": f"{self.n:,}"}
        if self.n is None or self.n <= self.at_least:  # no estimate, or one the count has proved low
            return _("超过 %(n)s 条") % {"n": f"{self.at_least:,}"}
        number, unit = approximate_parts(self.n)
        if unit:
            return _("约 %(n)s %(unit)s条") % {"n": number, "unit": unit}
        return _("约 %(n)s 条") % {"n": number}


def approximate_parts(n: int) -> tuple[str, str]:
    """Two significant figures in 万 / 亿: 12,345 → ("1.2", "万"), 123,456 → ("12", "万"), 3.4e8 → ("3.4", "亿");
    below 10,000 rounded to hundreds or tens, no unit. Other languages count in thousands, so there it is
    two significant figures with no unit: 12,345 → ("12,000", "")."""
    if not (translation.get_language() or "zh").startswith("zh"):
        return f"{round(n, -max(len(str(n)) - 2, 0)):,}", ""
    for unit, size in ((_("亿"), 100_000_000), (_("万"), 10_000)):
        if n >= size:
            value = n / size
            text = f"{value:.1f}".rstrip("0").rstrip(".") if value < 10 else f"{round(value):,}"
            return text, unit
    return f"{round(n, -2 if n >= 1000 else -1 if n >= 100 else 0):,}", ""


def approximate(n: int) -> str:
    number, unit = approximate_parts(n)
    return f"{number} {unit}".strip()


def planner_estimate(qs: QuerySet) -> int | None:
    """PostgreSQL's estimate of how many rows `qs` holds (EXPLAIN: planned, nothing read); None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    try:
        plan = json.loads(qs.order_by().explain(format="json"))
    except (ValueError, TypeError, DatabaseError):
        return None
    try:
        return int(plan[0]["Plan"]["Plan Rows"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def _value(row, path: str):
    for part in path.split("__"):
        row = getattr(row, part)
    return row


def _older(qs: QuerySet, time_field: str | None, raw: str, ascending: bool = False) -> QuerySet:
    """The rows of `qs` after key `raw` in newest-first order (oldest-first: `ascending`, pk only).

    The redundant `time <= t` bound beside the row comparison lets the database start its index
    scan at the key instead of filtering its way down from the newest row."""
    if time_field is None:
        pk = decode_pk_key(raw)
        return qs.filter(pk__gt=pk) if ascending else qs.filter(pk__lt=pk)
    moment, pk = decode_key(raw)
    return qs.filter(**{f"{time_field}__lte": moment}).filter(
        Q(**{f"{time_field}__lt": moment}) | Q(**{time_field: moment, "pk__lt": pk})
    )


def _newer(qs: QuerySet, time_field: str | None, raw: str, ascending: bool = False) -> QuerySet:
    """The rows of `qs` before key `raw` in newest-first order (the mirror of `_older`)."""
    if time_field is None:
        pk = decode_pk_key(raw)
        return qs.filter(pk__lt=pk) if ascending else qs.filter(pk__gt=pk)
    moment, pk = decode_key(raw)
    return qs.filter(**{f"{time_field}__gte": moment}).filter(
        Q(**{f"{time_field}__gt": moment}) | Q(**{time_field: moment, "pk__gt": pk})
    )


def _first_rows(qs: QuerySet, parts: Sequence[QuerySet] | None, narrow, order: tuple[str, ...], limit: int,
                time_field: str | None) -> list:
    """The first `limit` rows of `narrow(qs)` in `order`. With `parts` (querysets whose union is `qs`),
    the same rows found part by part — each part narrowed alike, in the same order and limit, its keys
    alone — merged in `order` with each row once (a row may be in two parts), then read from `qs` by
    pk in one query. Keys alone: a part with the display joins took 3–8 ms to plan at 2 M cases, for
    0.2–1 ms of reading; without them 0.1 ms."""
    if not parts:
        return list(narrow(qs).order_by(*order)[:limit])
    columns = ("pk", time_field) if time_field else ("pk",)
    keys: dict = {}
    for part in parts:
        for values in narrow(part).order_by(*order).values_list(*columns)[:limit]:
            keys[values[0]] = values
    chosen = sorted(keys.values(), key=lambda v: (v[1], v[0]) if time_field else v[0],
                    reverse=order[0].startswith("-"))[:limit]
    rows = {row.pk: row for row in qs.filter(pk__in=[v[0] for v in chosen])}
    return [rows[v[0]] for v in chosen if v[0] in rows]


def keyset_page(
    qs: QuerySet,
    *,
    time_field: str | None = None,
    after: str | None = None,
    before: str | None = None,
    size: int = 30,
    counted: bool = True,
    ascending: bool = False,
    parts: Sequence[QuerySet] | None = None,
) -> KeysetPage:
    """The `size` rows of `qs`, newest first, just older than key `after`, or just newer than key
    `before`, or the first page. Newest first is by (`time_field`, pk), or by the pk alone when
    `time_field` is None (the key is then the pk); `ascending` (pk only): oldest first, in the order
    rows were entered (houses: building by building, room by room). `counted=False`: the page never
    counts `qs` exactly beyond what it saw (its total is the planner's estimate). Raises BadPageKey
    for a key it cannot read.

    `parts`: querysets whose union is `qs` (each with `qs`'s filters and select_related), read one by
    one and merged — the same page as `qs` gives, for a `qs` whose OR keeps the database from the index
    each part has (disputes.selectors.cases.visible_case_parts). One query a part and one for the
    page's rows (from `qs`: its joins, its scope); `qs` is still what is counted and estimated."""
    if ascending and time_field:
        raise TypeError("keyset_page: ascending pages go by the pk alone")
    order = (f"-{time_field}", "-pk") if time_field else (("pk",) if ascending else ("-pk",))
    reverse = tuple(name[1:] if name.startswith("-") else f"-{name}" for name in order)
    if time_field:
        key = lambda row: encode_key(_value(row, time_field), row.pk)  # noqa: E731
    else:
        key = lambda row: str(row.pk)  # noqa: E731
    if parts is not None and len(parts) == 1:
        parts = None  # the one part is `qs`
    counted_qs = qs if counted else None
    if before:
        rows = _first_rows(qs, parts, lambda q: _newer(q, time_field, before, ascending), reverse, size + 1, time_field)
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        if rows:
            return KeysetPage(rows=rows, counted=counted_qs, next_key=key(rows[-1]),
                              prev_key=key(rows[0]) if more_newer else None, listed=qs, is_first=not more_newer)
        # Nothing newer than the key any more: show the first page.
        after = None
    if after:
        rows = _first_rows(qs, parts, lambda q: _older(q, time_field, after, ascending), order, size + 1, time_field)
    else:
        rows = _first_rows(qs, parts, lambda q: q, order, size + 1, time_field)
    next_key = key(rows[size - 1]) if len(rows) > size else None
    rows = rows[:size]
    prev_key = key(rows[0]) if after and rows else None
    return KeysetPage(rows=rows, counted=counted_qs, next_key=next_key, prev_key=prev_key, listed=qs,
                      is_first=not after)


def seek_page(request: HttpRequest, qs: QuerySet, time_field: str | None, size: int, *,
              counted: bool = True, ascending: bool = False, order: Sequence[str] | None = None,
              prefix: str = "", parts: Sequence[QuerySet] | None = None) -> KeysetPage:
    """The page of `qs` the request's `after` / `before` key points at (newest first); a key that
    is not ours is a BadPageKey (the caller answers 400). `order` (then `time_field` is None): the
    list's own order, as `ordered_page` takes it. `prefix`: the keys are `<prefix>after` /
    `<prefix>before`, for a second paged list on the same page (pager_links with the same prefix).
    `parts`: `qs` as a union of querysets, read part by part (keyset_page; not with `order`)."""
    g = request.GET
    after, before = g.get(f"{prefix}after"), g.get(f"{prefix}before")
    if order is not None:
        if parts is not None:
            raise TypeError("seek_page: a list in its own order is read whole, not in parts")
        return ordered_page(qs, order, after=after, before=before, size=size, counted=counted)
    return keyset_page(qs, time_field=time_field, after=after, before=before, size=size,
                       counted=counted, ascending=ascending, parts=parts)


# ---------------------------------------------------------------- keyset pages in any order
#
# Queues go by what is due first, registers by risk then review date: orders of several columns,
# ascending or descending, some of them NULL-able. `ordered_page` pages any such order that ends in
# the pk. A NULL sorts as if it were larger than every value (ascending: NULLS LAST; descending:
# NULLS FIRST, PostgreSQL's defaults, so its indexes serve the order; SQLite is told the same).
# The key is the row's values joined by ".": integers as they are, a datetime as microseconds
# since 1970 UTC, a date as its ordinal, NULL as "n".

KEY_PART_RE = re.compile(r"^(?:n|-?[0-9]{1,19})$")


@dataclass(frozen=True)
class _Column:
    path: str
    descending: bool
    nullable: bool
    kind: str  # "int", "datetime" or "date"


def _columns(model, order: Sequence[str]) -> list[_Column]:
    columns = []
    for name in order:
        path = name.lstrip("-")
        field, current = None, model
        for part in path.split("__"):
            field = current._meta.pk if part == "pk" else current._meta.get_field(part)
            if field.is_relation and field.related_model is not None:
                current = field.related_model
        if isinstance(field, models.DateTimeField):
            kind = "datetime"
        elif isinstance(field, models.DateField):
            kind = "date"
        else:
            kind = "int"
        columns.append(_Column(path, name.startswith("-"), path != "pk" and field.null, kind))
    if not columns or columns[-1].path != "pk":
        raise TypeError("ordered_page: the order must end in the pk")
    return columns


def _encode_part(value, kind: str) -> str:
    if value is None:
        return "n"
    if kind == "datetime":
        delta = value - EPOCH
        return str((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds)
    if kind == "date":
        return str(value.toordinal())
    return str(int(value))


def _decode_part(raw: str, column: _Column):
    if not KEY_PART_RE.match(raw):
        raise BadPageKey(raw)
    if raw == "n":
        if not column.nullable:
            raise BadPageKey(raw)
        return None
    n = int(raw)
    try:
        if column.kind == "datetime":
            return EPOCH + timedelta(microseconds=n)
        if column.kind == "date":
            return date.fromordinal(n)
    except (OverflowError, ValueError):
        raise BadPageKey(raw) from None
    if abs(n) > MAX_PK:
        raise BadPageKey(raw)
    return n


def decode_ordered_key(raw: str, columns: list[_Column]) -> list:
    parts = (raw or "").split(".")
    if len(parts) != len(columns):
        raise BadPageKey(raw)
    return [_decode_part(part, column) for part, column in zip(parts, columns)]


def _sort(column: _Column, reverse: bool):
    descending = column.descending != reverse
    expr = F(column.path)
    if not column.nullable:
        return expr.desc() if descending else expr.asc()
    # NULL is the largest value: last going up, first going down.
    return expr.desc(nulls_first=True) if descending else expr.asc(nulls_last=True)


def _beyond(column: _Column, value, upwards: bool) -> Q | None:
    """The rows whose value in `column` lies strictly beyond `value` going up (or down); None: none do."""
    if upwards:
        if value is None:
            return None
        q = Q(**{f"{column.path}__gt": value})
        return q | Q(**{f"{column.path}__isnull": True}) if column.nullable else q
    if value is None:
        return Q(**{f"{column.path}__isnull": False})
    return Q(**{f"{column.path}__lt": value})


def _equal(column: _Column, value) -> Q:
    return Q(**{f"{column.path}__isnull": True}) if value is None else Q(**{column.path: value})


def _past(qs: QuerySet, columns: list[_Column], values: list, forward: bool) -> QuerySet:
    """The rows of `qs` strictly after the key (`forward`) or strictly before it, in the list's order:
    (a beyond) OR (a equal AND b beyond) OR …, with the first column's bound on its own too, so
    that an index on it can start at the key."""
    parts, equal = [], Q()
    for column, value in zip(columns, values):
        beyond = _beyond(column, value, upwards=(not column.descending) == forward)
        if beyond is not None:
            parts.append(equal & beyond)
        equal &= _equal(column, value)
    if not parts:
        return qs.none()
    first = _beyond(columns[0], values[0], upwards=(not columns[0].descending) == forward)
    lead = _equal(columns[0], values[0]) | first if first is not None else _equal(columns[0], values[0])
    return qs.filter(lead).filter(reduce(operator.or_, parts))


def _rows(qs: QuerySet, listed: QuerySet, order: list, limit: int) -> list:
    """The first `limit` rows of `listed` in `order`, with `qs`'s select_related: the page's pks are
    chosen first, in a subquery that reads only what the filters and the order need, and the joins
    for display are made for those rows alone (joined first, PostgreSQL hashes whole tables of
    grids and users to sort a street's few hundred open cases)."""
    ids = listed.order_by(*order).values("pk")[:limit]
    return list(qs.filter(pk__in=ids).order_by(*order))


def ordered_page(qs: QuerySet, order: Sequence[str], *, after: str | None = None, before: str | None = None,
                 size: int = 30, counted: bool = True) -> KeysetPage:
    """The `size` rows of `qs` in `order` (names as order_by takes them, "-" for descending, ending
    in "pk"; paths through foreign keys allowed) just after key `after`, just before key `before`,
    or the first page. Raises BadPageKey for a key it cannot read."""
    columns = _columns(qs.model, order)

    def key(row) -> str:
        return ".".join(_encode_part(_value(row, c.path), c.kind) for c in columns)

    forward_order = [_sort(c, reverse=False) for c in columns]
    counted_qs = qs if counted else None
    if before:
        values = decode_ordered_key(before, columns)
        backward = [_sort(c, reverse=True) for c in columns]
        rows = _rows(qs, _past(qs, columns, values, forward=False), backward, size + 1)
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        if rows:
            return KeysetPage(rows=rows, counted=counted_qs, next_key=key(rows[-1]),
                              prev_key=key(rows[0]) if more_before else None, listed=qs, is_first=not more_before)
        after = None  # nothing before the key any more: the first page
    listed = _past(qs, columns, decode_ordered_key(after, columns), forward=True) if after else qs
    rows = _rows(qs, listed, forward_order, size + 1)
    next_key = key(rows[size - 1]) if len(rows) > size else None
    rows = rows[:size]
    return KeysetPage(rows=rows, counted=counted_qs, next_key=next_key, prev_key=key(rows[0]) if after and rows else None,
                      listed=qs, is_first=not after)


MAX_PAGE_NUMBER = 1_000_000


def page_number(request: HttpRequest, page: KeysetPage, prefix: str = "") -> int | None:
    """The page's position: 1 on the first page; else what `?p=` says (the pager's links carry it;
    only shown, never used to find rows: a made-up `p` misleads nobody but its author)."""
    if page.is_first:
        return 1
    raw = request.GET.get(f"{prefix}p", "")
    if raw.isascii() and raw.isdigit() and 1 < int(raw) <= MAX_PAGE_NUMBER:
        return int(raw)
    return None


def pager_links(request: HttpRequest, page, prefix: str = "") -> dict:
    """The context of `templates/_pager.html`, beside `page`. `query`: the filters without the
    page keys (for an export link); `next_url` / `prev_url` / `first_url`: the same filters plus
    the position of the neighbouring page, or None. `page` may be a KeysetPage (`?after=` /
    `?before=`), a Django Page (`?page=`, as CappedPaginator gives) or anything else (no links).
    `prefix`: the page keys of a second list on the page (`?<prefix>after=`, as seek_page read them);
    the other list's keys stay in the links, so each list keeps its place while the other moves."""
    query = request.GET.copy()
    for name in ("page", "after", "before", "p"):
        query.pop(f"{prefix}{name}", None)
    base = query.urlencode()
    sep = "&" if base else ""
    links = {"query": base, "next_url": None, "prev_url": None, "first_url": None}
    if isinstance(page, KeysetPage):
        number = page.number = page_number(request, page, prefix)
        if page.next_key:
            links["next_url"] = f"?{base}{sep}{prefix}after={page.next_key}" + (
                f"&{prefix}p={number + 1}" if number else "")
        if page.prev_key:
            links["prev_url"] = f"?{base}{sep}{prefix}before={page.prev_key}" + (
                f"&{prefix}p={number - 1}" if number and number > 2 else "")
            links["first_url"] = f"?{base}"
    elif isinstance(page, Page):
        if page.has_next():
            links["next_url"] = f"?{base}{sep}page={page.next_page_number()}"
        if page.has_previous():
            links["prev_url"] = f"?{base}{sep}page={page.previous_page_number()}"
            links["first_url"] = f"?{base}"
    return links

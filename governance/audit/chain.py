"""The audit rows' hash chain: each row stores the SHA-256 of its canonical content, which includes
the previous row's hash, so changing, removing or reordering a row breaks every link after it;
`python manage.py verify_audit_chain` reports the first broken row.

Writers take the chain in turn: on PostgreSQL a transaction-scoped advisory lock (held until the
writing transaction commits, so the next writer reads this row's hash), on SQLite every transaction
is IMMEDIATE already (governance.settings), so writers are serialised by the database file lock.

The chain is the last lock a transaction takes, at one fixed point: right before COMMIT. record_audit
only buffers its row (`append`, savepoint-aware: a rolled-back block's rows are dropped with it); the
database backend (governance.db) calls `flush` as the transaction commits, which on PostgreSQL first
runs the transaction's deferred foreign-key checks (Django's foreign keys are DEFERRABLE INITIALLY
DEFERRED: they lock the rows they point to, FOR KEY SHARE, at COMMIT) and locks the actors' rows, then
takes the chain and inserts the rows. A transaction holding the chain so waits for no row and no
other lock, and the chain cannot close a deadlock: before, a comment's timeline row checked its case
at COMMIT, after the chain, while an officer accepting that case held its row and waited for the
chain (40P01; disputes/tests/test_audit_chain_lock_order.py)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

# pg_advisory_xact_lock key: "gridgov audit chain".
CHAIN_LOCK_KEY = 0x67726964_6175


def normalise(detail: dict | None) -> dict:
    """What the JSON column gives back: the hash is computed over what is stored."""
    return json.loads(json.dumps(detail or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


def canonical(row) -> bytes:
    """The bytes a row's hash covers (every column but the id and the hash itself)."""
    at = row.at.astimezone(UTC).isoformat(timespec="microseconds") if isinstance(row.at, datetime) else str(row.at)
    content = {
        "at": at,
        "actor": row.actor_id,
        "action": row.action,
        "target_type": row.target_type,
        "target_id": row.target_id,
        "region_code": row.region_code,
        "detail": row.detail,
        "outcome": row.outcome,
        "address": row.address,
        "context": row.context,
        "prev": row.prev_hash,
    }
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def row_hash(row) -> str:
    return hashlib.sha256(canonical(row)).hexdigest()


def take_head(conn=None, actor_ids: list[int] | None = None) -> str:
    """Take the chain for this transaction and return the hash the next row links to: the newest
    row's, or the last archive's when none is left. One query on either database: on PostgreSQL the
    function `gridgov_audit_chain_head_last()` (migration 0008) first runs the transaction's deferred
    foreign-key checks and locks the rows of `actor_ids` FOR KEY SHARE, then takes the advisory lock,
    then reads the newest row with a fresh snapshot (a VOLATILE function's statements each take one),
    so it sees the row of the writer that held the lock before. Called by `flush` only (last, before
    COMMIT): after it the transaction inserts its audit rows and commits, waiting for nothing."""
    from governance.models import AuditArchive, AuditEvent

    conn = conn or connection
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SELECT gridgov_audit_chain_head_last(%s, %s::bigint[])", [CHAIN_LOCK_KEY, actor_ids or []])
            last = cursor.fetchone()[0]
    else:
        last = AuditEvent.objects.using(conn.alias).order_by("-id").values_list("row_hash", flat=True).first()
    if last is not None:
        return last
    return AuditArchive.objects.using(conn.alias).order_by("-last_id").values_list("head_hash", flat=True).first() or ""


class PendingRow:
    """An audit row waiting for its transaction's COMMIT, kept in the connection's on-commit list so
    that Django drops it with a rolled-back savepoint or transaction. `flush` takes it out of the list
    and inserts it before COMMIT; were it ever left there (a database backend without governance.db's
    hook), it would run after the commit and write its row in a transaction of its own."""

    def __init__(self, event):
        self.event = event

    def __call__(self) -> None:
        with transaction.atomic():
            _link_and_insert(connection, [self.event])


def append(event) -> None:
    """Buffer `event` (an unsaved AuditEvent) until its transaction commits (see `flush`)."""
    assert connection.in_atomic_block, "an audit row is written inside a transaction"
    connection.on_commit(PendingRow(event))


def flush(conn) -> int:
    """The pre-commit step (governance.db calls it as the outermost atomic block commits): insert the
    transaction's buffered audit rows, linked to the chain. The chain is taken last (`take_head`): on
    PostgreSQL the deferred foreign-key checks run first and the actors' rows are locked FOR KEY SHARE
    (what the rows' own foreign key takes), so that after the chain's lock the transaction waits for
    nothing (the rows' own foreign-key check, at COMMIT, finds its actor's row locked already). Returns
    how many rows were written."""
    pending = [func for _sids, func, _robust in conn.run_on_commit if isinstance(func, PendingRow)]
    if not pending:
        return 0
    conn.run_on_commit = [entry for entry in conn.run_on_commit if not isinstance(entry[1], PendingRow)]
    return _link_and_insert(conn, [p.event for p in pending])


def _link_and_insert(conn, events: list) -> int:
    from governance.models import AuditEvent

    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    table = conn.ops.quote_name(AuditEvent._meta.db_table)
    sql = (f"INSERT INTO {table} ({', '.join(conn.ops.quote_name(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {conn.ops.quote_name('id')}")
    with conn.cursor() as cursor:
        prev = take_head(conn, sorted({e.actor_id for e in events if e.actor_id is not None}))
        for event in events:
            event.prev_hash = prev
            event.row_hash = prev = row_hash(event)
            cursor.execute(sql, [f.get_db_prep_save(getattr(event, f.attname), connection=conn) for f in fields])
            event.pk = cursor.fetchone()[0]
            event._state.adding, event._state.db = False, conn.alias
    return len(events)


@dataclass
class Break:
    id: int
    reason: str


def verify(batch: int = 5000) -> tuple[int, Break | None]:
    """Walk the chain in id order from the last archive's head: (rows checked, the first break or None)."""
    from governance.models import AuditArchive, AuditEvent

    archive = AuditArchive.objects.order_by("-last_id").first()
    expected_prev = archive.head_hash if archive else ""
    checked = 0
    for row in _rows(AuditEvent.objects.all(), batch):
        if row.prev_hash != expected_prev:
            return checked, Break(row.id, "prev")
        if row.row_hash != row_hash(row):
            return checked, Break(row.id, "hash")
        expected_prev = row.row_hash
        checked += 1
    return checked, None


def _rows(qs, batch: int) -> Iterator:
    """The rows of `qs` in id order, `batch` at a time (by key: no OFFSET, no long cursor)."""
    last = 0
    while True:
        rows = list(qs.filter(id__gt=last).order_by("id")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].id

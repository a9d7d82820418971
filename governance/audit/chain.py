"""The audit rows' hash chain: each row stores the SHA-256 of its canonical content, which includes
the previous row's hash, so changing, removing or reordering a row breaks every link after it;
`python manage.py verify_audit_chain` reports the first broken row.

Writers take the chain in turn: on PostgreSQL a transaction-scoped advisory lock (held until the
writing transaction commits, so the next writer reads this row's hash), on SQLite every transaction
is IMMEDIATE already (governance.settings), so writers are serialised by the database file lock."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

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


def take_head() -> str:
    """Take the chain for this transaction and return the hash the next row links to: the newest
    row's, or the last archive's when none is left. One query on either database: on PostgreSQL the
    function `gridgov_audit_chain_head()` (migration 0006) takes the advisory lock, then reads the
    newest row with a fresh snapshot (a VOLATILE function's statements each take one), so it sees
    the row of the writer that held the lock before."""
    from governance.models import AuditArchive, AuditEvent

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT gridgov_audit_chain_head(%s)", [CHAIN_LOCK_KEY])
            last = cursor.fetchone()[0]
    else:
        last = AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first()
    if last is not None:
        return last
    return AuditArchive.objects.order_by("-last_id").values_list("head_hash", flat=True).first() or ""


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

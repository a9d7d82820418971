"""Keeping the audit trail: rows are kept at least AUDIT_RETENTION_DAYS (never fewer than 180, GB/T
22239-2019 8.1.4.3 and 网络安全法 §21), then archived by the daily beat job `audit-retention`:

1. the oldest rows — a prefix of the chain, every row before the first one still inside the period —
   are checked (their chain must be whole: a broken chain is never archived away), written to
   AUDIT_ARCHIVE_DIR as gzip'd JSON lines (one row each, with its hashes; a last line with the
   chain's head hash and the count), and the file's SHA-256 taken;
2. an AuditArchive row keeps the file's name and hash and the head hash, where verification of the
   rows left in the table starts;
3. the rows are deleted through the one path the database allows: on PostgreSQL the trigger refuses
   every DELETE unless the transaction has set `gridgov.audit_archive` (SET LOCAL: this transaction
   only); Django's own delete is refused everywhere;
4. the archiving itself is one audit row (`audit.archive`: count, ids, file, hashes)."""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from governance.audit import chain

MIN_RETENTION_DAYS = 180


def retention_days() -> int:
    return max(MIN_RETENTION_DAYS, int(getattr(settings, "AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS)))


@dataclass
class ArchiveResult:
    rows: int
    archive: object | None = None
    refused: str = ""


class BrokenChain(Exception):
    pass


def _row_dict(row) -> dict:
    return {
        "id": row.id, "at": row.at.isoformat(), "actor": row.actor_id, "action": row.action,
        "target_type": row.target_type, "target_id": row.target_id, "region_code": row.region_code,
        "detail": row.detail, "outcome": row.outcome, "address": row.address, "context": row.context,
        "prev_hash": row.prev_hash, "row_hash": row.row_hash,
    }


def archive_expired(*, now: datetime | None = None, limit: int = 200_000) -> ArchiveResult:
    """Archive (export, then delete) the rows older than the retention period, oldest first, at
    most `limit` in one run (the next night's run takes the rest)."""
    from governance.actions import record_audit
    from governance.models import AuditArchive, AuditEvent

    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days())
    first_kept = AuditEvent.objects.filter(at__gte=cutoff).order_by("id").values_list("id", flat=True).first()
    expired = AuditEvent.objects.order_by("id")
    if first_kept is not None:
        expired = expired.filter(id__lt=first_kept)
    ids = list(expired.values_list("id", flat=True)[:limit])
    if not ids:
        return ArchiveResult(rows=0)
    last_id = ids[-1]
    folder = Path(settings.AUDIT_ARCHIVE_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    previous = AuditArchive.objects.order_by("-last_id").values_list("head_hash", flat=True).first() or ""
    path = folder / f"audit-{ids[0]:012d}-{last_id:012d}-{now:%Y%m%d%H%M%S}.jsonl.gz"
    expected_prev, count = previous, 0
    with transaction.atomic():
        with gzip.open(path, "wt", encoding="utf-8") as out:
            for row in chain._rows(AuditEvent.objects.filter(id__lte=last_id), 5000):
                if row.prev_hash != expected_prev or row.row_hash != chain.row_hash(row):
                    out.close()
                    path.unlink(missing_ok=True)
                    raise BrokenChain(f"audit row {row.id} breaks the chain: not archived")
                out.write(json.dumps(_row_dict(row), ensure_ascii=False, sort_keys=True) + "\n")
                expected_prev, count = row.row_hash, count + 1
            out.write(json.dumps({"head_hash": expected_prev, "rows": count, "previous_head": previous}) + "\n")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        archive = AuditArchive.objects.create(
            file_name=path.name, first_id=ids[0], last_id=last_id, rows=count, before=cutoff,
            head_hash=expected_prev, file_sha256=digest,
        )
        delete_archived(last_id)
        record_audit(
            actor=None, action="audit.archive", target=archive,
            detail={"rows": count, "first_id": ids[0], "last_id": last_id, "file": path.name,
                    "file_sha256": digest, "head_hash": expected_prev, "before": cutoff.isoformat()},
        )
    return ArchiveResult(rows=count, archive=archive)


def delete_archived(last_id: int) -> int:
    """The privileged path: delete the rows up to `last_id` (already archived), in the caller's transaction."""
    assert connection.in_atomic_block, "archive deletes run inside the archiving transaction"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL gridgov.audit_archive = 'on'")
        cursor.execute("DELETE FROM governance_auditevent WHERE id <= %s", [last_id])
        deleted = cursor.rowcount
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL gridgov.audit_archive = 'off'")
    return deleted

"""Retention: audit rows are kept at least 180 days, then the daily beat job archives them — a gzip'd
JSON-lines file with every row and its hashes and the chain's head hash, an AuditArchive row, the rows
deleted through the privileged path, and the archiving itself audited; the chain still verifies."""

import gzip
import hashlib
import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from governance.audit import chain
from governance.audit.retention import archive_expired, retention_days
from governance.models import AuditArchive, AuditEvent, Region
from governance.tasks import archive_audit_trail


def _at(region, at, i):
    from django.db import transaction

    with transaction.atomic():
        prev = chain.take_head()
        e = AuditEvent(action="test.row", target_type="governance.region", target_id="2108", detail={"i": i},
                       at=at, prev_hash=prev)
        e.row_hash = chain.row_hash(e)
        e.save(force_insert=True)
    return e


@pytest.fixture
def rows(db, tmp_path, settings):
    settings.AUDIT_ARCHIVE_DIR = str(tmp_path)
    region = Region.objects.create(code="2108", name="营口市", level=1)
    now = timezone.now()
    old = [_at(region, now - timedelta(days=200 - i), i) for i in range(3)]
    kept = [_at(region, now - timedelta(days=179), 3), _at(region, now - timedelta(days=1), 4)]
    return old, kept, Path(tmp_path)


def test_the_retention_period_is_never_shorter_than_180_days(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    assert retention_days() == 180


def test_rows_older_than_180_days_are_archived_then_deleted_and_the_archiving_is_audited(rows):
    old, kept, folder = rows
    result = archive_expired()
    assert result.rows == 3
    archive = AuditArchive.objects.get()
    assert (archive.first_id, archive.last_id, archive.rows, archive.head_hash) == (old[0].pk, old[-1].pk, 3, old[-1].row_hash)
    remaining = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    assert remaining[:2] == [kept[0].pk, kept[1].pk]
    event = AuditEvent.objects.get(action="audit.archive")
    assert event.detail["rows"] == 3 and event.detail["file"] == archive.file_name
    path = folder / archive.file_name
    assert hashlib.sha256(path.read_bytes()).hexdigest() == archive.file_sha256
    lines = [json.loads(line) for line in gzip.open(path, "rt", encoding="utf-8")]
    assert [line["id"] for line in lines[:-1]] == [e.pk for e in old]
    assert lines[-1] == {"head_hash": old[-1].row_hash, "rows": 3, "previous_head": ""}
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)  # the chain still verifies, from the archive's head
    assert "chain intact" in out.getvalue()


def test_nothing_inside_the_period_is_archived(rows):
    old, kept, folder = rows
    archive_expired()
    assert archive_expired().rows == 0
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in kept]).count() == 2


def test_a_broken_chain_is_never_archived_away(rows):
    from django.db import connection, transaction

    old, kept, folder = rows
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE governance_auditevent SET action = 'x' WHERE id = %s", [old[1].pk])
    with pytest.raises(Exception, match="breaks the chain"):
        archive_expired()
    assert AuditEvent.objects.filter(pk=old[0].pk).exists()
    assert not list(folder.iterdir())


def test_the_beat_job_runs_daily_and_archives(rows):
    entry = settings.CELERY_BEAT_SCHEDULE["audit-retention"]
    assert entry["task"] == "governance.tasks.archive_audit_trail"
    assert archive_audit_trail() == 3
    assert AuditEvent.objects.get(action="audit.archive").context["via"] == "task"

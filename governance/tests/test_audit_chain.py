"""The audit rows' hash chain: `manage.py verify_audit_chain` finds the first row changed, removed
or inserted behind the application's back (here: raw SQL with the triggers off, as a database
superuser could)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from governance.actions import record_audit
from governance.audit import chain
from governance.models import AuditEvent, Region


def tamper(sql: str, params: list) -> None:
    """Raw SQL past the append-only trigger (PostgreSQL: session_replication_role=replica disables it,
    which only a database superuser may do — exactly who the chain guards against)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


@pytest.fixture
def events(db):
    region = Region.objects.create(code="2108", name="营口市", level=1)
    return [record_audit(actor=None, action=f"test.{i}", target=region, region_code="2108", detail={"i": i, "名": "值"})
            for i in range(5)]


def verify() -> str:
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    return out.getvalue()


def test_each_row_links_to_the_one_before(events):
    rows = list(AuditEvent.objects.order_by("id"))
    assert rows[0].prev_hash == ""
    assert all(b.prev_hash == a.row_hash for a, b in zip(rows, rows[1:], strict=False))
    assert all(r.row_hash == chain.row_hash(r) for r in rows)


def test_an_intact_chain_is_reported_ok(events):
    assert "OK: 5 audit rows" in verify()


def test_a_changed_row_is_reported_as_the_first_broken_one(events):
    tamper("UPDATE governance_auditevent SET action = %s WHERE id = %s", ["test.nothing", events[2].pk])
    with pytest.raises(CommandError, match=f"BROKEN at audit row {events[2].pk}: its content"):
        verify()


def test_a_removed_row_breaks_the_link_of_the_next(events):
    tamper("DELETE FROM governance_auditevent WHERE id = %s", [events[1].pk])
    with pytest.raises(CommandError, match=f"BROKEN at audit row {events[2].pk}: does not link"):
        verify()


def test_a_row_rewritten_with_a_fresh_hash_still_breaks_the_next_link(events):
    row = AuditEvent.objects.get(pk=events[3].pk)
    row.detail = {"i": 99}
    tamper("UPDATE governance_auditevent SET detail = %s, row_hash = %s WHERE id = %s",
           ['{"i": 99}', chain.row_hash(row), row.pk])
    with pytest.raises(CommandError, match=f"BROKEN at audit row {events[4].pk}"):
        verify()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers in several connections")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_chain_in_turn_on_postgresql():
    import threading

    from django.db import connections

    region = Region.objects.create(code="2108", name="营口市", level=1)
    barrier = threading.Barrier(4)
    errors = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(10):
                with transaction.atomic():
                    record_audit(actor=None, action=f"test.{n}.{i}", target=region)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert chain.verify() == (40, None)

"""The audit chain is taken at one fixed point of every transaction: last, right before COMMIT
(governance.audit.chain.flush, called by the database backend governance.db). record_audit buffers
its row; a rolled-back transaction or savepoint keeps none of its rows, a committed one all of them,
chained in order (PostgreSQL: disputes/tests/test_audit_chain_lock_order.py shows the deadlock this
prevents)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from governance.actions import record_audit
from governance.audit import chain
from governance.models import AuditEvent, Region


class Boom(Exception):
    pass


def _chain_statement(sql: str) -> bool:
    return "gridgov_audit_chain_head" in sql or ('FROM "governance_auditevent"' in sql and "row_hash" in sql)


@pytest.mark.django_db(transaction=True)
def test_the_chain_is_taken_after_every_other_write_of_the_transaction_and_the_row_written_then():
    city = Region.objects.create(code="2108", name="营口市", level=1)
    with CaptureQueriesContext(connection) as ctx:
        with transaction.atomic():
            record_audit(actor=None, action="test.first", target=city)
            assert not AuditEvent.objects.filter(action="test.first").exists()  # buffered, not written
            Region.objects.create(code="210802", name="站前区", level=2, parent=city)  # a write after it
    sql = [q["sql"] for q in ctx.captured_queries]
    head = next(i for i, s in enumerate(sql) if _chain_statement(s))
    assert any(s.startswith("INSERT") and "governance_region" in s for s in sql[:head])
    # After the chain: the row itself, and reads that lock nothing (the last archive's head, no row yet).
    after = [s for s in sql[head + 1:] if not s.startswith(("COMMIT", "RELEASE", "SET CONSTRAINTS"))
             and not (s.startswith("SELECT") and " FOR " not in s)]
    assert len(after) == 1 and after[0].startswith('INSERT INTO "governance_auditevent"'), after
    assert AuditEvent.objects.filter(action="test.first").count() == 1
    assert chain.verify() == (1, None)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_or_savepoint_keeps_none_of_its_rows_and_a_commit_all_in_order():
    city = Region.objects.create(code="2108", name="营口市", level=1)
    with pytest.raises(Boom), transaction.atomic():
        record_audit(actor=None, action="test.rolled_back", target=city)
        raise Boom
    with transaction.atomic():
        record_audit(actor=None, action="test.kept.1", target=city)
        with pytest.raises(Boom), transaction.atomic():
            record_audit(actor=None, action="test.savepoint_rolled_back", target=city)
            raise Boom
        with transaction.atomic():
            record_audit(actor=None, action="test.kept.2", target=city)
        record_audit(actor=None, action="test.kept.3", target=city)
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "test.kept.1", "test.kept.2", "test.kept.3"]
    assert chain.verify() == (3, None)


@pytest.mark.django_db(transaction=True)
def test_a_row_alone_is_its_own_transaction_and_gets_its_id():
    city = Region.objects.create(code="2108", name="营口市", level=1)
    event = record_audit(actor=None, action="test.alone", target=city)
    assert AuditEvent.objects.get(pk=event.pk).row_hash == event.row_hash != ""


def _waiting_on_a_lock(pid: int) -> bool:
    from django.db import connections

    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row and row[0])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks between two connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_an_officer_acting_while_their_account_is_locked_for_a_change_does_not_deadlock():
    """The audit row's own foreign key locks its actor (FOR KEY SHARE): that lock is taken before the
    chain too. Before, an officer's audit row checked the officer's account at COMMIT, after the chain,
    while an administrator's transaction held the account FOR UPDATE (a password reset) and waited for
    the chain."""
    import threading
    import time

    from django.db import connections

    from governance.models import User
    from governance.tests.base import make_user

    city = Region.objects.create(code="2108", name="营口市", level=1)
    officer = make_user("o", "干部")
    locked, pids, outcomes = threading.Event(), {}, {}

    def administrator():
        try:
            with transaction.atomic():
                User.objects.select_for_update().get(pk=officer.pk)
                locked.set()
                deadline = time.monotonic() + 5  # until the officer's transaction waits (or is done)
                while not outcomes.get("officer") and not (pids.get("officer") and _waiting_on_a_lock(pids["officer"])):
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.05)
                record_audit(actor=None, action="test.password_reset", target=officer)
            outcomes["administrator"] = "ok"
        except Exception as e:  # a deadlock lands here (OperationalError: deadlock detected)
            outcomes["administrator"] = f"{type(e).__name__}: {e}"
        finally:
            connections.close_all()

    def act():
        try:
            locked.wait(10)
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids["officer"] = cursor.fetchone()[0]
            record_audit(actor=User.objects.get(pk=officer.pk), action="test.officer_acts", target=city)
            outcomes["officer"] = "ok"
        except Exception as e:
            outcomes["officer"] = f"{type(e).__name__}: {e}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=administrator), threading.Thread(target=act)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcomes == {"administrator": "ok", "officer": "ok"}
    assert chain.verify() == (2, None)


@pytest.mark.django_db
def test_the_old_head_function_that_took_the_chain_first_is_gone():
    if connection.vendor != "postgresql":
        pytest.skip("the chain's functions are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT oid::regprocedure::text FROM pg_proc WHERE proname LIKE 'gridgov_audit_chain_head%%'")
        functions = sorted(row[0] for row in cursor.fetchall())
    assert functions == ["gridgov_audit_chain_head_last(bigint,bigint[])"]

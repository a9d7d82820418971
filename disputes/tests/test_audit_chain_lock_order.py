"""The audit chain's lock is the last lock a transaction takes: nothing waits on a row while holding
it, so it can never close a deadlock (PostgreSQL, real connections).

The cycle it used to close: Django's foreign keys on PostgreSQL are DEFERRABLE INITIALLY DEFERRED,
so a comment's new timeline row checked its case (FOR KEY SHARE on the case's row) only at COMMIT —
after record_audit had taken the chain. An officer accepting that case at the same moment held the
case's row (FOR UPDATE) and waited for the chain; the comment's commit waited for the case's row:
40P01, and TransientDatabaseErrorMiddleware ran the victim again. Now the audit row is written at
the transaction's pre-commit step (governance.audit.chain.flush): the deferred checks first, the
actors' rows next, the chain last."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from disputes.actions import cases as actions
from disputes.models import Case, CaseEvent, Category, Status
from governance.models import AuditEvent
from governance.roles import Role
from governance.tests.base import make_territory, make_user

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real row locks between two connections need PostgreSQL"
)


def _waiting_on_a_lock(pid: int) -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row and row[0])


@pytest.mark.django_db(transaction=True)
def test_a_comment_committing_while_an_officer_accepts_the_same_case_does_not_deadlock():
    city, district, street, community, grid = make_territory()
    worker = make_user("w", "网格员", Role.GRID_WORKER, grid)
    commenter = make_user("c", "评论人", Role.STREET_OFFICER, street)
    officer = make_user("o", "受理人", Role.STREET_OFFICER, street)
    case = actions.do_file_case(actor=worker, category=Category.objects.create(code="04", name="消防"),
                                grid=grid, title="楼道堆物", description="堵塞通道")
    commented, accepting = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}
    pids: dict[str, int] = {}

    def comment():
        try:
            with transaction.atomic():
                actions.do_comment_case(actor=commenter, case=Case.objects.get(pk=case.pk), note="消防通道已堵")
                commented.set()
                # The moment before COMMIT: the officer below has locked the case's row by now and,
                # before the fix, waits for the chain this transaction held.
                accepting.wait(10)
                deadline = time.monotonic() + 5
                while "accept" not in outcomes and not _waiting_on_a_lock(pids["accept"]) and time.monotonic() < deadline:
                    time.sleep(0.05)
            outcomes["comment"] = "ok"
        except Exception as e:  # a deadlock lands here (OperationalError: deadlock detected)
            outcomes["comment"] = f"{type(e).__name__}: {e}"
        finally:
            connections.close_all()

    def accept():
        try:
            commented.wait(10)
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids["accept"] = cursor.fetchone()[0]
            accepting.set()
            actions.do_accept_case(actor=officer, case=Case.objects.get(pk=case.pk), version=1)
            outcomes["accept"] = "ok"
        except Exception as e:
            outcomes["accept"] = f"{type(e).__name__}: {e}"
        finally:
            accepting.set()
            connections.close_all()

    threads = [threading.Thread(target=comment), threading.Thread(target=accept)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcomes == {"comment": "ok", "accept": "ok"}
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED
    assert CaseEvent.objects.filter(case=case, action=CaseEvent.Action.COMMENT).count() == 1
    assert sorted(AuditEvent.objects.filter(target_id=str(case.pk)).values_list("action", flat=True)) == [
        "case.accept", "case.comment", "case.file"]

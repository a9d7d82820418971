"""Twenty people write at the same moment, each in a thread with its own database connection (not
the test client in one thread): on the embedded SQLite default and on PostgreSQL every write is
stored exactly once and nobody gets a 5xx. Before, SQLite's deferred transactions failed with
"database is locked" (HTTP 500) whenever a write that had read first met another writer.

Each writer first notes on the case its neighbour is accepting at that moment: on PostgreSQL that was
a deadlock with the audit chain's lock (the note's foreign key checked the case at COMMIT, after the
chain, while the accepting officer held the case and waited for the chain), which
TransientDatabaseErrorMiddleware ran again. The chain is now taken last (governance.audit.chain.flush):
no deadlock, so no request is run again."""

from __future__ import annotations

import logging
import threading

import pytest
from django.db import connections
from django.test import Client

from disputes.actions import cases as actions
from disputes.models import Case, CaseEvent, Category, Status
from governance.roles import Role
from governance.tests.base import make_territory, make_user

WRITERS = 20
ROUNDS = 3  # each writer accepts one case and notes it this many times, back to back


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_writers_all_succeed_and_each_write_is_stored_once(caplog):
    caplog.set_level(logging.INFO, logger="governance.middleware")
    city, district, street, community, grid = make_territory()
    worker = make_user("w", "网格员", Role.GRID_WORKER, grid)
    officers = [make_user(f"o{i}", f"干部{i}", Role.STREET_OFFICER, street) for i in range(WRITERS)]
    category = Category.objects.create(code="04", name="消防")
    cases = [actions.do_file_case(actor=worker, category=category, grid=grid, title=f"楼道堆物{i}", description="堵塞通道")
             for i in range(WRITERS)]
    barrier = threading.Barrier(WRITERS)
    statuses: list[int] = []
    lock = threading.Lock()

    errors: list[str] = []

    def write(i: int) -> None:
        case = cases[i]
        try:
            client = Client()
            client.force_login(officers[i])
            barrier.wait(timeout=60)
            # A note on the case the next writer is accepting right now.
            neighbour = cases[(i + 1) % WRITERS]
            answers = [client.post(f"/cases/{neighbour.pk}/comment/", {"note": f"邻{i}"}).status_code]
            # 受理 reads the case under its lock, then writes it: the pattern SQLite refused.
            answers.append(client.post(f"/cases/{case.pk}/accept/", {"version": "1", "note": "受理"}).status_code)
            for n in range(ROUNDS):  # and notes on a case everybody writes to
                answers.append(client.post(f"/cases/{cases[0].pk}/comment/", {"note": f"第{i}-{n}条"}).status_code)
            with lock:
                statuses.extend(answers)
        except Exception as e:  # shown by the assertion below instead of hanging the other threads
            with lock:
                errors.append(f"{type(e).__name__}: {e}")
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert sorted(statuses) == [302] * (WRITERS * (2 + ROUNDS))
    # Nothing deadlocked: the middleware ran no request again, nor answered a 409.
    assert [r.getMessage() for r in caplog.records if r.name == "governance.middleware"] == []
    assert set(Case.objects.values_list("status", "version")) == {(Status.ACCEPTED, 2)}
    assert CaseEvent.objects.filter(action=CaseEvent.Action.ACCEPT).count() == WRITERS
    notes = CaseEvent.objects.filter(action=CaseEvent.Action.COMMENT).values_list("note", flat=True)
    assert sorted(notes) == sorted([f"第{i}-{n}条" for i in range(WRITERS) for n in range(ROUNDS)]
                                   + [f"邻{i}" for i in range(WRITERS)])

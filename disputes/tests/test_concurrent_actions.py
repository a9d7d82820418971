"""Two officers act on one case at the very same moment, in two database connections:
exactly one wins, the other gets StaleCase, and the timeline holds exactly one of the two."""

import threading

import pytest
from django.db import connection, connections

from disputes.actions import cases as actions
from disputes.kernel import CaseStateError, StaleCase
from disputes.models import Case, CaseEvent, Category, Status
from governance.roles import Role
from governance.tests.base import make_territory, make_user

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real row locks between two connections need PostgreSQL"
)


@pytest.mark.django_db(transaction=True)
def test_two_officers_at_the_same_moment_one_wins_the_other_is_told():
    city, district, street, community, grid = make_territory()
    worker = make_user("w", "网格员", Role.GRID_WORKER, grid)
    alice = make_user("a", "艾丽", Role.STREET_OFFICER, street)
    dave = make_user("d", "戴维", Role.DISTRICT_CENTRE, district)
    case = actions.do_file_case(actor=worker, category=Category.objects.create(code="04", name="消防"),
                                grid=grid, title="楼道堆物", description="堵塞通道")
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(name, fn):
        try:
            barrier.wait()
            fn()
            outcomes[name] = "ok"
        except StaleCase:
            outcomes[name] = "stale"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=("accept", lambda: actions.do_accept_case(
            actor=alice, case=Case.objects.get(pk=case.pk), version=1))),
        threading.Thread(target=act, args=("reject", lambda: actions.do_reject_case(
            actor=dave, case=Case.objects.get(pk=case.pk), version=1, reason="重复"))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes.values()) == ["ok", "stale"]
    case.refresh_from_db()
    assert case.version == 2
    winner = "accept" if outcomes["accept"] == "ok" else "reject"
    assert case.status == (Status.ACCEPTED if winner == "accept" else Status.REJECTED)
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == ["file", winner]


@pytest.mark.django_db(transaction=True)
def test_merging_two_cases_into_each_other_at_once_never_deadlocks():
    city, district, street, community, grid = make_territory()
    worker = make_user("w", "网格员", Role.GRID_WORKER, grid)
    alice = make_user("a", "艾丽", Role.STREET_OFFICER, street)
    dave = make_user("d", "戴维", Role.DISTRICT_CENTRE, district)
    category = Category.objects.create(code="04", name="消防")
    a, b = (actions.do_file_case(actor=worker, category=category, grid=grid, title=t, description="堵塞通道")
            for t in ("楼道堆物", "楼道堆物（重复）"))
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def merge(name, actor, duplicate, original):
        try:
            barrier.wait()
            actions.do_merge_case(actor=actor, duplicate=Case.objects.get(pk=duplicate.pk),
                                  original=Case.objects.get(pk=original.pk), version=1)
            outcomes[name] = "ok"
        except (StaleCase, CaseStateError):
            outcomes[name] = "refused"
        except Exception as e:  # a deadlock would land here (OperationalError: deadlock detected)
            outcomes[name] = f"error: {e}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=merge, args=("a-into-b", alice, a, b)),
               threading.Thread(target=merge, args=("b-into-a", dave, b, a))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes.values()) == ["ok", "refused"], outcomes

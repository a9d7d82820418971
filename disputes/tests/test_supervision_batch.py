"""Set-based supervision (disputes.tasks.cases): the same cards, levels, timeline rows and notices as
the per-case actions, in a bounded number of statements per batch, one audit row a batch, resumable
after a crash, and never two runs at once."""

from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from disputes.actions import cases as actions
from disputes.models import Case, CaseEvent, Notice, Supervision
from disputes.tasks import cases as tasks
from disputes.tasks.cases import supervise_overdue_cases
from disputes.tests.base import CaseTestCase
from governance.locks import advisory_key, run_alone
from governance.models import AuditEvent
from governance.roles import Level


class Rollback(Exception):
    pass


@contextmanager
def held_elsewhere(name):
    """The lock held by another run: on PostgreSQL another database session (advisory locks are
    re-entrant within one), elsewhere the shared cache entry."""
    if connection.vendor != "postgresql":
        with run_alone(name) as mine:
            assert mine
            yield
        return
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [advisory_key(name)])
            assert cursor.fetchone()[0]
        yield
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [advisory_key(name)])
    finally:
        other.close()


class SupervisionBatchTestCase(CaseTestCase):
    def overdue(self, hours, **kw):
        case = self.assigned(**kw)
        Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(hours=hours))
        return case

    def mixed_cases(self):
        """Yellow, red at once, yellow turning red, a department's case without an assignee, a district's
        case going red at once to the city, a yellow case already at the city turning red (it stays
        there), an assignee who is also the new level's supervisor (told once); one due soon of each
        status."""
        cases = [self.overdue(1), self.overdue(30), self.overdue(3, department=self.police_a), self.overdue(2),
                 self.overdue(31), self.overdue(4), self.overdue(5, assignee=self.alice)]
        Case.objects.filter(pk=cases[3].pk).update(supervision=Supervision.YELLOW, level=Level.STREET,
                                                   deadline=timezone.now() - timedelta(hours=26))
        Case.objects.filter(pk=cases[4].pk).update(level=Level.DISTRICT)
        Case.objects.filter(pk=cases[5].pk).update(supervision=Supervision.YELLOW, level=Level.CITY,
                                                   deadline=timezone.now() - timedelta(hours=27))
        soon = [self.assigned(department=self.police_a), self.handled(), self.file(), self.assigned()]
        Case.objects.filter(pk__in=[c.pk for c in soon]).update(deadline=timezone.now() + timedelta(minutes=70))
        return cases, soon

    def state(self):
        cases = list(Case.objects.order_by("pk").values_list("pk", "supervision", "level", "version", "due_warned_for"))
        events = sorted(CaseEvent.objects.filter(action="escalate").values_list("case_id", "actor_id", "from_status",
                                                                                "to_status", "note", "detail"))
        notices = sorted(Notice.objects.values_list("user_id", "case_id", "kind", "text"))
        return cases, [(e[:5], sorted(e[5].items())) for e in events], notices

    def test_the_batch_gives_exactly_what_the_per_case_actions_give(self):
        overdue, soon = self.mixed_cases()
        now = timezone.now()
        try:
            with transaction.atomic():
                with self.captureOnCommitCallbacks(execute=True):
                    for case in overdue:
                        actions.do_supervise_overdue(case_id=case.pk, now=now)
                    for case in soon:
                        actions.do_warn_due_soon(case_id=case.pk, now=now)
                per_case = self.state()
                raise Rollback
        except Rollback:
            pass
        self.assertEqual(tasks._work_off(tasks.escalate_batch, now), 7)
        self.assertEqual(tasks._work_off(tasks.warn_batch, now), 4)
        self.assertEqual(self.state(), per_case)
        self.assertTrue(Notice.objects.filter(kind="due_soon").exists())
        levels = dict(Case.objects.filter(pk__in=[c.pk for c in overdue]).values_list("pk", "level"))
        self.assertEqual([levels[c.pk] for c in overdue[3:6]], [Level.DISTRICT, Level.CITY, Level.CITY])
        def told(case):
            return sorted(Notice.objects.filter(case=case, kind="escalated").values_list("user__username", flat=True))

        self.assertEqual(told(overdue[4]), ["carol", "erin"])  # the city's leader and the assignee
        self.assertEqual(told(overdue[2]), ["alice", "heidi"])  # the street's officer and the department's handler
        self.assertEqual(told(overdue[6]), ["alice"])  # the street's officer, who is its assignee too: once

    def test_the_labels_are_those_of_the_current_language(self):
        case = self.overdue(1)
        with translation.override("en"):
            self.assertEqual(tasks.escalate_batch(timezone.now()), 1)
            note = actions.supervision_note(Supervision.YELLOW, Level.STREET)
        self.assertIn("Yellow-card supervision", note)
        self.assertEqual(case.events.get(action="escalate").note, note)
        self.assertEqual(set(Notice.objects.filter(case=case).values_list("text", flat=True)),
                         {actions.overdue_notice(case.title, note)})

    def test_a_batch_takes_the_same_number_of_queries_for_3_cases_as_for_30(self):
        def run(n):
            for _ in range(n):
                self.overdue(30, department=self.police_a)
                self.overdue(1)
            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(tasks.escalate_batch(timezone.now()), 2 * n)
            if connection.vendor == "postgresql":  # picked, carded, timelined and told in one statement
                self.assertEqual([q["sql"].count("disputes_") > 0 for q in ctx.captured_queries].count(True), 1)
            return len(ctx.captured_queries)

        small = run(2)
        self.assertEqual(run(15), small)
        self.assertLessEqual(small, 12 if connection.vendor != "postgresql" else 5)

    def test_each_batch_writes_one_audit_row_with_its_count_and_id_range(self):
        cases = [self.overdue(1) for _ in range(5)]
        with mock.patch.object(tasks, "BATCH", 2):
            self.assertEqual(supervise_overdue_cases()["escalated"], 5)
        rows = list(AuditEvent.objects.filter(action="case.supervise").order_by("id"))
        self.assertEqual([r.detail["count"] for r in rows], [2, 2, 1])
        self.assertEqual(rows[0].detail["first_id"], cases[0].pk)
        self.assertEqual(rows[-1].detail["last_id"], cases[-1].pk)
        self.assertEqual(rows[0].detail["cards"], {"yellow": 2})
        self.assertEqual(rows[0].region_code, self.grid_a.code)

    def test_a_crash_in_the_middle_loses_nothing_and_gives_nothing_twice(self):
        cases = [self.overdue(1) for _ in range(4)]
        real = tasks.record_audit
        calls = []

        def second_batch_dies(**kw):
            """After the second batch's writes (its cards, timeline rows and notices), before its commit."""
            calls.append(1)
            if len(calls) == 2:
                raise RuntimeError("worker killed")
            return real(**kw)

        with mock.patch.object(tasks, "BATCH", 2), mock.patch.object(tasks, "record_audit", second_batch_dies):
            with self.assertRaises(RuntimeError):
                supervise_overdue_cases()
        self.assertEqual(Case.objects.filter(supervision=Supervision.YELLOW).count(), 2)
        self.assertEqual(CaseEvent.objects.filter(action="escalate").count(), 2)
        self.assertEqual(Notice.objects.filter(case__in=cases[2:]).count(), 0)
        self.assertEqual(supervise_overdue_cases()["escalated"], 2)
        for case in cases:
            self.assertEqual(case.events.filter(action="escalate").count(), 1)
            self.assertEqual(Case.objects.get(pk=case.pk).supervision, Supervision.YELLOW)
        self.assertEqual(supervise_overdue_cases()["escalated"], 0)

    def test_a_second_run_while_one_is_running_stops_at_once_and_says_so(self):
        self.overdue(1)
        with held_elsewhere(tasks.LOCK):
            self.assertEqual(supervise_overdue_cases(), {"escalated": 0, "warned": 0, "running_elsewhere": 1})
        self.assertEqual(supervise_overdue_cases()["escalated"], 1)

    def test_a_case_escalated_by_hand_meanwhile_still_gets_its_card_once(self):
        case = self.overdue(1)
        case.refresh_from_db()
        actions.do_escalate_case(actor=self.alice, case=case, version=case.version, reason="群众反映强烈")
        self.assertEqual(supervise_overdue_cases()["escalated"], 1)
        case.refresh_from_db()
        self.assertEqual((case.supervision, case.level), (Supervision.YELLOW, 2))
        self.assertEqual(supervise_overdue_cases()["escalated"], 0)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_give_each_card_once(celery_worker_process, second_celery_worker):
    """On PostgreSQL + Redis two real worker processes start the task at the same moment."""
    from disputes.models import Category
    from governance.models import Region
    from governance.roles import Role
    from governance.tests.base import make_territory, make_user

    city, district, street, community, grid = make_territory()
    worker = make_user("w", "网格员", Role.GRID_WORKER, grid)
    make_user("o", "街道干部", Role.STREET_OFFICER, street)
    cat = Category.objects.create(code="04", name="消防")
    ids = [actions.do_file_case(actor=worker, category=cat, grid=Region.objects.get(code=grid.code),
                                title=f"楼道堆物{i}", description="堵塞通道").pk for i in range(60)]
    Case.objects.filter(pk__in=ids).update(deadline=timezone.now() - timedelta(hours=1))
    results = [supervise_overdue_cases.delay(), supervise_overdue_cases.delay()]
    counts = [r.get(timeout=60) for r in results]
    assert sum(c["escalated"] for c in counts) == 60
    assert CaseEvent.objects.filter(action="escalate").count() == 60
    assert Case.objects.filter(supervision=Supervision.YELLOW).count() == 60
    assert supervise_overdue_cases.delay().get(timeout=60)["escalated"] == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks between two connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_batches_at_the_same_moment_share_the_cases_without_giving_a_card_twice():
    """Even past the lock (two batches in two connections at once), SKIP LOCKED gives each batch
    other cases, and the guarded UPDATE gives each card once."""
    import threading

    from disputes.models import Category
    from governance.models import Region
    from governance.roles import Role
    from governance.tests.base import make_territory, make_user

    city, district, street, community, grid = make_territory()
    worker = make_user("w", "网格员", Role.GRID_WORKER, grid)
    cat = Category.objects.create(code="04", name="消防")
    ids = [actions.do_file_case(actor=worker, category=cat, grid=Region.objects.get(code=grid.code),
                                title=f"楼道堆物{i}", description="堵塞通道").pk for i in range(40)]
    Case.objects.filter(pk__in=ids).update(deadline=timezone.now() - timedelta(hours=1))
    now = timezone.now()
    barrier = threading.Barrier(2)
    done: list[int] = []

    def run():
        try:
            barrier.wait()
            done.append(tasks._work_off(lambda at, size: tasks.escalate_batch(at, 5), now))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(done) == 40
    assert CaseEvent.objects.filter(action="escalate").count() == 40
    assert set(Case.objects.values_list("supervision", flat=True)) == {Supervision.YELLOW}
    assert sum(a.detail["count"] for a in AuditEvent.objects.filter(action="case.supervise")) == 40

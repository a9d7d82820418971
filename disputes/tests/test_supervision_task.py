"""The periodic task: overdue cases get a yellow card and go one level up, a red card and one more
level when still overdue a day later; deadlines within two hours are warned once. Idempotent."""

from datetime import timedelta

import pytest
from django.utils import timezone

from disputes.models import Case, CaseEvent, Notice, Supervision
from disputes.tasks.cases import supervise_overdue_cases
from disputes.tests.base import CaseTestCase
from governance.roles import Level


class SupervisionTaskTestCase(CaseTestCase):
    def overdue(self, hours, **kw):
        case = self.assigned(**kw)
        Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(hours=hours))
        return case

    def test_an_overdue_case_gets_a_yellow_card_and_goes_to_the_street(self):
        case = self.overdue(1)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(supervise_overdue_cases.apply().get(), {"escalated": 1, "warned": 0})
        case.refresh_from_db()
        self.assertEqual((case.supervision, case.level), (Supervision.YELLOW, Level.STREET))
        event = case.events.last()
        self.assertEqual((event.action, event.actor), (CaseEvent.Action.ESCALATE, None))
        self.assertIn("黄牌督办", event.note)
        self.assertEqual(
            set(Notice.objects.filter(kind="escalated").values_list("user__username", flat=True)), {"alice", "carol"}
        )

    def test_running_twice_changes_nothing_the_second_time(self):
        case = self.overdue(1)
        supervise_overdue_cases()
        version = Case.objects.get(pk=case.pk).version
        self.assertEqual(supervise_overdue_cases(), {"escalated": 0, "warned": 0})
        self.assertEqual(Case.objects.get(pk=case.pk).version, version)
        self.assertEqual(case.events.filter(action="escalate").count(), 1)

    def test_a_day_later_the_card_turns_red_and_the_district_takes_over(self):
        case = self.overdue(1)
        supervise_overdue_cases()
        Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(hours=25))
        supervise_overdue_cases()
        case.refresh_from_db()
        self.assertEqual((case.supervision, case.level), (Supervision.RED, Level.DISTRICT))

    def test_a_case_missed_while_beat_was_down_gets_both_steps_at_once(self):
        case = self.overdue(30)
        supervise_overdue_cases()
        case.refresh_from_db()
        self.assertEqual((case.supervision, case.level), (Supervision.RED, Level.DISTRICT))

    def test_cases_on_time_and_closed_cases_are_left_alone(self):
        on_time = self.assigned()
        closed = self.handled()
        Case.objects.filter(pk=closed.pk).update(status="closed", deadline=timezone.now() - timedelta(hours=5))
        self.assertEqual(supervise_overdue_cases()["escalated"], 0)
        self.assertEqual(Case.objects.get(pk=on_time.pk).supervision, Supervision.NONE)

    def test_a_deadline_within_two_hours_is_warned_once(self):
        case = self.assigned(department=self.police_a)
        Case.objects.filter(pk=case.pk).update(deadline=timezone.now() + timedelta(minutes=90))
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(supervise_overdue_cases()["warned"], 1)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(supervise_overdue_cases()["warned"], 0)
        self.assertEqual(list(Notice.objects.values_list("user__username", "kind")), [("heidi", "due_soon")])

    def test_a_granted_extension_lifts_the_overdue_flag(self):
        from disputes.actions import cases as actions

        case = self.overdue(2, department=self.police_a)
        supervise_overdue_cases()
        case.refresh_from_db()
        ext = actions.do_request_extension(actor=self.heidi, case=case, version=case.version, days=2, reason="配件")
        case.refresh_from_db()
        actions.do_decide_extension(actor=self.alice, extension=ext, version=case.version, grant=True)
        case.refresh_from_db()
        self.assertFalse(case.is_overdue)
        self.assertEqual(case.supervision, Supervision.NONE)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_escalates_an_overdue_case(celery_worker_process):
    from disputes.actions import cases as actions
    from disputes.models import Category
    from governance.models import Region
    from governance.roles import Role
    from governance.tests.base import make_territory, make_user

    city, district, street, community, grid = make_territory()
    worker = make_user("w", "网格员", Role.GRID_WORKER, grid)
    officer = make_user("o", "街道干部", Role.STREET_OFFICER, street)
    cat = Category.objects.create(code="04", name="消防")
    case = actions.do_file_case(actor=worker, category=cat, grid=Region.objects.get(code=grid.code),
                                title="楼道堆物", description="堵塞通道")
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(hours=1))
    result = supervise_overdue_cases.delay().get(timeout=60)
    assert result == {"escalated": 1, "warned": 0}
    case.refresh_from_db()
    assert (case.supervision, case.level) == (Supervision.YELLOW, Level.STREET)
    assert Notice.objects.filter(user=officer, kind="escalated").exists()
    assert supervise_overdue_cases.delay().get(timeout=60) == {"escalated": 0, "warned": 0}


class SupervisionBacklogTestCase(CaseTestCase):
    def test_a_backlog_is_worked_off_over_several_runs_most_overdue_first(self):
        from unittest import mock

        first, second = self.assigned(), self.assigned()
        Case.objects.filter(pk=first.pk).update(deadline=timezone.now() - timedelta(hours=3))
        Case.objects.filter(pk=second.pk).update(deadline=timezone.now() - timedelta(hours=2))
        with mock.patch("disputes.tasks.cases.MAX_PER_RUN", 1):
            self.assertEqual(supervise_overdue_cases()["escalated"], 1)
            self.assertEqual(Case.objects.get(pk=first.pk).supervision, Supervision.YELLOW)
            self.assertEqual(Case.objects.get(pk=second.pk).supervision, Supervision.NONE)
            self.assertEqual(supervise_overdue_cases()["escalated"], 1)
        self.assertEqual(Case.objects.get(pk=second.pk).supervision, Supervision.YELLOW)

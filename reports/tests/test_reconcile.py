"""The nightly reconcile of the case summaries (reports.reconcile, beat: reconcile_case_summaries)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.test import TestCase
from django.utils import timezone

from disputes.models import Case, CaseEvent, CaseMonthSummary, Status
from disputes.summaries import month_of
from disputes.tests.test_summaries import from_raw, table
from governance.jobs import JOB_LABELS, job_finished, job_started
from governance.models import PeriodicJob
from reports.reconcile import SummaryDrift, recent_months, reconcile_summaries
from reports.tasks import reconcile_case_summaries
from reports.tests.base import ReportTestCase

TASK = "reports.tasks.reconcile_case_summaries"


class ReconcileTestCase(ReportTestCase):
    def setUp(self) -> None:
        now = timezone.now()
        self.old = self.close(self.filed(now - timedelta(days=45)), now - timedelta(days=44))
        self.recent = self.filed(now - timedelta(minutes=5))
        self.merged = self.filed(now - timedelta(minutes=4))

    def test_summaries_kept_by_the_actions_reconcile_without_drift(self):
        self.assertEqual(reconcile_summaries(), {})
        self.assertEqual(reconcile_case_summaries(), {})

    def test_a_case_deleted_behind_the_actions_back_is_found_rebuilt_and_reported(self):
        CaseEvent.objects.filter(case=self.old).delete()
        Case.objects.filter(pk=self.old.pk).delete()
        self.assertNotEqual(table(), from_raw())
        with self.assertRaises(SummaryDrift) as raised:
            reconcile_case_summaries()
        self.assertIn(f"{month_of(timezone.now() - timedelta(days=45)):%Y-%m}", str(raised.exception))
        self.assertEqual(table(), from_raw())
        self.assertEqual(reconcile_summaries(), {})  # the next night finds nothing

    def test_a_status_written_behind_the_actions_back_is_rebuilt(self):
        Case.objects.filter(pk=self.recent.pk).update(status=Status.REJECTED)
        drifted = reconcile_summaries()
        self.assertEqual(drifted, {f"{month_of(timezone.now()):%Y-%m}": 1})
        self.assertEqual(table(), from_raw())

    def test_months_outside_the_window_are_left_alone(self):
        long_ago = self.filed(timezone.now() - timedelta(days=500))
        Case.objects.filter(pk=long_ago.pk).update(status=Status.REJECTED)
        before = set(CaseMonthSummary.objects.values_list("month", "rejected"))
        self.assertEqual(reconcile_summaries(), {})
        self.assertEqual(set(CaseMonthSummary.objects.values_list("month", "rejected")), before)

    def test_the_window_is_this_month_and_the_twelve_before(self):
        months = recent_months()
        self.assertEqual(len(months), 13)
        self.assertEqual(months[-1], month_of(timezone.now()))
        self.assertEqual(len(set(months)), 13)


class ReconcileScheduleTestCase(TestCase):
    def test_it_runs_every_night_and_the_system_page_names_it(self):
        entry = settings.CELERY_BEAT_SCHEDULE["case-summaries-reconcile"]
        self.assertEqual(entry["task"], TASK)
        self.assertEqual((entry["schedule"].hour, entry["schedule"].minute), ({1}, {30}))
        self.assertIn("case-summaries-reconcile", JOB_LABELS)
        self.assertIn("register-tallies", JOB_LABELS)

    def test_a_drift_shows_as_a_failed_run_of_the_periodic_job(self):
        job_started(TASK)
        job_finished(TASK, succeeded=False, error=SummaryDrift.__name__)
        job = PeriodicJob.objects.get(name=TASK)
        self.assertEqual((job.last_succeeded, job.last_error), (False, "SummaryDrift"))

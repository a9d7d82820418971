"""Snapshots: one per node and period, idempotent re-runs, refreshed drafts, restated frozen figures,
approval up the hierarchy, the command, the catch-up and the beat schedule."""

from __future__ import annotations

import io
import json

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from disputes.models import Case
from governance.models import AuditEvent, Region
from reports import tasks
from reports.actions import do_confirm_snapshot, do_publish_report, do_run_cycle
from reports.models import CycleRun, Restatement, Snapshot, SnapshotStatus
from reports.periods import parse
from reports.tests.base import ReportTestCase, at

OCT = parse("2026-10")


class CycleTestCase(ReportTestCase):
    def setUp(self) -> None:
        self.filed(at(2026, 10, 5, 10))

    def snap(self, node, period="2026-10") -> Snapshot:
        return Snapshot.objects.get(node=node, period=period)

    def test_a_cycle_writes_one_snapshot_per_node(self):
        counts = do_run_cycle(actor=None, period=OCT)
        self.assertEqual(counts["created"], Region.objects.count())
        self.assertEqual(self.snap(self.batiandi).kpis["cases_filed"], 1)
        self.assertEqual(self.snap(self.city).status, SnapshotStatus.DRAFT)

    def test_running_the_same_period_again_writes_nothing(self):
        do_run_cycle(actor=None, period=OCT)
        before = self.snap(self.city).computed_at
        counts = do_run_cycle(actor=None, period=OCT)
        self.assertEqual(counts, {"created": 0, "refreshed": 0, "restated": 0, "unchanged": Region.objects.count()})
        self.assertEqual(Snapshot.objects.count(), Region.objects.count())
        self.assertEqual(self.snap(self.city).computed_at, before)

    def test_a_draft_is_refreshed_when_late_data_arrives(self):
        do_run_cycle(actor=None, period=OCT)
        self.filed(at(2026, 10, 30))
        counts = do_run_cycle(actor=None, period=OCT)
        self.assertEqual(counts["refreshed"], 5)  # the grid, its community, street, district, city
        self.assertEqual(self.snap(self.batiandi).kpis["cases_filed"], 2)
        self.assertFalse(Restatement.objects.exists())

    def test_a_published_snapshot_is_restated_not_changed(self):
        do_run_cycle(actor=None, period=OCT)
        street = self.snap(self.batiandi)
        for child in Snapshot.objects.filter(node__parent=self.batiandi, period="2026-10"):
            do_confirm_snapshot(actor=self.alice, snapshot=child)
        do_publish_report(actor=self.alice, snapshot=street)
        self.filed(at(2026, 10, 30))  # a case entered late, dated in October
        counts = do_run_cycle(actor=None, period=OCT, reason="补录10月30日上报的事件")
        street.refresh_from_db()
        self.assertEqual(street.kpis["cases_filed"], 1)  # the published figure stays
        self.assertEqual(street.current["cases_filed"], 2)
        self.assertIsNotNone(street.restated_at)
        restatement = street.restatements.get()
        self.assertEqual(restatement.changes["cases_filed"], [1, 2])
        self.assertEqual(restatement.reason, "补录10月30日上报的事件")
        # Restated: the street and 五大门 (published); refreshed: the grid (a draft), the district and the city.
        self.assertEqual((counts["restated"], counts["refreshed"]), (2, 3))

    def test_a_period_not_yet_over_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "尚未结束"):
            do_run_cycle(actor=None, period=parse("2026-10"), now=at(2026, 10, 31, 23))

    def test_a_street_officer_may_not_run_another_district(self):
        with self.assertRaises(PermissionDenied):
            do_run_cycle(actor=self.alice, period=OCT, root=self.xishi.code)

    def test_a_run_for_one_node_covers_it_and_everything_below(self):
        counts = do_run_cycle(actor=self.alice, period=OCT, root=self.batiandi.code)
        self.assertEqual(counts["created"], 4)  # the street, 五大门, two grids
        self.assertFalse(CycleRun.objects.filter(root="", finished_at__isnull=False).exists())


class ApprovalTestCase(ReportTestCase):
    def setUp(self) -> None:
        do_run_cycle(actor=None, period=OCT)

    def test_the_district_cannot_publish_before_its_streets_confirm(self):
        district = Snapshot.objects.get(node=self.zhanqian, period="2026-10")
        with self.assertRaisesMessage(ValidationError, "八田地街道"):
            do_publish_report(actor=self.dave, snapshot=district)

    def test_once_every_street_confirmed_the_district_publishes_and_the_streets_with_it(self):
        for street in (self.batiandi, self.jianshe):
            do_confirm_snapshot(actor=self.dave, snapshot=Snapshot.objects.get(node=street, period="2026-10"))
        district = do_publish_report(actor=self.dave, snapshot=Snapshot.objects.get(node=self.zhanqian, period="2026-10"))
        self.assertEqual(district.status, SnapshotStatus.PUBLISHED)
        self.assertEqual(Snapshot.objects.get(node=self.batiandi, period="2026-10").status, SnapshotStatus.PUBLISHED)
        self.assertEqual(AuditEvent.objects.filter(action="report.publish").count(), 1)

    def test_a_street_officer_cannot_confirm_another_districts_street(self):
        with self.assertRaises(PermissionDenied):
            do_confirm_snapshot(actor=self.alice, snapshot=Snapshot.objects.get(node=self.wutaizi, period="2026-10"))

    def test_a_snapshot_is_confirmed_once(self):
        snap = Snapshot.objects.get(node=self.batiandi, period="2026-10")
        do_confirm_snapshot(actor=self.alice, snapshot=snap)
        with self.assertRaisesMessage(ValidationError, "不能再次确认"):
            do_confirm_snapshot(actor=self.alice, snapshot=snap)


class CommandTestCase(ReportTestCase):
    def test_run_reports_prints_the_nodes_snapshot_as_json(self):
        self.filed(at(2026, 10, 5, 10))
        out = io.StringIO()
        call_command("run_reports", "--period", "2026-10", "--node", self.batiandi.code, "--json", stdout=out)
        data = json.loads(out.getvalue())
        self.assertEqual((data["node"], data["period"]), (self.batiandi.code, "2026-10"))
        self.assertEqual(data["kpis"]["cases_filed"], 1)
        self.assertIn("closure_rate", data["kpis"])

    def test_without_a_node_it_prints_the_city(self):
        out = io.StringIO()
        call_command("run_reports", "--period", "2026Q3", "--json", stdout=out)
        self.assertEqual(json.loads(out.getvalue())["node"], self.city.code)

    def test_a_bad_period_is_a_chinese_error(self):
        with self.assertRaisesMessage(CommandError, "报告期"):
            call_command("run_reports", "--period", "2026-13")


class CatchUpTestCase(ReportTestCase):
    def setUp(self) -> None:
        AuditEvent.objects.create(action="seed", target_type="x", target_id="1", at=at(2026, 8, 15))

    def test_the_months_and_quarters_missed_since_the_platform_started_are_found(self):
        do_run_cycle(actor=None, period=OCT)
        missed = [p.code for p in tasks.missed_periods(now=at(2026, 12, 1, 10))]
        self.assertEqual(missed, ["2026-08", "2026-09", "2026Q3", "2026-11"])

    def test_catch_up_runs_a_missed_month_and_then_finds_nothing(self):
        Case.objects.all().delete()
        ran = tasks.catch_up_cycles()
        self.assertIn("2026-10", ran)
        self.assertTrue(Snapshot.objects.filter(node=self.city, period="2026-10").exists())
        self.assertEqual(tasks.missed_periods(), [])


class BeatScheduleTestCase(TestCase):
    def test_each_cycle_runs_on_its_first_day_in_shanghai_time(self):
        beat = settings.CELERY_BEAT_SCHEDULE
        self.assertEqual(settings.CELERY_TIMEZONE, "Asia/Shanghai")
        expected = {
            "reports-monthly": ("reports.tasks.run_monthly_cycle", crontab(minute=0, hour=2, day_of_month=1)),
            "reports-quarterly": ("reports.tasks.run_quarterly_cycle",
                                  crontab(minute=30, hour=2, day_of_month=1, month_of_year="1,4,7,10")),
            "reports-half-year": ("reports.tasks.run_half_year_cycle",
                                  crontab(minute=0, hour=3, day_of_month=1, month_of_year="1,7")),
            "reports-yearly": ("reports.tasks.run_yearly_cycle", crontab(minute=30, hour=3, day_of_month=1, month_of_year=1)),
            "reports-catch-up": ("reports.tasks.catch_up_cycles", crontab(minute=45)),
        }
        for name, (task, schedule) in expected.items():
            self.assertEqual(beat[name]["task"], task)
            self.assertEqual(beat[name]["schedule"], schedule, name)

    def test_every_scheduled_report_task_exists(self):
        from governance.celery import app

        app.loader.import_default_modules()
        for entry in settings.CELERY_BEAT_SCHEDULE.values():
            if entry["task"].startswith("reports."):
                self.assertIn(entry["task"], app.tasks)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_two_runs_of_the_same_period_at_once_write_each_snapshot_once(celery_worker_process, second_celery_worker):
    """On PostgreSQL + Redis two real worker processes take one run each, at the same moment."""
    from governance.tests.base import make_region

    city = make_region("2108", "营口市")
    district = make_region("210802", "站前区", city)
    make_region("210802001", "八田地街道", district)
    results = [tasks.run_cycle.delay("2026-10"), tasks.run_cycle.delay("2026-10")]
    counts = [r.get(timeout=60) for r in results]
    assert Snapshot.objects.filter(period="2026-10").count() == 3
    assert sorted(c["created"] for c in counts) == [0, 3]

"""/system/: the worker's heartbeat and every periodic job's last run beside its schedule, late ones
marked; every page tells a city admin when background work has stopped."""

from datetime import timedelta

from celery.schedules import crontab
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from governance.jobs import periodic_jobs
from governance.models import PeriodicJob, WorkerHeartbeat
from governance.roles import Role
from governance.tests.base import TerritoryTestCase, make_user

SCHEDULE = {
    "every-ten-minutes": {"task": "disputes.tasks.cases.supervise_overdue_cases", "schedule": crontab(minute="*/10")},
    "nightly": {"task": "rosters.tasks.purge_expired_uploads", "schedule": crontab(minute=20, hour=3)},
}


class SystemStatusTestCase(TerritoryTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = make_user("root", "市管理员", Role.ADMIN, cls.city)

    def setUp(self) -> None:
        cache.clear()

    def test_it_is_for_city_admins_only(self):
        for user in (self.frank, self.alice, self.erin):  # a district admin, a street officer, a leader
            self.client.force_login(user)
            self.assertEqual(self.client.get("/system/").status_code, 403)

    def test_it_lists_every_periodic_job_of_the_beat_schedule(self):
        self.client.force_login(self.root)
        r = self.client.get("/system/")
        for key in ("worker-heartbeat", "case-supervision", "dispute-follow-up-reminders", "roster-upload-retention"):
            self.assertContains(r, f'data-testid="job-{key}"')

    def test_it_says_how_many_queued_tasks_wait_for_the_broker_and_since_when(self):
        from governance.models import OutboxTask

        self.client.force_login(self.root)
        self.assertNotContains(self.client.get("/system/"), 'data-testid="outbox"')
        OutboxTask.objects.create(task="disputes.tasks.exports.write_case_export", args=[1])
        OutboxTask.objects.create(task="disputes.tasks.exports.write_case_export", args=[2])
        OutboxTask.objects.create(task="rosters.tasks.run_import_job", args=[3], sent_at=timezone.now())  # taken
        self.assertContains(self.client.get("/system/"), "2 个后台任务等待发送到消息队列")

    @override_settings(CELERY_BEAT_SCHEDULE=SCHEDULE)
    def test_a_job_that_missed_its_slot_is_late_and_one_that_ran_is_not(self):
        now = timezone.now()
        PeriodicJob.objects.create(name="disputes.tasks.cases.supervise_overdue_cases", last_started_at=now - timedelta(hours=3),
                                   last_finished_at=now - timedelta(hours=3), last_succeeded=True)
        PeriodicJob.objects.create(name="rosters.tasks.purge_expired_uploads", last_started_at=now - timedelta(minutes=1),
                                   last_finished_at=now, last_succeeded=True)
        late = {row.key: row.late for row in periodic_jobs(now)}
        self.assertEqual(late, {"every-ten-minutes": True, "nightly": False})

    @override_settings(CELERY_BEAT_SCHEDULE=SCHEDULE)
    def test_a_job_that_never_ran_is_late_once_the_worker_was_up_at_its_slot(self):
        self.assertFalse({row.key: row.late for row in periodic_jobs()}["every-ten-minutes"])  # a fresh install
        beat = WorkerHeartbeat.objects.create(hostname="w1")
        WorkerHeartbeat.objects.filter(pk=beat.pk).update(at=timezone.now() - timedelta(hours=1))
        self.assertTrue({row.key: row.late for row in periodic_jobs()}["every-ten-minutes"])

    def test_every_page_tells_a_city_admin_that_background_work_has_stopped(self):
        self.client.force_login(self.root)
        self.assertContains(self.client.get("/cases/"), 'data-testid="background-stopped"')

    def test_a_fresh_heartbeat_clears_the_warning(self):
        WorkerHeartbeat.objects.create(hostname="w1")
        self.client.force_login(self.root)
        self.assertNotContains(self.client.get("/cases/"), 'data-testid="background-stopped"')

    def test_others_are_not_told(self):
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get("/cases/"), 'data-testid="background-stopped"')


class HealthzTestCase(TerritoryTestCase):
    def test_it_answers_without_a_sign_in_and_holds_no_personal_data(self):
        r = self.client.get("/healthz")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["database"], "ok")
        self.assertIn(r.json()["broker"], ("ok", "inline"))
        self.assertEqual(set(r.json()), {"status", "database", "broker", "outbox"})
        self.assertEqual(r.json()["outbox"], 0)

    @override_settings(CELERY_TASK_ALWAYS_EAGER=False)
    def test_an_unreachable_broker_is_degraded_but_200_since_the_pages_work_without_it(self):
        from governance.celery import app

        old = app.conf.broker_url
        app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
        try:
            r = self.client.get("/healthz")
        finally:
            app.conf.broker_url = old
        self.assertEqual((r.status_code, r.json()["status"], r.json()["broker"]), (200, "degraded", "error"))

    def test_an_unreachable_database_is_a_503(self):
        from unittest import mock

        from django.db import OperationalError

        with mock.patch("governance.views.connection.cursor", side_effect=OperationalError("connection refused")):
            r = self.client.get("/healthz")
        self.assertEqual((r.status_code, r.json()["status"], r.json()["database"]), (503, "error", "error"))

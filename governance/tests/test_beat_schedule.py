"""The beat schedule itself: which periodic task runs when (Asia/Shanghai), and that each exists."""

from celery import current_app
from celery.schedules import crontab
from django.conf import settings
from django.test import SimpleTestCase

import governance.celery  # noqa: F401  (the app, and every app's tasks)

EXPECTED = {
    "worker-heartbeat": ("governance.tasks.heartbeat", crontab(minute="*/5")),
    "case-supervision": ("disputes.tasks.cases.supervise_overdue_cases", crontab(minute="*/10")),
    "dispute-follow-up-reminders": ("disputes.tasks.mediation.remind_follow_ups", crontab(minute=5, hour="8-17")),
    "roster-upload-retention": ("rosters.tasks.purge_expired_uploads", crontab(minute=20, hour=3)),
    "case-export-retention": ("disputes.tasks.exports.purge_expired_exports", crontab(minute=40)),
}


class BeatScheduleTestCase(SimpleTestCase):
    def test_each_periodic_task_runs_at_its_stated_time(self):
        schedule = {key: (e["task"], e["schedule"]) for key, e in settings.CELERY_BEAT_SCHEDULE.items()}
        for key, (task, when) in EXPECTED.items():
            self.assertEqual(schedule[key], (task, when), key)

    def test_every_task_in_the_schedule_is_registered(self):
        current_app.loader.import_default_modules()
        for entry in settings.CELERY_BEAT_SCHEDULE.values():
            self.assertIn(entry["task"], current_app.tasks, entry["task"])

    def test_beat_runs_on_shanghai_time(self):
        self.assertEqual((settings.CELERY_TIMEZONE, settings.TIME_ZONE), ("Asia/Shanghai", "Asia/Shanghai"))

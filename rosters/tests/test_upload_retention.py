"""rosters.tasks.purge_expired_uploads (Celery beat, daily): uploaded roster files are deleted
ROSTER_UPLOAD_RETENTION_DAYS after their job finished; the history keeps the rest."""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from governance.celery import app
from governance.models import AuditEvent
from rosters.models import ImportJob, WrittenBatch
from rosters.tasks import purge_expired_uploads
from rosters.tests.helpers import RosterTestCase, csv_bytes

ROWS = [["姓名", "手机号", "网格编码"], ["渔夫", "13800000011", "210803001001001"], ["", "1380", "210803001001001"]]


class UploadRetentionTests(RosterTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.frank)

    def upload(self, confirm=True) -> ImportJob:
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("rosters:index"),
                             {"kind": "grid_workers", "file": SimpleUploadedFile("w.csv", csv_bytes(ROWS))})
        job = ImportJob.objects.latest("pk")
        if confirm:
            with self.captureOnCommitCallbacks(execute=True):
                self.client.post(reverse("rosters:job-confirm", args=[job.pk]))
        job.refresh_from_db()
        return job

    def age(self, job: ImportJob, days: float) -> None:
        then = timezone.now() - timedelta(days=days)
        fields = {"created_at": then}
        if job.finished_at:
            fields["finished_at"] = then
        ImportJob.objects.filter(pk=job.pk).update(**fields)

    def purge(self) -> int:
        with self.captureOnCommitCallbacks(execute=True):
            return purge_expired_uploads()

    def test_a_file_finished_more_than_30_days_ago_is_deleted_with_its_bad_rows_and_error_file(self):
        job = self.upload()
        source, errors = Path(job.file.path), Path(job.error_file.path)
        self.assertTrue(source.exists())
        self.assertEqual(len(job.bad_rows), 1)
        self.assertEqual(list(WrittenBatch.objects.filter(job=job).values_list("refused", flat=True)),
                         [[[3, "missing_name", "缺少姓名；手机号“1380”格式不正确"]]])
        self.age(job, 31)
        self.assertEqual(self.purge(), 1)
        job.refresh_from_db()
        self.assertFalse(source.exists())
        self.assertEqual(job.file.name, "")
        self.assertIsNotNone(job.file_expired_at)
        self.assertEqual(job.status, ImportJob.Status.DONE)
        # The history keeps the job and its counts; the bad rows and the error file (full ID numbers
        # and phones as typed) go with the upload.
        self.assertEqual(job.counts, {"new": 1, "updated": 0, "unchanged": 0, "bad": 1})
        self.assertEqual(job.bad_rows, [])
        self.assertEqual(list(WrittenBatch.objects.filter(job=job).values_list("refused", flat=True)), [None])
        self.assertEqual(job.error_file.name, "")
        self.assertFalse(errors.exists())
        self.assertEqual(self.client.get(reverse("rosters:job-errors", args=[job.pk])).status_code, 404)
        event = AuditEvent.objects.get(action="roster.file.expire")
        self.assertEqual((event.actor, event.target_id, event.region_code), (None, str(job.pk), "210803"))
        self.assertEqual(event.detail, {"kind": "grid_workers", "file": "w.csv", "bad_rows": 1, "error_file": True})

    def test_the_job_page_says_what_was_deleted_and_what_is_kept(self):
        job = self.upload()
        self.assertContains(self.client.get(reverse("rosters:job", args=[job.pk])), "错误行明细和错误行文件保留至")
        self.age(job, 31)
        self.purge()
        page = self.client.get(reverse("rosters:job", args=[job.pk]))
        self.assertContains(page, "上传的源文件、错误行明细和错误行文件已于")
        self.assertContains(page, 'data-testid="count-bad">1<')
        self.assertNotContains(page, 'data-testid="bad-rows"')
        self.assertNotContains(page, reverse("rosters:job-errors", args=[job.pk]))

    def test_a_file_finished_29_days_ago_is_kept(self):
        job = self.upload()
        self.age(job, 29)
        self.assertEqual(self.purge(), 0)
        job.refresh_from_db()
        self.assertTrue(Path(job.file.path).exists())
        self.assertIsNone(job.file_expired_at)

    def test_a_dry_run_never_confirmed_expires_counted_from_its_upload_and_can_no_longer_be_confirmed(self):
        job = self.upload(confirm=False)
        self.assertEqual(job.status, ImportJob.Status.CHECKED)
        self.age(job, 31)
        self.assertEqual(self.purge(), 1)
        response = self.client.post(reverse("rosters:job-confirm", args=[job.pk]))
        self.assertContains(response, "源文件已过期", status_code=409)
        job.refresh_from_db()
        self.assertEqual(job.status, ImportJob.Status.CHECKED)

    def test_a_queued_or_running_job_keeps_its_file_however_old(self):
        job = self.upload()
        self.age(job, 90)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
        self.assertEqual(self.purge(), 0)

    def test_a_second_run_deletes_nothing_more(self):
        job = self.upload()
        self.age(job, 31)
        self.assertEqual(self.purge(), 1)
        self.assertEqual(self.purge(), 0)
        self.assertEqual(AuditEvent.objects.filter(action="roster.file.expire").count(), 1)

    def test_the_retention_period_is_a_setting_and_0_keeps_files_forever(self):
        job = self.upload()
        self.age(job, 8)
        with override_settings(ROSTER_UPLOAD_RETENTION_DAYS=0):
            self.assertEqual(self.purge(), 0)
        with override_settings(ROSTER_UPLOAD_RETENTION_DAYS=7):
            self.assertEqual(self.purge(), 1)

    def test_a_command_line_import_without_bad_rows_has_nothing_to_delete_and_is_left_alone(self):
        ImportJob.objects.create(kind="grid_workers", source="cli", original_name="w.csv",
                                 status=ImportJob.Status.DONE, finished_at=timezone.now() - timedelta(days=90))
        self.assertEqual(self.purge(), 0)

    def test_the_bad_rows_of_a_command_line_import_are_deleted_after_the_retention_period_too(self):
        job = ImportJob.objects.create(
            kind="residents", source="cli", original_name="r.csv", status=ImportJob.Status.DONE,
            finished_at=timezone.now() - timedelta(days=31), counts={"bad": 1},
            bad_rows=[{"row": 2, "code": "id_checksum", "reason": "公民身份号码“210802199507142118”校验位错误"}])
        self.assertEqual(self.purge(), 1)
        job.refresh_from_db()
        self.assertEqual((job.bad_rows, job.counts), ([], {"bad": 1}))
        self.assertIsNotNone(job.file_expired_at)

    def test_a_file_already_gone_from_disk_is_still_marked_expired(self):
        job = self.upload()
        Path(job.file.path).unlink()
        self.age(job, 31)
        self.assertEqual(self.purge(), 1)
        job.refresh_from_db()
        self.assertIsNotNone(job.file_expired_at)

    def test_it_runs_daily_on_celery_beat_and_defaults_to_30_days(self):
        entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "rosters.tasks.purge_expired_uploads"]
        self.assertEqual(len(entries), 1)
        self.assertIn("rosters.tasks.purge_expired_uploads", app.tasks)
        self.assertEqual(settings.ROSTER_UPLOAD_RETENTION_DAYS, 30)

"""The rosters' do_* actions on their own: jobs are queued only once committed."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from governance.models import AuditEvent
from rosters.actions import do_confirm_import_job, do_create_import_job
from rosters.models import ImportJob, RosterKind
from rosters.tests.helpers import RosterTestCase, csv_bytes

ROWS = [["姓名", "手机号", "网格编码"], ["渔夫", "13800000011", "210803001001001"]]


class RosterActionsTests(RosterTestCase):
    def create_job(self, enqueue) -> ImportJob:
        return do_create_import_job(actor=self.frank, kind=RosterKind.GRID_WORKERS, region_code=self.xishi.code,
                                    upload=SimpleUploadedFile("w.csv", csv_bytes(ROWS)), enqueue=enqueue)

    def test_a_new_job_is_queued_once_the_upload_commits_and_not_before(self):
        queued = []
        with self.captureOnCommitCallbacks(execute=True):
            job = self.create_job(queued.append)
            self.assertEqual(queued, [])
        self.assertEqual(queued, [job.pk])
        self.assertEqual(AuditEvent.objects.get(action="roster.upload").target_id, str(job.pk))

    def test_an_upload_rolled_back_queues_nothing(self):
        queued = []
        with self.captureOnCommitCallbacks(execute=True):
            with self.assertRaises(RuntimeError), transaction.atomic():
                self.create_job(queued.append)
                raise RuntimeError("the caller's transaction fails")
        self.assertEqual(queued, [])
        self.assertFalse(ImportJob.objects.exists())

    def test_confirming_queues_only_a_checked_job(self):
        job = self.create_job(lambda pk: None)
        queued = []
        with self.captureOnCommitCallbacks(execute=True):
            do_confirm_import_job(actor=self.frank, job=job, enqueue=queued.append)
        self.assertEqual(queued, [])  # still queued for its dry run
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKED)
        with self.captureOnCommitCallbacks(execute=True):
            do_confirm_import_job(actor=self.frank, job=job, enqueue=queued.append)
        self.assertEqual(queued, [job.pk])

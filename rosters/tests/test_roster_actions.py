"""The rosters' do_* actions on their own: jobs are queued in the write's transaction (the outbox
row) and sent only once committed, and the audited reads (export, error file) check the capability
before they leave their one audit row."""

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from governance.models import AuditEvent, OutboxTask
from governance.outbox import later
from rosters.actions import do_confirm_import_job, do_create_import_job, do_download_error_file, do_export_roster
from rosters.models import ImportJob, RosterKind
from rosters.tests.helpers import RosterTestCase, csv_bytes

ROWS = [["姓名", "手机号", "网格编码"], ["渔夫", "13800000011", "210803001001001"]]


class RecordingTask:
    """Stands in for rosters.tasks.run_import_job: remembers what was sent to it."""

    name = "rosters.tests.recording_task"

    def __init__(self):
        self.sent = []

    def apply_async(self, args=(), kwargs=None, **options):
        self.sent.append(args[0])


class RosterActionsTests(RosterTestCase):
    def create_job(self, enqueue) -> ImportJob:
        return do_create_import_job(actor=self.frank, kind=RosterKind.GRID_WORKERS, region_code=self.xishi.code,
                                    upload=SimpleUploadedFile("w.csv", csv_bytes(ROWS)), enqueue=enqueue)

    def test_a_new_job_is_written_to_the_outbox_with_the_upload_and_sent_once_it_commits(self):
        task = RecordingTask()
        with self.captureOnCommitCallbacks(execute=True):
            job = self.create_job(later(task))
            self.assertEqual(task.sent, [])
            self.assertEqual(list(OutboxTask.objects.values_list("task", "args")), [(task.name, [job.pk])])
        self.assertEqual(task.sent, [job.pk])
        self.assertFalse(OutboxTask.objects.exists())
        self.assertEqual(AuditEvent.objects.get(action="roster.upload").target_id, str(job.pk))

    def test_an_upload_rolled_back_queues_nothing(self):
        task = RecordingTask()
        with self.captureOnCommitCallbacks(execute=True):
            with self.assertRaises(RuntimeError), transaction.atomic():
                self.create_job(later(task))
                raise RuntimeError("the caller's transaction fails")
        self.assertEqual(task.sent, [])
        self.assertFalse(ImportJob.objects.exists())
        self.assertFalse(OutboxTask.objects.exists())

    def test_confirming_queues_only_a_checked_job(self):
        job = self.create_job(lambda pk: None)
        task = RecordingTask()
        with self.captureOnCommitCallbacks(execute=True):
            do_confirm_import_job(actor=self.frank, job=job, enqueue=later(task))
        self.assertEqual(task.sent, [])  # still queued for its dry run
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKED)
        with self.captureOnCommitCallbacks(execute=True):
            do_confirm_import_job(actor=self.frank, job=job, enqueue=later(task))
        self.assertEqual(task.sent, [job.pk])

    def test_an_export_outside_the_actors_import_scope_is_refused_without_an_audit_row(self):
        with self.assertRaises(PermissionDenied):
            do_export_roster(actor=self.frank, kind=RosterKind.RESIDENTS, region_code=self.zhanqian.code,
                             file_format="xlsx")
        with self.assertRaises(PermissionDenied):
            do_export_roster(actor=self.erin, kind=RosterKind.RESIDENTS, region_code=self.city.code,
                             file_format="xlsx")
        self.assertFalse(AuditEvent.objects.exists())

    def test_an_export_leaves_one_audit_row_before_a_single_row_is_read(self):
        rows = do_export_roster(actor=self.frank, kind="territory", region_code=self.xishi.code, file_format="csv")
        event = AuditEvent.objects.get()
        self.assertEqual((event.action, event.actor, event.region_code), ("roster.export.territory", self.frank,
                                                                          self.xishi.code))
        self.assertIn(self.grid_b.code, [row[0] for row in rows])

    def test_an_error_file_download_outside_the_jobs_territory_is_refused_without_an_audit_row(self):
        job = ImportJob.objects.create(kind=RosterKind.GRID_WORKERS, region=self.xishi, original_name="w.csv")
        with self.assertRaises(PermissionDenied):
            do_download_error_file(actor=self.dave, job=job)
        self.assertFalse(AuditEvent.objects.exists())

"""An import whose worker died is resumed past the batches it had written, each row written once; a
failed import says how far it got; a second delivery while the job runs elsewhere does nothing.
(The same with a real worker killed by SIGKILL: portal/tests/test_worker_killed.py.)"""

from __future__ import annotations

import threading
from unittest import mock

from django.core.files.base import ContentFile
from django.db import connection

from governance.locks import run_alone
from governance.models import AuditEvent, User
from governance.roles import Role
from rosters import actions
from rosters.kinds.grid_workers import GridWorkerRoster
from rosters.models import ImportJob, WrittenBatch
from rosters.tasks import job_lock, run_import_job
from rosters.tests.helpers import RosterTestCase, csv_bytes

ROWS = 2500
BATCH = 500  # five batches: file rows 2–501, 502–1001, …


class Killed(BaseException):
    """What SIGKILL does to a task, as far as the database can tell: it stops, no handler runs."""


def writer_that_dies_at(call: int, exc: BaseException):
    real = actions.do_write_roster_batch
    calls = []

    def write(**kwargs):
        calls.append(1)
        if len(calls) >= call:
            raise exc
        return real(**kwargs)

    return write


class ImportResumeTests(RosterTestCase):
    def setUp(self) -> None:
        super().setUp()
        patcher = mock.patch.object(GridWorkerRoster, "batch_size", BATCH)
        patcher.start()
        self.addCleanup(patcher.stop)
        rows = [["姓名", "手机号", "网格编码"]] + [[f"网格员{i}", f"139{i:08d}", "210803001001001"] for i in range(ROWS)]
        self.job = ImportJob(kind="grid_workers", region=self.xishi, created_by=self.frank, original_name="w.csv",
                             phase=ImportJob.Phase.WRITE)
        self.job.file.save("w.csv", ContentFile(csv_bytes(rows)), save=True)

    def imported_workers(self) -> int:
        return User.objects.filter(username__startswith="139", role_assignments__role=Role.GRID_WORKER).count()

    def test_an_import_whose_worker_died_after_two_batches_resumes_and_writes_each_row_once(self):
        with mock.patch.object(actions, "do_write_roster_batch", writer_that_dies_at(3, Killed())):
            with self.assertRaises(Killed):
                run_import_job(self.job.pk)
        self.job.refresh_from_db()
        self.assertEqual(self.job.status, ImportJob.Status.RUNNING)  # as a killed worker leaves it
        self.assertEqual(list(WrittenBatch.objects.filter(job=self.job).values_list("first_row", "last_row")),
                         [(2, 501), (502, 1001)])
        self.assertEqual(self.imported_workers(), 1000)  # two whole batches, nothing of the third

        self.assertEqual(run_import_job(self.job.pk), ImportJob.Status.DONE)
        self.job.refresh_from_db()
        self.assertEqual(self.job.counts, {"new": ROWS, "updated": 0, "unchanged": 0, "bad": 0})
        self.assertEqual(self.imported_workers(), ROWS)
        self.assertEqual(WrittenBatch.objects.filter(job=self.job).count(), 5)
        # Each batch written once: one audit row per batch, not seven.
        self.assertEqual(AuditEvent.objects.filter(action="roster.import.grid_workers").count(), 5)

    def test_a_failed_import_says_which_rows_it_wrote_whole(self):
        with mock.patch.object(actions, "do_write_roster_batch", writer_that_dies_at(3, RuntimeError("disk full"))):
            with self.assertRaises(RuntimeError):
                run_import_job(self.job.pk)
        self.job.refresh_from_db()
        self.assertEqual(self.job.status, ImportJob.Status.FAILED)
        self.assertIn("已完整写入 2 批（至文件第 1001 行），其余行没有写入", self.job.message)
        self.assertEqual(self.imported_workers(), 1000)

    def test_a_second_delivery_while_the_job_runs_elsewhere_does_nothing(self):
        held, release = threading.Event(), threading.Event()

        def other_worker():
            try:
                with run_alone(job_lock(self.job.pk)) as mine:
                    assert mine
                    held.set()
                    release.wait(10)
            finally:
                connection.close()

        thread = threading.Thread(target=other_worker)
        thread.start()
        try:
            self.assertTrue(held.wait(10))
            self.assertEqual(run_import_job(self.job.pk), "running elsewhere")
        finally:
            release.set()
            thread.join()
        self.job.refresh_from_db()
        self.assertEqual(self.job.status, ImportJob.Status.QUEUED)
        self.assertEqual(self.imported_workers(), 0)

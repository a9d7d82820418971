"""An import whose worker died is resumed past the batches it had written, each row written once, and its
error file holds every refused row of the file once; a failed import says how far it got; a second
delivery while the job runs elsewhere does nothing.
(The same with a real worker killed by SIGKILL: portal/tests/test_worker_killed.py.)"""

from __future__ import annotations

import threading
from pathlib import Path
from unittest import mock

import openpyxl
from django.core.files.base import ContentFile
from django.db import connection

from governance.locks import run_alone
from governance.models import AuditEvent, User
from governance.roles import Role
from governance.tests.base import make_region, make_user
from rosters import actions
from rosters.kinds.grid_workers import GridWorkerRoster
from rosters.models import ImportJob, WrittenBatch
from rosters.tasks import job_lock, resume_orphaned_jobs, run_import_job
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

    def upload(self, rows: list[list[str]]) -> None:
        self.job.file.save("w.csv", ContentFile(csv_bytes([["姓名", "手机号", "网格编码"], *rows])), save=True)

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

    def test_a_resumed_import_refuses_in_its_error_file_every_bad_row_of_the_file_once_in_file_order(self):
        rows = [[f"网格员{i}", f"139{i:08d}", "210803001001001"] for i in range(ROWS)]
        # Refused by the checks (no database) and, for an account of nobody's scope, by the comparison
        # with the database: in each batch written before the worker died, in the batch it died in, and after.
        for i in (8, 1198):
            rows[i][0] = ""
        rows[700][1] = "12345"
        for i in (18, 900, 2098):
            make_user(rows[i][1], "别处的人")
        self.upload(rows)
        with mock.patch.object(actions, "do_write_roster_batch", writer_that_dies_at(3, Killed())):
            with self.assertRaises(Killed):
                run_import_job(self.job.pk)
        self.assertEqual(WrittenBatch.objects.filter(job=self.job).count(), 2)

        self.assertEqual(run_import_job(self.job.pk), ImportJob.Status.DONE)
        self.job.refresh_from_db()
        other = "账号“%s”属于您管辖范围以外的人员，不能修改"
        refused = [(10, "缺少姓名"), (20, other % rows[18][1]), (702, "手机号“12345”格式不正确"),
                   (902, other % rows[900][1]), (1200, "缺少姓名"), (2100, other % rows[2098][1])]
        sheet = openpyxl.load_workbook(Path(self.job.error_file.path), read_only=True).active
        self.assertEqual([(row[0], row[1], row[-1]) for row in sheet.iter_rows(min_row=2, values_only=True)],
                         [(rows[n - 2][0] or None, rows[n - 2][1], f"第 {n} 行：{reason}") for n, reason in refused])
        self.assertEqual([(b["row"], b["reason"]) for b in self.job.bad_rows], refused)
        self.assertEqual(self.job.counts, {"new": ROWS - 6, "updated": 0, "unchanged": 0, "bad": 6})
        self.assertEqual(self.imported_workers(), ROWS - 6)

    def test_a_row_refused_when_its_batch_was_written_stays_in_the_error_file_though_the_checks_pass_it_now(self):
        rows = [[f"网格员{i}", f"139{i:08d}", "210803001001001"] for i in range(ROWS)]
        rows[30][2] = "210803001001002"
        self.upload(rows)
        with mock.patch.object(actions, "do_write_roster_batch", writer_that_dies_at(2, Killed())):
            with self.assertRaises(Killed):
                run_import_job(self.job.pk)
        make_region("210803001001002", "渔市社区第2网格", self.yushi)  # added before the job was resumed

        self.assertEqual(run_import_job(self.job.pk), ImportJob.Status.DONE)
        self.job.refresh_from_db()
        # Row 32 was not written (its batch is skipped): it is in the error file, to be imported again.
        self.assertEqual([(b["row"], b["reason"]) for b in self.job.bad_rows], [(32, "网格编码“210803001001002”不存在")])
        sheet = openpyxl.load_workbook(Path(self.job.error_file.path), read_only=True).active
        self.assertEqual([row[1] for row in sheet.iter_rows(min_row=2, values_only=True)], [rows[30][1]])
        self.assertEqual(self.job.counts, {"new": ROWS - 1, "updated": 0, "unchanged": 0, "bad": 1})
        self.assertEqual(self.imported_workers(), ROWS - 1)

    def test_a_batch_written_before_its_refused_rows_were_recorded_gives_those_the_checks_find(self):
        rows = [[f"网格员{i}", f"139{i:08d}", "210803001001001"] for i in range(ROWS)]
        rows[8][0] = rows[1198][0] = ""
        self.upload(rows)
        with mock.patch.object(actions, "do_write_roster_batch", writer_that_dies_at(3, Killed())):
            with self.assertRaises(Killed):
                run_import_job(self.job.pk)
        WrittenBatch.objects.filter(job=self.job).update(refused=None)  # as rosters 0006 leaves older batches

        self.assertEqual(run_import_job(self.job.pk), ImportJob.Status.DONE)
        self.job.refresh_from_db()
        self.assertEqual([(b["row"], b["reason"]) for b in self.job.bad_rows], [(10, "缺少姓名"), (1200, "缺少姓名")])
        self.assertEqual(self.job.counts, {"new": ROWS - 2, "updated": 0, "unchanged": 0, "bad": 2})

    def test_a_starting_worker_resumes_the_jobs_left_running_and_only_those(self):
        self.upload([["渔夫", "13800000011", "210803001001001"]])
        with mock.patch.object(actions, "do_write_roster_batch", writer_that_dies_at(1, Killed())):
            with self.assertRaises(Killed):
                run_import_job(self.job.pk)
        queued = ImportJob.objects.create(kind="grid_workers", region=self.xishi, created_by=self.frank,
                                          original_name="q.csv", phase=ImportJob.Phase.WRITE)

        self.assertEqual(resume_orphaned_jobs(), 1)
        self.job.refresh_from_db()
        self.assertEqual((self.job.status, self.job.counts["new"]), (ImportJob.Status.DONE, 1))
        queued.refresh_from_db()
        self.assertEqual(queued.status, ImportJob.Status.QUEUED)

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

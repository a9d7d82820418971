"""/rosters/jobs/<pk>/errors.xlsx: the bad rows with their reasons, ready to fix and re-import."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from guardian.shortcuts import assign_perm

from governance.models import AuditEvent
from governance.tests.base import make_user
from governance.tests.spreadsheets import xlsx_formulas
from rosters.models import ImportJob
from rosters.tests.helpers import RosterTestCase, csv_bytes

ROWS = [["姓名", "手机号", "网格编码"], ["渔夫", "13800000011", "210803001001001"], ["", "1380", "210803001001001"]]


class JobErrorsTests(RosterTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.frank)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("rosters:index"),
                             {"kind": "grid_workers", "file": SimpleUploadedFile("w.csv", csv_bytes(ROWS))})
        self.job = ImportJob.objects.get()

    def test_the_error_file_has_the_original_columns_and_the_reason(self):
        response = self.client.get(reverse("rosters:job-errors", args=[self.job.pk]))
        self.assertEqual(response.status_code, 200)
        rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True))
        self.assertEqual(rows[0], ("姓名", "手机号", "网格编码", "错误原因"))
        self.assertEqual(rows[1][:3], (None, "1380", "210803001001001"))
        self.assertIn("第 3 行", rows[1][3])

    def test_other_districts_get_404(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(reverse("rosters:job-errors", args=[self.job.pk])).status_code, 404)
        self.assertFalse(AuditEvent.objects.filter(action="roster.errors.download").exists())

    def test_each_download_leaves_one_audit_row_on_the_job(self):
        response = self.client.get(reverse("rosters:job-errors", args=[self.job.pk]))
        b"".join(response.streaming_content)
        event = AuditEvent.objects.get(action="roster.errors.download")
        self.assertEqual((event.actor, event.target_type, event.target_id, event.region_code),
                         (self.frank, "rosters.importjob", str(self.job.pk), self.xishi.code))
        self.assertEqual(event.detail, {"kind": "grid_workers", "file": "w.csv"})

    def test_someone_who_may_import_but_not_reveal_personal_data_gets_403_and_no_link(self):
        clerk = make_user("clerk", "录入员")
        assign_perm("governance.scope_import_roster", clerk, self.xishi)
        self.client.force_login(clerk)
        response = self.client.get(reverse("rosters:job-errors", args=[self.job.pk]))
        self.assertEqual(response.status_code, 403)
        self.assertFalse(AuditEvent.objects.filter(action="roster.errors.download").exists())
        page = self.client.get(reverse("rosters:job", args=[self.job.pk]))
        self.assertNotContains(page, reverse("rosters:job-errors", args=[self.job.pk]))
        self.assertContains(page, "需要在该辖区查看完整个人信息的权限才能下载")
        self.assertNotContains(self.client.get(reverse("rosters:history")),
                               reverse("rosters:job-errors", args=[self.job.pk]))

    def test_an_error_file_gone_from_storage_is_404_and_leaves_no_audit_row(self):
        self.job.error_file.storage.delete(self.job.error_file.name)
        self.assertEqual(self.client.get(reverse("rosters:job-errors", args=[self.job.pk])).status_code, 404)
        self.assertFalse(AuditEvent.objects.filter(action="roster.errors.download").exists())


class ErrorFileFormulaTests(RosterTestCase):
    """Issue 11 (4): the bad rows come back as they were typed, as text, never as formulas."""

    def test_a_bad_row_naming_a_formula_comes_back_as_text_in_the_error_file(self):
        hostile = '=HYPERLINK("http://x","点此")'
        rows = [["姓名", "手机号", "网格编码", "=1+1"], [hostile, "1380", "210803001001001", "@SUM(A1)"]]
        self.client.force_login(self.frank)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("rosters:index"),
                             {"kind": "grid_workers", "file": SimpleUploadedFile("w.csv", csv_bytes(rows))})
        job = ImportJob.objects.get()
        content = b"".join(self.client.get(reverse("rosters:job-errors", args=[job.pk])).streaming_content)
        self.assertEqual(xlsx_formulas(content), [])
        written = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
        self.assertEqual(written[0][:4], ("姓名", "手机号", "网格编码", "=1+1"))
        self.assertEqual(written[1][:4], (hostile, "1380", "210803001001001", "@SUM(A1)"))

    def test_a_control_character_in_a_bad_row_is_dropped_from_the_error_file_instead_of_failing_the_job(self):
        rows = [["姓名", "手机号", "网格编码"], ["渔\x01夫", "1380", "210803001001001"]]
        self.client.force_login(self.frank)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("rosters:index"),
                             {"kind": "grid_workers", "file": SimpleUploadedFile("w.csv", csv_bytes(rows))})
        job = ImportJob.objects.get()
        self.assertEqual(job.status, ImportJob.Status.CHECKED)
        content = b"".join(self.client.get(reverse("rosters:job-errors", args=[job.pk])).streaming_content)
        self.assertEqual(list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))[1][0],
                         "渔夫")

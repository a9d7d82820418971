"""POST /rosters/jobs/<pk>/confirm/: writes the good rows once, in the background."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from governance.models import AuditEvent, User
from rosters.models import ImportJob
from rosters.tests.helpers import RosterTestCase, csv_bytes

ROWS = [["姓名", "手机号", "网格编码"], ["渔夫", "13800000011", "210803001001001"], ["", "1380", "210803001001001"]]


class JobConfirmTests(RosterTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.frank)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("rosters:index"),
                             {"kind": "grid_workers", "file": SimpleUploadedFile("w.csv", csv_bytes(ROWS))})
        self.job = ImportJob.objects.get()
        self.url = reverse("rosters:job-confirm", args=[self.job.pk])

    def test_confirming_writes_the_good_rows_and_records_the_result(self):
        self.assertFalse(User.objects.filter(username="13800000011").exists())
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url)
        self.assertRedirects(response, reverse("rosters:job", args=[self.job.pk]))
        self.job.refresh_from_db()
        self.assertEqual(self.job.status, ImportJob.Status.DONE)
        self.assertEqual(self.job.counts, {"new": 1, "updated": 0, "unchanged": 0, "bad": 1})
        self.assertTrue(User.objects.filter(username="13800000011").exists())
        self.assertTrue(AuditEvent.objects.filter(action="roster.import.grid_workers", actor=self.frank).exists())
        page = self.client.get(reverse("rosters:job", args=[self.job.pk]))
        self.assertContains(page, "导入结果")

    def test_confirming_twice_imports_once_and_answers_409(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.url)
        response = self.client.post(self.url)
        self.assertEqual(response.status_code, 409)
        self.assertEqual(User.objects.filter(username="13800000011").count(), 1)

    def test_get_is_not_allowed_and_other_districts_get_404(self):
        self.assertEqual(self.client.get(self.url).status_code, 405)
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post(self.url).status_code, 404)
        self.job.refresh_from_db()
        self.assertEqual(self.job.status, ImportJob.Status.CHECKED)

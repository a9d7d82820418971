"""/rosters/jobs/<pk>/: the dry-run counts and bad rows, the confirm button, the result."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rosters.models import ImportJob
from rosters.tests.helpers import RosterTestCase, csv_bytes

ROWS = [["姓名", "手机号", "网格编码"], ["渔夫", "13800000011", "210803001001001"], ["", "1380", "210802001001001"]]


class JobDetailTests(RosterTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.frank)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("rosters:index"),
                             {"kind": "grid_workers", "file": SimpleUploadedFile("w.csv", csv_bytes(ROWS))})
        self.job = ImportJob.objects.get()

    def test_the_dry_run_shows_counts_every_bad_row_and_the_confirm_button(self):
        with self.assertNumQueries(9):
            response = self.client.get(reverse("rosters:job", args=[self.job.pk]))
        self.assertContains(response, "已预检，待确认")
        self.assertContains(response, 'data-testid="count-bad">1<')
        self.assertContains(response, "缺少姓名")
        self.assertContains(response, "确认导入")
        self.assertContains(response, reverse("rosters:job-errors", args=[self.job.pk]))

    def test_a_job_of_another_district_is_404(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(reverse("rosters:job", args=[self.job.pk])).status_code, 404)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(reverse("rosters:job", args=[self.job.pk])).status_code, 404)

    def test_a_refused_file_shows_why(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("rosters:index"),
                             {"kind": "grid_workers", "file": SimpleUploadedFile("x.xlsx", b"not a zip" * 50)})
        job = ImportJob.objects.latest("pk")
        response = self.client.get(reverse("rosters:job", args=[job.pk]))
        self.assertContains(response, "不是有效的 Excel")
        self.assertNotContains(response, "确认导入")

    def test_it_says_until_when_the_source_file_is_kept(self):
        response = self.client.get(reverse("rosters:job", args=[self.job.pk]))
        self.assertContains(response, 'data-testid="file-expires"')
        self.assertContains(response, "上传的源文件保留至")

    def test_once_the_source_file_expired_it_says_so_and_offers_no_confirm(self):
        from django.utils import timezone

        ImportJob.objects.filter(pk=self.job.pk).update(file="", file_expired_at=timezone.now())
        response = self.client.get(reverse("rosters:job", args=[self.job.pk]))
        self.assertContains(response, 'data-testid="file-expired"')
        self.assertContains(response, "源文件已过期")
        self.assertContains(response, 'data-testid="count-bad">1<')  # the counts stay
        self.assertContains(response, reverse("rosters:job-errors", args=[self.job.pk]))  # so does the error file
        self.assertNotContains(response, 'data-testid="confirm"')

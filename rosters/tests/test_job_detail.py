"""/rosters/jobs/<pk>/: the dry-run counts and bad rows, the confirm button, the result."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from guardian.shortcuts import assign_perm

from governance.tests.base import make_user
from parties import pii
from rosters.actions import do_expire_import_file
from rosters.badrows import masked_bad_rows
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

    def test_it_says_until_when_the_source_file_bad_rows_and_error_file_are_kept(self):
        response = self.client.get(reverse("rosters:job", args=[self.job.pk]))
        self.assertContains(response, 'data-testid="file-expires"')
        self.assertContains(response, "上传的源文件、错误行明细和错误行文件保留至")

    def test_once_the_source_file_expired_it_says_so_and_offers_no_confirm(self):
        with self.captureOnCommitCallbacks(execute=True):
            do_expire_import_file(actor=None, job=self.job)
        response = self.client.get(reverse("rosters:job", args=[self.job.pk]))
        self.assertContains(response, 'data-testid="file-expired"')
        self.assertContains(response, "源文件已过期")
        self.assertContains(response, 'data-testid="count-bad">1<')  # the counts stay
        self.assertNotContains(response, reverse("rosters:job-errors", args=[self.job.pk]))  # gone with the upload
        self.assertNotContains(response, "缺少姓名")
        self.assertNotContains(response, 'data-testid="confirm"')


class JobDetailPersonalDataTests(RosterTestCase):
    """Issue 11 (5): the bad rows quote the ID numbers and phones as typed; the page shows them masked
    unless the user may reveal personal data in the job's region."""

    ID_NUMBER = "210802199507142118"  # one check digit off 21080219950714211X
    PHONE = "1983057390"  # one digit short
    BAD_DATE = "210802199513991234"  # born on the 99th of the 13th month

    def setUp(self):
        super().setUp()
        self.clerk = make_user("clerk", "录入员")  # may import in 西市区, may not reveal personal data
        assign_perm("governance.scope_import_roster", self.clerk, self.xishi)
        rows = [["姓名", "公民身份号码", "联系电话", "网格编码"], ["严轩", self.ID_NUMBER, "", "210803001001001"],
                ["郭玉", "21080219950714211X", self.PHONE, "210803001001001"],
                ["郭三", self.BAD_DATE, "", "210803001001001"]]
        self.client.force_login(self.frank)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("rosters:index"),
                             {"kind": "residents", "file": SimpleUploadedFile("r.csv", csv_bytes(rows))})
        self.job = ImportJob.objects.get()
        self.assertEqual(self.job.dry_counts["bad"], 3)

    def test_someone_who_may_not_reveal_sees_the_numbers_in_the_bad_rows_masked(self):
        self.client.force_login(self.clerk)
        response = self.client.get(reverse("rosters:job", args=[self.job.pk]))
        self.assertContains(response, "校验不通过")
        self.assertContains(response, pii.mask_id_number(self.ID_NUMBER))
        self.assertContains(response, pii.mask_phone(self.PHONE))
        self.assertNotContains(response, self.ID_NUMBER)
        self.assertNotContains(response, self.PHONE)

    def test_someone_who_may_reveal_there_sees_them_as_typed(self):
        response = self.client.get(reverse("rosters:job", args=[self.job.pk]))
        self.assertContains(response, self.ID_NUMBER)
        self.assertContains(response, self.PHONE)

    def test_a_birth_date_quoted_from_an_id_number_is_masked_too(self):
        self.client.force_login(self.clerk)
        response = self.client.get(reverse("rosters:job", args=[self.job.pk]))
        self.assertContains(response, "不是真实的出生日期")
        self.assertContains(response, "“********”")
        self.assertNotContains(response, self.BAD_DATE[6:14])

    def test_bad_rows_kept_before_the_masking_are_masked_by_their_long_digit_runs(self):
        entry = {"row": 2, "code": "bad_phone", "reason": f"公民身份号码“{self.ID_NUMBER}”校验不通过；手机号“{self.PHONE}”"}
        reason = masked_bad_rows([entry], reveal=False)[0]["reason"]
        self.assertEqual(reason, f"公民身份号码“{pii.mask_id_number(self.ID_NUMBER)}”校验不通过；"
                                 f"手机号“{pii.mask_phone(self.PHONE)}”")

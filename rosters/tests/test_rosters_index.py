"""/rosters/: the upload form (dry run first), templates, exports and the latest imports."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rosters.models import ImportJob
from rosters.tests.helpers import RosterTestCase, csv_bytes

URL = reverse("rosters:index")
WORKERS = [["姓名", "手机号", "网格编码"], ["渔夫", "13800000011", "210803001001001"]]


class RostersIndexTests(RosterTestCase):
    def upload(self, name="w.csv", content=None, kind="grid_workers"):
        content = csv_bytes(WORKERS) if content is None else content
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(URL, {"kind": kind, "file": SimpleUploadedFile(name, content)})

    def test_an_admin_sees_the_form_every_kind_and_their_latest_imports(self):
        self.client.force_login(self.frank)
        self.upload()
        with self.assertNumQueries(9):
            response = self.client.get(URL)
        self.assertContains(response, "上传并预检")
        for label in ("区划网格", "网格员", "实有人口", "实有房屋", "实有单位"):
            self.assertContains(response, label)
        self.assertContains(response, "w.csv")

    def test_the_page_tells_admins_that_a_resident_import_never_removes_a_tag(self):
        self.client.force_login(self.frank)
        response = self.client.get(URL)
        self.assertContains(response, 'data-testid="roster-notes"')
        self.assertContains(response, "人员标签只增不减")
        self.assertContains(response, "文件中没有列出的已有标签不会被删除")

    def test_an_upload_runs_the_dry_run_and_lands_on_its_page(self):
        self.client.force_login(self.frank)
        response = self.upload()
        job = ImportJob.objects.get()
        self.assertRedirects(response, reverse("rosters:job", args=[job.pk]))
        self.assertEqual((job.status, job.region_id, job.created_by), (ImportJob.Status.CHECKED, "210803", self.frank))
        self.assertEqual(job.dry_counts, {"new": 1, "updated": 0, "unchanged": 0, "bad": 0})

    def test_bad_input_gets_a_chinese_message_and_a_400(self):
        self.client.force_login(self.frank)
        for data, message in [
            ({"kind": "nonsense", "file": SimpleUploadedFile("w.csv", b"x")}, "请选择名册类型"),
            ({"kind": "grid_workers"}, "请选择要上传的文件"),
            ({"kind": "grid_workers", "file": SimpleUploadedFile("w.pdf", b"%PDF")}, "只支持 .xlsx、.xls、.ods 和 .csv"),
        ]:
            response = self.client.post(URL, data)
            self.assertContains(response, message, status_code=400)
        self.assertFalse(ImportJob.objects.exists())

    def test_someone_without_the_import_capability_gets_403(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(URL).status_code, 403)
        self.assertEqual(self.client.post(URL, {"kind": "grid_workers"}).status_code, 403)

    def test_anonymous_visitors_are_sent_to_sign_in(self):
        self.assertEqual(self.client.get(URL).status_code, 302)

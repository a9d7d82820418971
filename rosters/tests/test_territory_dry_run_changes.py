"""The territory import's dry run says what will change: for each updated node, the column, what is
stored now and what the file says (engine.Result.changes, shown on /rosters/jobs/<pk>/)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from governance.models import Region, RoleAssignment
from governance.roles import Role
from rosters.models import ImportJob
from rosters.tests.helpers import RosterTestCase, xlsx_bytes

HEADER = ["编码", "名称", "层级", "上级编码", "网格类型"]


class TerritoryDryRunChangesTests(RosterTestCase):
    def rows(self):
        return [HEADER, [self.grid_a.code, "五大门社区第一网格", "网格", "", "学校"],
                [self.grid_a2.code, self.grid_a2.name, "网格", "", ""]]

    def test_the_dry_run_lists_the_changed_columns_of_an_updated_row(self):
        path = self.write_file("t.xlsx", xlsx_bytes(self.rows()))
        result = self.run_roster("territory", path, dry_run=True)
        self.assertEqual(result.counts["updated"], 1)
        self.assertEqual(result.changes, [{"row": 2, "key": self.grid_a.code, "changes": [
            ["名称", "五大门社区第1网格", "五大门社区第一网格"], ["网格类型", "综合网格", "专属网格（学校）"]]}])
        self.assertEqual(Region.objects.get(code=self.grid_a.code).name, "五大门社区第1网格")

    def test_the_job_page_shows_them_before_confirming(self):
        # the city's system administrator (a superuser holds no territory)
        RoleAssignment.objects.create(user=self.frank, role=Role.ADMIN, region=self.city)
        self.client.force_login(self.frank)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("rosters:index"), {"kind": "territory", "file": SimpleUploadedFile(
                "t.xlsx", xlsx_bytes(self.rows()))})
        job = ImportJob.objects.get()
        r = self.client.get(reverse("rosters:job", args=[job.pk]))
        self.assertContains(r, 'data-testid="changes"')
        self.assertContains(r, "<del>五大门社区第1网格</del>")
        self.assertContains(r, "<ins>五大门社区第一网格</ins>")

"""/rosters/history/: who imported what, when, with which counts; scoped."""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from rosters.models import ImportJob
from rosters.tests.helpers import RosterTestCase


class ImportHistoryTests(RosterTestCase):
    def test_it_lists_the_jobs_in_scope_with_counts_and_the_error_file(self):
        for i in range(30):
            ImportJob.objects.create(kind="residents", region=self.xishi, created_by=self.frank, original_name=f"r{i}.xlsx",
                                     status=ImportJob.Status.DONE, counts={"new": i, "updated": 0, "unchanged": 0, "bad": 1},
                                     error_file="rosters/errors/x.xlsx")
        ImportJob.objects.create(kind="residents", region=self.zhanqian, original_name="other-district.xlsx")
        self.client.force_login(self.frank)
        ContentType.objects.get_for_model(ImportJob)  # cached per process: keep the count below stable
        with self.assertNumQueries(10):
            response = self.client.get(reverse("rosters:history"))
        self.assertContains(response, "r29.xlsx")
        self.assertContains(response, "弗兰克")
        self.assertContains(response, "下载错误行", count=30)
        self.assertNotContains(response, "other-district.xlsx")

    def test_a_job_whose_source_file_expired_is_still_listed_and_marked(self):
        from django.utils import timezone

        job = ImportJob.objects.create(kind="residents", region=self.xishi, created_by=self.frank, original_name="old.xlsx",
                                       status=ImportJob.Status.DONE, counts={"new": 3, "updated": 0, "unchanged": 0, "bad": 1},
                                       error_file="rosters/errors/x.xlsx", file_expired_at=timezone.now())
        self.client.force_login(self.frank)
        response = self.client.get(reverse("rosters:history"))
        self.assertContains(response, "old.xlsx")
        self.assertContains(response, f'data-testid="file-expired-{job.pk}"')
        self.assertContains(response, "下载错误行")

    def test_someone_without_the_import_capability_gets_403(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get(reverse("rosters:history")).status_code, 403)

"""/rosters/jobs/<pk>/progress.json: what the progress bar polls."""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from rosters.models import ImportJob
from rosters.tests.helpers import RosterTestCase


class JobProgressTests(RosterTestCase):
    def test_it_reports_rows_processed_of_the_estimate(self):
        job = ImportJob.objects.create(kind="residents", region=self.xishi, created_by=self.frank,
                                       original_name="r.xlsx", status=ImportJob.Status.RUNNING,
                                       total=200, processed=50)
        self.client.force_login(self.frank)
        ContentType.objects.get_for_model(ImportJob)  # cached per process: keep the count below stable
        with self.assertNumQueries(8):
            data = self.client.get(reverse("rosters:job-progress", args=[job.pk])).json()
        self.assertEqual((data["status"], data["percent"], data["active"]), ("running", 25, True))

    def test_a_job_of_another_district_is_404(self):
        job = ImportJob.objects.create(kind="residents", region=self.xishi, original_name="r.xlsx")
        self.client.force_login(self.dave)
        self.assertEqual(self.client.get(reverse("rosters:job-progress", args=[job.pk])).status_code, 404)

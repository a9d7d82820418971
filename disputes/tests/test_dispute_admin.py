"""/admin/: a superuser configures dispute types, risk criteria and mediation committees."""

from disputes.tests.dispute_base import DisputeTestCase
from governance.models import User


class DisputeAdminTestCase(DisputeTestCase):
    def test_the_configuration_pages_open_for_a_superuser(self):
        root = User.objects.create_superuser("root", password="x")
        self.client.force_login(root)
        for url in ("/admin/disputes/disputetype/", "/admin/disputes/riskcriterion/",
                    "/admin/disputes/mediationcommittee/", f"/admin/disputes/mediationcommittee/{self.committee.pk}/change/"):
            self.assertEqual(self.client.get(url).status_code, 200, url)
        self.assertContains(self.client.get("/admin/disputes/riskcriterion/"), "有暴力冲突苗头")

    def test_they_are_closed_to_a_street_officer(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/admin/disputes/disputetype/").status_code, 302)

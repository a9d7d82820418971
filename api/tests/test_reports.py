"""GET /api/v1/kpis/, /api/v1/reports/{code}/ and /api/v1/reports/{code}/{period}/: reports.selectors
(VIEW_CASES on the node; 404 outside)."""

from api.tests.base import ApiTestCase
from reports.kpis import DEFINITION_VERSION
from reports.models import Snapshot


class ReportsApiTestCase(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.snap = Snapshot.objects.create(node=self.batiandi, period="2026-10", definition_version=DEFINITION_VERSION,
                                            kpis={"cases_filed": 3, "closure_rate": 0.5})

    def test_the_kpis_are_listed(self):
        self.assertIn("cases_filed", [k["code"] for k in self.get(self.carol, "/api/v1/kpis/").json()])

    def test_a_node_in_scope_lists_its_periods_and_snapshot(self):
        self.assertEqual(self.get(self.alice, f"/api/v1/reports/{self.batiandi.code}/").json()["periods"], ["2026-10"])
        r = self.get(self.alice, f"/api/v1/reports/{self.batiandi.code}/2026-10/")
        self.assertEqual(r.json()["kpis"]["cases_filed"], 3)

    def test_a_node_outside_is_404_and_a_bad_period_400(self):
        self.assertError(self.get(self.bob, f"/api/v1/reports/{self.batiandi.code}/"), 404)
        self.assertError(self.get(self.bob, f"/api/v1/reports/{self.batiandi.code}/2026-10/"), 404)
        self.assertError(self.get(self.heidi, f"/api/v1/reports/{self.batiandi.code}/"), 404)  # no VIEW_CASES
        self.assertError(self.get(self.alice, f"/api/v1/reports/{self.batiandi.code}/2026-13/"), 400)
        self.assertError(self.get(self.alice, f"/api/v1/reports/{self.batiandi.code}/2026-09/"), 404)

"""GET/POST /api/v1/visits/ and GET /api/v1/visits/{id}/: scoped VIEW_REGISTER; logging is do_log_visit."""

from api.tests.base import ApiTestCase
from governance.models import AuditEvent
from grids.actions import do_log_visit


class VisitsApiTestCase(ApiTestCase):
    def test_a_grid_worker_logs_a_visit_and_reads_it_back(self):
        r = self.post(self.carol, "/api/v1/visits/", {"grid": self.grid_a.code, "findings": "无异常",
                                                      "resident": self.zhang.pk})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(r.json()["house"], self.house_a.pk)
        self.assertEqual(AuditEvent.objects.filter(action="visit.visit").count(), 1)
        headers = self.warm(self.carol)
        with self.assertNumQueries(7):
            listed = self.client.get("/api/v1/visits/", **headers).json()["results"]
        self.assertEqual([v["id"] for v in listed], [r.json()["id"]])
        self.assertEqual(self.get(self.carol, f"/api/v1/visits/{r.json()['id']}/").json()["findings"], "无异常")

    def test_a_visit_outside_the_scope_is_404_and_not_listed(self):
        other = do_log_visit(actor=self.henry, grid=self.grid_b, findings="巡查", kind="patrol", place="渔市北门")
        self.assertError(self.get(self.carol, f"/api/v1/visits/{other.pk}/"), 404)
        self.assertEqual(self.get(self.carol, "/api/v1/visits/").json()["results"], [])

    def test_a_user_without_the_register_change_capability_may_not_log_403(self):
        self.assertError(self.post(self.dave, "/api/v1/visits/", {"grid": self.grid_a.code, "findings": "x",
                                                                   "place": "北门"}), 403)

    def test_a_resident_of_another_grid_is_a_400(self):
        self.assertError(self.post(self.carol, "/api/v1/visits/", {"grid": self.grid_a.code, "findings": "x",
                                                                    "resident": self.wang.pk}), 400)
        self.assertError(self.get(self.carol, "/api/v1/visits/", {"kind": "nope"}), 400)

"""GET /api/v1/cases/{id}/: the timeline, the linked residents masked, what the user may do now."""

from api.tests.base import ApiTestCase


class CaseDetailApiTestCase(ApiTestCase):
    def test_the_detail_has_the_timeline_and_the_allowed_actions(self):
        case = self.accepted(residents=[self.zhang.pk])
        headers = self.warm(self.alice)
        with self.assertNumQueries(12):
            r = self.client.get(f"/api/v1/cases/{case.pk}/", **headers)
        body = r.json()
        self.assertEqual([e["action"] for e in body["events"]], ["file", "accept"])
        self.assertIn("assign", body["allowed_actions"])
        self.assertEqual(body["residents"], [{"id": self.zhang.pk, "name": "张三", "id_number": "110105************"}])
        self.assertMasked(r.content.decode())

    def test_a_case_outside_the_territory_is_404(self):
        case = self.file()
        self.assertError(self.get(self.bob, f"/api/v1/cases/{case.pk}/"), 404, "not_found")
        self.assertError(self.get(self.heidi, f"/api/v1/cases/{case.pk}/"), 404)  # not dispatched to them
        self.assertError(self.get(self.alice, "/api/v1/cases/99999999999999/"), 404)

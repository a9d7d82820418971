"""GET /api/v1/residents/ and /api/v1/residents/{id}/: scoped (VIEW_REGISTER) and masked as the pages."""

from api.tests.base import ApiTestCase
from parties.tests.base import ZHANG_ID


class ResidentsApiTestCase(ApiTestCase):
    def test_the_list_holds_the_users_grid_masked(self):
        headers = self.warm(self.carol)
        with self.assertNumQueries(8):  # token, scope (roles, 2 node grants, 2 object grants), page, tags; no COUNT
            r = self.client.get("/api/v1/residents/", **headers)
        self.assertEqual(r.status_code, 200)
        rows = r.json()["results"]
        self.assertEqual({row["name"] for row in rows}, {"张三", "张四"})
        zhang = next(row for row in rows if row["name"] == "张三")
        self.assertEqual((zhang["id_number"], zhang["phone"], zhang["birth_year"]), ("110105************", "138****5678", "1949"))
        self.assertNotIn("birth_date", zhang)
        self.assertMasked(r.content.decode())
        self.assertEqual(r["Cache-Control"], "private, no-store")

    def test_the_list_is_cursor_paged_without_a_count(self):
        r = self.get(self.alice, "/api/v1/residents/", {"page_size": 1})
        body = r.json()
        self.assertEqual(len(body["results"]), 1)
        self.assertNotIn("count", body)
        second = self.client.get(body["next"], **self.as_(self.alice)).json()
        self.assertNotEqual(second["results"][0]["id"], body["results"][0]["id"])

    def test_filters_are_those_of_the_register_page(self):
        r = self.get(self.alice, "/api/v1/residents/", {"name": "张", "tag": "community_correction"})
        self.assertEqual([row["name"] for row in r.json()["results"]], ["张三"])
        self.assertError(self.get(self.alice, "/api/v1/residents/", {"tag": "nope"}), 400, "invalid")

    def test_an_id_number_in_the_url_is_refused(self):
        body = self.assertError(self.get(self.alice, "/api/v1/residents/", {"id_number": ZHANG_ID}), 400, "invalid")
        self.assertIn("id_number", body["fields"])

    def test_a_user_of_another_district_sees_none_of_them(self):
        self.assertEqual({row["name"] for row in self.get(self.henry, "/api/v1/residents/").json()["results"]}, {"王六"})

    def test_a_department_handler_without_the_register_capability_sees_nothing(self):
        self.assertEqual(self.get(self.heidi, "/api/v1/residents/").json()["results"], [])

    def test_the_detail_is_masked_and_404_outside_the_scope(self):
        headers = self.warm(self.carol)
        with self.assertNumQueries(8):
            r = self.client.get(f"/api/v1/residents/{self.zhang.pk}/", **headers)
        self.assertEqual(r.json()["id_number"], "110105************")
        self.assertMasked(r.content.decode())
        self.assertError(self.get(self.carol, f"/api/v1/residents/{self.wang.pk}/"), 404)
        self.assertError(self.get(self.carol, "/api/v1/residents/99999999999/"), 404)

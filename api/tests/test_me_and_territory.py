"""GET /api/v1/me/, /api/v1/territory/ and /api/v1/territory/{code}/: scoped by VIEW."""

from api.tests.base import ApiTestCase


class TerritoryApiTestCase(ApiTestCase):
    def test_me_lists_the_users_roles(self):
        r = self.get(self.alice, "/api/v1/me/")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["roles"][0]["region"], self.batiandi.code)

    def test_the_root_is_the_users_highest_nodes(self):
        self.assertEqual([n["code"] for n in self.get(self.alice, "/api/v1/territory/").json()], [self.batiandi.code])
        self.assertEqual(self.get(self.nobody, "/api/v1/territory/").json(), [])

    def test_a_node_in_scope_comes_with_its_children(self):
        headers = self.warm(self.alice)
        with self.assertNumQueries(6):  # token, scope (roles, 2 guardian grants), node, children
            r = self.client.get(f"/api/v1/territory/{self.wudamen.code}/", **headers)
        self.assertEqual(r.status_code, 200)
        self.assertEqual([c["code"] for c in r.json()["children"]], [self.grid_a.code, self.grid_a2.code])

    def test_a_node_outside_the_scope_is_404(self):
        self.assertError(self.get(self.alice, f"/api/v1/territory/{self.wutaizi.code}/"), 404, "not_found")
        self.assertError(self.get(self.alice, "/api/v1/territory/not-a-code/"), 404)

    def test_a_user_without_any_role_sees_no_node(self):
        self.assertError(self.get(self.nobody, f"/api/v1/territory/{self.batiandi.code}/"), 404)

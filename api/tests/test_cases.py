"""GET /api/v1/cases/ and /api/v1/categories/: visible_cases + the list page's filters."""

from api.tests.base import ApiTestCase


class CaseListApiTestCase(ApiTestCase):
    def test_the_list_holds_the_cases_of_the_users_territory(self):
        mine, other = self.file(), self.file(actor=self.bob, grid=self.grid_b, title="渔市事件")
        headers = self.warm(self.alice)
        with self.assertNumQueries(7):  # token, scope (roles, 2 node grants, 2 case grants), the page
            r = self.client.get("/api/v1/cases/", **headers)
        ids = [c["id"] for c in r.json()["results"]]
        self.assertEqual(ids, [mine.pk])
        self.assertNotIn(other.pk, ids)
        self.assertNotIn("count", r.json())

    def test_the_filters_are_the_list_pages(self):
        a = self.file(title="楼道堆物一")
        self.accepted(title="楼道堆物二")
        r = self.get(self.alice, "/api/v1/cases/", {"status": "reported"})
        self.assertEqual([c["id"] for c in r.json()["results"]], [a.pk])
        self.assertEqual(len(self.get(self.alice, "/api/v1/cases/", {"status": "open"}).json()["results"]), 2)
        self.assertEqual(self.get(self.alice, "/api/v1/cases/", {"q": "二"}).json()["results"][0]["title"], "楼道堆物二")

    def test_a_bad_filter_is_a_chinese_400_in_the_one_shape(self):
        for params in ({"status": "nope"}, {"category": "x"}, {"category": "²"}, {"category": "9" * 30}, {"from": "2026-13-01"}):
            self.assertError(self.get(self.alice, "/api/v1/cases/", params), 400, "invalid")

    def test_a_department_handler_sees_only_what_was_dispatched_to_them(self):
        self.file()
        dispatched = self.assigned(department=self.police_a, title="派给派出所")
        self.assertEqual([c["id"] for c in self.get(self.heidi, "/api/v1/cases/").json()["results"]], [dispatched.pk])

    def test_categories_are_the_active_taxonomy(self):
        codes = [c["code"] for c in self.get(self.carol, "/api/v1/categories/").json()]
        self.assertEqual(codes, ["04", "0402", "0603"])

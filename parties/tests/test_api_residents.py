"""/api/registers/residents/ and /api/registers/units/: scoped, masked, cursor-paginated."""

from parties.tests.base import SHOP_PHONE, ZHANG_ID, RegisterTestCase


class ResidentApiTestCase(RegisterTestCase):
    def test_the_api_is_scoped_and_masked(self):
        self.client.force_login(self.carol)
        with self.assertNumQueries(9):
            r = self.client.get("/api/registers/residents/")
        self.assertEqual(r.status_code, 200)
        names = {row["name"] for row in r.json()["results"]}
        self.assertEqual(names, {"张三", "张四"})
        zhang = next(row for row in r.json()["results"] if row["name"] == "张三")
        self.assertEqual(zhang["id_number"], "1101**********002X")
        self.assertEqual(zhang["phone"], "138****5678")
        self.assertEqual(zhang["tags"], ["community_correction"])
        self.assertNotIn("count", r.json())
        self.assertMasked(r.content.decode())

    def test_exact_search_by_id_number_and_404_outside_scope(self):
        self.client.force_login(self.carol)
        r = self.client.get("/api/registers/residents/", {"id_number": ZHANG_ID})
        self.assertEqual([row["name"] for row in r.json()["results"]], ["张三"])
        self.assertEqual(self.client.get(f"/api/registers/residents/{self.wang.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/api/registers/residents/{self.zhang.pk}/").json()["id_number"], "1101**********002X")

    def test_a_partial_id_number_is_a_400_in_chinese(self):
        self.client.force_login(self.carol)
        r = self.client.get("/api/registers/residents/", {"id_number": "1101"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("不支持部分匹配", r.content.decode())

    def test_anonymous_users_get_403(self):
        self.assertEqual(self.client.get("/api/registers/residents/").status_code, 403)

    def test_units_are_masked_too(self):
        self.client.force_login(self.carol)
        r = self.client.get("/api/registers/units/")
        self.assertEqual([u["name"] for u in r.json()["results"]], ["五大门便民超市"])
        self.assertNotIn(SHOP_PHONE, r.content.decode())

"""GET /api/v1/houses/, /api/v1/units/, /api/v1/party-branches/ and their details: scoped, masked."""

from api.tests.base import ApiTestCase
from parties import actions


class RegisterListsApiTestCase(ApiTestCase):
    def test_houses_are_scoped_and_404_outside(self):
        headers = self.warm(self.carol)
        with self.assertNumQueries(7):
            r = self.client.get("/api/v1/houses/", **headers)
        self.assertEqual([h["address"] for h in r.json()["results"]], ["3号楼1单元101"])
        self.assertEqual(self.get(self.carol, f"/api/v1/houses/{self.house_a.pk}/").json()["room"], "101")
        self.assertError(self.get(self.carol, f"/api/v1/houses/{self.house_b.pk}/"), 404)
        self.assertError(self.get(self.carol, "/api/v1/houses/", {"grid": "abc"}), 400)

    def test_units_are_masked_scoped_and_404_outside(self):
        headers = self.warm(self.carol)
        with self.assertNumQueries(7):
            r = self.client.get("/api/v1/units/", **headers)
        self.assertEqual([u["contact_phone"] for u in r.json()["results"]], ["139****1111"])
        self.assertMasked(r.content.decode())
        self.assertMasked(self.get(self.carol, f"/api/v1/units/{self.shop.pk}/").content.decode())
        self.assertError(self.get(self.carol, f"/api/v1/units/{self.shop_b.pk}/"), 404)
        self.assertError(self.get(self.carol, "/api/v1/units/", {"kind": "nope"}), 400)

    def test_party_branches_are_scoped_and_404_outside(self):
        mine = actions.do_create_party_branch(actor=None, grid=self.grid_a, name="五大门第1网格党支部", secretary=self.zhang)
        other = actions.do_create_party_branch(actor=None, grid=self.grid_b, name="渔市第1网格党支部")
        r = self.get(self.carol, "/api/v1/party-branches/")
        self.assertEqual([b["name"] for b in r.json()["results"]], [mine.name])
        self.assertEqual(self.get(self.carol, f"/api/v1/party-branches/{mine.pk}/").json()["secretary"], "张三")
        self.assertError(self.get(self.carol, f"/api/v1/party-branches/{other.pk}/"), 404)
        self.assertEqual(self.get(self.heidi, "/api/v1/party-branches/").json()["results"], [])

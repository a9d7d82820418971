"""/registers/units/search/: the units picker of the filing forms. Scoped like the register
(view_register), optionally to the form's grid; by a fragment of the name or the full credit code;
never a contact phone."""

from parties.tests.base import SHOP_CODE, SHOP_PHONE, RegisterTestCase

URL = "/registers/units/search/"


class UnitSearchTestCase(RegisterTestCase):
    def get(self, user, **params):
        self.client.force_login(user)
        return self.client.get(URL, params)

    def labels(self, user, **params) -> list[str]:
        r = self.get(user, **params)
        self.assertEqual(r.status_code, 200)
        self.assertNotIn(SHOP_PHONE, r.content.decode())
        return [row["label"] for row in r.json()["results"]]

    def test_it_requires_sign_in(self):
        self.assertEqual(self.client.get(URL, {"q": "超市"}).status_code, 302)

    def test_a_name_fragment_finds_units_in_scope(self):
        r = self.get(self.carol, q="超市")
        self.assertEqual(r.json()["results"], [{"id": self.shop.pk, "label": f"五大门便民超市（{SHOP_CODE}）",
                                                "grid": self.grid_a.code, "grid_name": "五大门社区第1网格"}])
        self.assertNotIn(SHOP_PHONE, r.content.decode())

    def test_alice_cannot_find_bobs_units_and_bob_cannot_find_hers(self):
        self.assertEqual(self.labels(self.alice, q="渔市"), [])
        self.assertEqual(self.labels(self.bob, q="超市"), [])
        self.assertEqual(self.labels(self.bob, q=SHOP_CODE), [])
        self.assertEqual(self.labels(self.henry, q="商店"), ["渔市商店"])
        self.assertEqual(self.labels(self.nobody, q="超市"), [])

    def test_the_full_credit_code_finds_the_unit(self):
        self.assertEqual(self.labels(self.alice, q=SHOP_CODE), [f"五大门便民超市（{SHOP_CODE}）"])
        self.assertEqual(self.labels(self.alice, q=SHOP_CODE.lower()), [f"五大门便民超市（{SHOP_CODE}）"])

    def test_the_grid_narrows_the_search_to_the_forms_grid(self):
        self.assertEqual(self.labels(self.alice, q="超市", grid=self.grid_a2.code), [])
        self.assertEqual(len(self.labels(self.alice, q="超市", grid=self.grid_a.code)), 1)

    def test_junk_is_a_400_or_empty_never_a_500(self):
        self.assertEqual(self.get(self.alice, q="\x00").status_code, 400)
        self.assertEqual(self.get(self.alice, q="超" * 65).status_code, 400)
        self.assertEqual(self.get(self.alice, q="超市", grid="x").status_code, 400)
        for q in ("%", "_", "'", "", "Z" * 18):
            self.assertEqual(self.labels(self.alice, q=q), [], q)

    def test_the_query_count_is_bounded(self):
        self.client.force_login(self.alice)
        with self.assertNumQueries(8):
            self.client.get(URL, {"q": "超市"})

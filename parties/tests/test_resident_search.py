"""/registers/residents/search/: the residents picker of the filing forms. Scoped like the register
(view_register), optionally to the form's grid; by name prefix, or — POSTed, never in the URL — by
the full ID number through the blind index (an audited, rate-limited look-up); masked labels only."""

from governance.models import AuditEvent
from parties import actions, pii
from parties.idnumbers import check_char
from parties.selectors import looks_like_id_number
from parties.tests.base import LI_ID, WANG_ID, ZHANG_ID, ZHANG_PHONE, RegisterTestCase

URL = "/registers/residents/search/"


class ResidentSearchTestCase(RegisterTestCase):
    def get(self, user, **params):
        self.client.force_login(user)
        return self.client.get(URL, params)

    def post(self, user, **params):
        self.client.force_login(user)
        return self.client.post(URL, params)

    def names(self, user, **params) -> list[str]:
        r = self.post(user, **params) if looks_like_id_number(params["q"]) else self.get(user, **params)
        self.assertEqual(r.status_code, 200)
        self.assertMasked(r.content.decode())
        return sorted(row["label"].split("（")[0] for row in r.json()["results"])

    def test_it_requires_sign_in(self):
        self.assertRedirects(self.client.get(URL, {"q": "张"}), f"/login/?next={URL}%3Fq%3D%25E5%25BC%25A0")

    def test_a_name_prefix_finds_residents_in_scope_with_masked_labels(self):
        r = self.get(self.carol, q="张")
        self.assertEqual(r.status_code, 200)
        rows = r.json()["results"]
        self.assertEqual([row["label"] for row in rows], ["张四（440524************）", "张三（110105************）"])
        self.assertEqual(rows[1], {"id": self.zhang.pk, "label": "张三（110105************）", "grid": self.grid_a.code,
                                   "grid_name": "五大门社区第1网格"})
        self.assertMasked(r.content.decode())
        self.assertNotIn(ZHANG_PHONE, r.content.decode())
        self.assertEqual(r["Cache-Control"], "private, no-store")

    def test_alice_cannot_find_bobs_residents_by_name_or_id_number(self):
        self.assertEqual(self.names(self.alice, q="王"), [])
        self.assertEqual(self.names(self.alice, q=WANG_ID), [])
        self.assertEqual(self.names(self.bob, q="张"), [])
        self.assertEqual(self.names(self.bob, q=ZHANG_ID), [])
        self.assertEqual(self.names(self.bob, q="王"), ["王六"])

    def test_a_grid_worker_finds_only_his_own_grid(self):
        self.assertEqual(self.names(self.carol, q="李"), [])  # 李五 lives in grid_a2
        self.assertEqual(self.names(self.grace, q="李"), ["李五"])  # community staff of 五大门
        self.assertEqual(self.names(self.nobody, q="张"), [])

    def test_a_full_id_number_finds_the_resident_through_the_blind_index(self):
        self.assertEqual(self.names(self.alice, q=ZHANG_ID), ["张三"])
        self.assertEqual(self.names(self.alice, q=ZHANG_ID.lower()), ["张三"])
        self.assertEqual(self.names(self.alice, q=LI_ID), ["李五"])

    def test_part_of_an_id_number_finds_nobody_and_says_why_in_chinese(self):
        r = self.post(self.alice, q=ZHANG_ID[:10])
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["results"], [])
        self.assertIn("完整、正确的 18 位号码", r.json()["hint"])
        r = self.post(self.alice, q="110105194912310021")  # wrong check digit
        self.assertEqual(r.json()["results"], [])
        self.assertIn("18 位号码", r.json()["hint"])

    def test_the_grid_narrows_the_search_to_the_forms_grid(self):
        self.assertEqual(self.names(self.alice, q="李", grid=self.grid_a.code), [])
        self.assertEqual(self.names(self.alice, q="李", grid=self.grid_a2.code), ["李五"])
        self.assertEqual(self.names(self.alice, q="王", grid=self.grid_b.code), [])  # out of scope stays out

    def test_an_empty_query_lists_nobody(self):
        r = self.get(self.alice, q="  ")
        self.assertEqual(r.json(), {"results": [], "hint": ""})

    def test_junk_is_a_400_or_empty_never_a_500(self):
        self.assertEqual(self.get(self.alice, q="\x00").status_code, 400)
        self.assertEqual(self.get(self.alice, q="张" * 65).status_code, 400)
        self.assertEqual(self.get(self.alice, q="张", grid="abc").status_code, 400)
        self.assertEqual(self.get(self.alice, q="张", grid="1" * 16).status_code, 400)
        self.assertEqual(self.get(self.alice, q="张", grid="abc").json(), {"error": "网格编码无效。"})
        for q in ("%", "_", "'", "9" * 30, "x", "１１０"):
            self.assertEqual(self.get(self.alice, q=q).status_code, 200, q)
            self.assertEqual(self.post(self.alice, q=q).status_code, 200, q)
        self.assertEqual(self.client.put(URL, {"q": "张"}).status_code, 405)

    def test_it_returns_at_most_twenty(self):
        for n in range(25):
            body = f"21080219900101{n:03d}"[:17]
            actions.do_create_resident(actor=None, grid=self.grid_a, name=f"赵{n}", id_number=body + check_char(body))
        self.assertEqual(len(self.names(self.carol, q="赵")), 20)

    def test_the_query_count_is_bounded(self):
        self.client.force_login(self.alice)
        # session, user, role assignments, two guardian node grants, two object grants, the residents
        with self.assertNumQueries(8):
            self.client.get(URL, {"q": "张"})
        # … and for a look-up by ID number the audit row, in its savepoint
        with self.assertNumQueries(12):
            self.client.post(URL, {"q": ZHANG_ID, "grid": self.grid_a.code})

    def test_an_id_number_in_the_url_is_not_looked_up(self):
        r = self.get(self.alice, q=ZHANG_ID)
        self.assertEqual(r.json()["results"], [])
        self.assertIn("不能放在网址中", r.json()["hint"])
        self.assertFalse(AuditEvent.objects.filter(action="resident.lookup").exists())

    def test_each_look_up_by_id_number_is_audited_with_its_blind_index_and_never_the_number(self):
        self.assertEqual(self.names(self.alice, q=ZHANG_ID), ["张三"])
        event = AuditEvent.objects.get(action="resident.lookup")
        self.assertEqual((event.actor, event.detail["found"], event.detail["source"]), (self.alice, 1, "picker"))
        self.assertEqual(event.detail["hashes"], {"id_number": pii.blind_index(ZHANG_ID)})
        self.assertNotIn(ZHANG_ID, str(event.detail))
        self.assertEqual(self.names(self.alice, q="张"), ["张三", "张四"])  # a name is no look-up
        self.assertEqual(AuditEvent.objects.filter(action="resident.lookup").count(), 1)

    def test_look_ups_past_the_limit_are_a_chinese_429(self):
        with self.settings(PII_LOOKUPS_PER_MINUTE=2):
            for __ in range(2):
                self.assertEqual(self.post(self.alice, q=LI_ID).status_code, 200)
            r = self.post(self.alice, q=ZHANG_ID)
        self.assertEqual(r.status_code, 429)
        self.assertIn("过于频繁", r.json()["hint"])
        self.assertEqual(r.json()["results"], [])
        self.assertEqual(AuditEvent.objects.filter(action="resident.lookup").count(), 2)

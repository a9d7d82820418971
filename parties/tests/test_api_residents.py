"""/api/registers/residents/ and /api/registers/units/: scoped, masked, cursor-paginated; exact
look-ups by ID number or phone only by POST to /api/registers/residents/search/, audited and rate-limited."""

from governance.models import AuditEvent
from parties import pii
from parties.tests.base import SHOP_PHONE, WANG_ID, ZHANG_ID, ZHANG_PHONE, RegisterTestCase

SEARCH = "/api/registers/residents/search/"


class ResidentApiTestCase(RegisterTestCase):
    def test_the_api_is_scoped_and_masked(self):
        self.client.force_login(self.carol)
        with self.assertNumQueries(9):
            r = self.client.get("/api/registers/residents/")
        self.assertEqual(r.status_code, 200)
        names = {row["name"] for row in r.json()["results"]}
        self.assertEqual(names, {"张三", "张四"})
        zhang = next(row for row in r.json()["results"] if row["name"] == "张三")
        self.assertEqual(zhang["id_number"], "110105************")
        self.assertEqual(zhang["phone"], "138****5678")
        self.assertEqual((zhang["birth_year"], zhang["gender"]), ("1949", "F"))
        self.assertNotIn("birth_date", zhang)
        self.assertEqual(zhang["tags"], ["community_correction"])
        self.assertNotIn("count", r.json())
        self.assertMasked(r.content.decode())
        self.assertEqual(r["Cache-Control"], "private, no-store")

    def test_exact_search_by_id_number_is_a_post_and_404_outside_scope(self):
        self.client.force_login(self.carol)
        r = self.client.post(SEARCH, {"id_number": ZHANG_ID}, content_type="application/json")
        self.assertEqual([row["name"] for row in r.json()["results"]], ["张三"])
        self.assertEqual(self.client.post(SEARCH, {"id_number": WANG_ID}).json(), {"results": [], "truncated": False})
        self.assertEqual(self.client.get(f"/api/registers/residents/{self.wang.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/api/registers/residents/{self.zhang.pk}/").json()["id_number"], "110105************")

    def test_an_id_number_or_a_phone_in_the_url_is_refused_and_not_looked_up(self):
        self.client.force_login(self.carol)
        for params in ({"id_number": ZHANG_ID}, {"phone": ZHANG_PHONE}):
            r = self.client.get("/api/registers/residents/", params)
            self.assertEqual(r.status_code, 400)
            self.assertIn("不能放在网址中", r.content.decode())
        self.assertFalse(AuditEvent.objects.filter(action="resident.lookup").exists())

    def test_each_look_up_is_audited_with_the_blind_index_and_never_the_number(self):
        self.client.force_login(self.alice)
        r = self.client.post(SEARCH, {"phone": "138 1234 5678"})
        self.assertEqual([row["name"] for row in r.json()["results"]], ["张三"])
        event = AuditEvent.objects.get(action="resident.lookup")
        self.assertEqual(event.detail, {"by": ["phone"], "hashes": {"phone": pii.blind_index(ZHANG_PHONE)}, "found": 1,
                                        "source": "api"})
        self.assertNotIn("5678", str(event.detail))

    def test_look_ups_past_the_limit_are_a_chinese_429_with_retry_after(self):
        self.client.force_login(self.alice)
        with self.settings(PII_LOOKUPS_PER_MINUTE=3):
            statuses = [self.client.post(SEARCH, {"id_number": ZHANG_ID}).status_code for __ in range(4)]
            r = self.client.post(SEARCH, {"id_number": ZHANG_ID})
        self.assertEqual(statuses, [200, 200, 200, 429])
        self.assertIn("过于频繁", r.json()["detail"])
        self.assertTrue(1 <= int(r["Retry-After"]) <= 60)
        self.assertEqual(AuditEvent.objects.filter(action="resident.lookup").count(), 3)

    def test_a_partial_id_number_is_a_400_in_chinese(self):
        self.client.force_login(self.carol)
        r = self.client.post(SEARCH, {"id_number": "1101"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("不支持部分匹配", r.content.decode())
        self.assertEqual(self.client.post(SEARCH, {}).status_code, 400)
        self.assertEqual(self.client.post(SEARCH, {"id_number": 110105}, content_type="application/json").status_code, 400)
        self.assertEqual(self.client.post(SEARCH, [ZHANG_ID], content_type="application/json").status_code, 400)
        self.assertEqual(self.client.post(SEARCH, "{", content_type="application/json").status_code, 400)
        self.assertEqual(self.client.post(SEARCH, {"id_number": "\x00" * 40}).status_code, 400)
        self.assertFalse(AuditEvent.objects.filter(action="resident.lookup").exists())

    def test_anonymous_users_get_403(self):
        self.assertEqual(self.client.get("/api/registers/residents/").status_code, 403)
        self.assertEqual(self.client.post(SEARCH, {"id_number": ZHANG_ID}).status_code, 403)

    def test_units_are_masked_too(self):
        self.client.force_login(self.carol)
        r = self.client.get("/api/registers/units/")
        self.assertEqual([u["name"] for u in r.json()["results"]], ["五大门便民超市"])
        self.assertNotIn(SHOP_PHONE, r.content.decode())

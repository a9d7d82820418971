"""Looking residents up by ID number or phone on /registers/residents/: the number never goes into a
URL (the form is POSTed; the results page carries an opaque token), every look-up is one audit row
holding the blind index, never the number, and a user gets at most 30 look-ups a minute."""

from unittest import mock
from urllib.parse import parse_qs, urlsplit

from django.core.cache import cache
from django.test import SimpleTestCase, override_settings

from governance.models import AuditEvent, User
from parties import actions, lookups, pii
from parties.idnumbers import check_char
from parties.tests.base import LI_ID, ZHANG_ID, ZHANG_PHONE, RegisterTestCase

URL = "/registers/residents/"


class ResidentLookupTestCase(RegisterTestCase):
    def test_a_look_up_by_id_number_redirects_to_a_url_without_the_number(self):
        self.client.force_login(self.alice)
        r = self.client.post(URL, {"id_number": ZHANG_ID, "name": "张"})
        self.assertEqual(r.status_code, 302)
        location = r["Location"]
        for revealing in (ZHANG_ID, ZHANG_ID[:6], ZHANG_ID[6:14], ZHANG_ID[-4:], pii.blind_index(ZHANG_ID)):
            self.assertNotIn(revealing, location)
        self.assertEqual(sorted(parse_qs(urlsplit(location).query)), ["name", "q"])
        page = self.client.get(location)
        self.assertContains(page, "张三")
        self.assertNotContains(page, "张四")
        self.assertContains(page, "110105************")  # what was looked up, masked
        self.assertEqual(page["Cache-Control"], "no-store")

    def test_an_id_number_or_a_phone_in_the_url_is_a_chinese_400_and_is_not_looked_up(self):
        self.client.force_login(self.alice)
        self.client.raise_request_exception = False
        for params in ({"id_number": ZHANG_ID}, {"phone": ZHANG_PHONE}):
            r = self.client.get(URL, params)
            self.assertContains(r, "不能放在网址中", status_code=400)
            self.assertNotContains(r, "张三", status_code=400)
        self.assertFalse(AuditEvent.objects.filter(action="resident.lookup").exists())

    def test_each_look_up_is_one_audit_row_with_the_blind_index_and_never_the_number(self):
        self.client.force_login(self.alice)
        page = self.client.post(URL, {"id_number": ZHANG_ID, "phone": ZHANG_PHONE})["Location"]
        self.client.get(page)
        self.client.get(page)  # the same results again: no new look-up
        event = AuditEvent.objects.get(action="resident.lookup")
        self.assertEqual((event.actor, event.region_code), (self.alice, self.batiandi.code))
        self.assertEqual(event.detail, {
            "by": ["id_number", "phone"], "found": 1, "source": "register",
            "hashes": {"id_number": pii.blind_index(ZHANG_ID), "phone": pii.blind_index(ZHANG_PHONE)},
        })
        for plain in (ZHANG_ID, ZHANG_PHONE, ZHANG_PHONE[-4:]):
            self.assertNotIn(plain, str(event.detail))

    def test_a_look_up_that_finds_nobody_is_audited_too(self):
        self.client.force_login(self.carol)
        self.assertNotContains(self.client.get(self.client.post(URL, {"id_number": LI_ID})["Location"]), "李五")
        self.assertEqual(AuditEvent.objects.get(action="resident.lookup").detail["found"], 0)

    def test_past_30_look_ups_a_minute_the_page_answers_429_in_chinese(self):
        self.client.force_login(self.alice)
        for __ in range(30):
            self.assertEqual(self.client.post(URL, {"id_number": LI_ID}).status_code, 302)
        r = self.client.post(URL, {"id_number": ZHANG_ID})
        self.assertContains(r, "过于频繁", status_code=429)
        self.assertTrue(1 <= int(r["Retry-After"]) <= 60)
        self.assertEqual(AuditEvent.objects.filter(action="resident.lookup").count(), 30)
        self.client.force_login(self.grace)  # the limit is per user
        self.assertEqual(self.client.post(URL, {"id_number": ZHANG_ID}).status_code, 302)

    def test_a_search_by_name_only_is_no_look_up(self):
        self.client.force_login(self.alice)
        self.assertRedirects(self.client.post(URL, {"name": "张", "id_number": " "}), f"{URL}?name=%E5%BC%A0")
        self.assertFalse(AuditEvent.objects.filter(action="resident.lookup").exists())

    def test_the_token_is_the_users_own(self):
        self.client.force_login(self.alice)
        location = self.client.post(URL, {"id_number": ZHANG_ID})["Location"]
        self.client.force_login(self.grace)
        self.client.raise_request_exception = False
        self.assertContains(self.client.get(location), "查找条件已失效", status_code=400)
        self.assertEqual(self.client.get(URL, {"q": "G2.x"}).status_code, 400)
        self.assertEqual(self.client.get(URL, {"q": "not a token"}).status_code, 400)

    def test_pages_of_a_phone_look_up_keep_the_token(self):
        for i in range(55):
            body = f"21080419800101{i:03d}"
            actions.do_create_resident(actor=None, grid=self.grid_a, name=f"同号{i:02d}", id_number=body + check_char(body),
                                       phone="13900002222")
        self.client.force_login(self.carol)
        first = self.client.get(self.client.post(URL, {"phone": "13900002222"})["Location"])
        self.assertContains(first, "同号54")
        self.assertNotIn("13900002222", first.context["next_url"])
        second = self.client.get(URL + first.context["next_url"])
        self.assertContains(second, "同号00")
        self.assertNotContains(second, "张三")
        self.assertEqual(AuditEvent.objects.filter(action="resident.lookup").count(), 1)

    def test_junk_in_the_form_is_a_400_never_a_500(self):
        self.client.force_login(self.alice)
        self.client.raise_request_exception = False
        for fields in ({"name": "张\x00"}, {"grid": "abc"}, {"id_number": "1" * 30}, {"phone": "电话"}, {"id_number": "\x00"}):
            self.assertEqual(self.client.post(URL, fields).status_code, 400, fields)
        self.assertFalse(AuditEvent.objects.filter(action="resident.lookup").exists())

    def test_a_user_without_register_access_may_not_look_up(self):
        self.client.force_login(self.nobody)
        self.client.raise_request_exception = False
        self.assertEqual(self.client.post(URL, {"id_number": ZHANG_ID}).status_code, 403)
        self.assertFalse(AuditEvent.objects.filter(action="resident.lookup").exists())


class LookupWindowTestCase(SimpleTestCase):
    """The limit holds across a minute's turn: a burst split over two minutes is still one burst."""

    def setUp(self):
        cache.clear()
        self.user = User(pk=987654)

    def test_a_burst_across_the_turn_of_a_minute_is_still_limited(self):
        with override_settings(PII_LOOKUPS_PER_MINUTE=30), mock.patch("parties.lookups.time.time") as clock:
            clock.return_value = 600 * 60 + 59.0  # one second before a minute turns
            for __ in range(20):
                lookups.take(self.user)
            clock.return_value = 601 * 60 + 1.0  # two seconds later, in the next minute
            for __ in range(10):
                lookups.take(self.user)
            with self.assertRaises(lookups.TooManyLookups):
                lookups.take(self.user)

    def test_a_minute_later_the_user_may_look_up_again(self):
        with override_settings(PII_LOOKUPS_PER_MINUTE=30), mock.patch("parties.lookups.time.time") as clock:
            clock.return_value = 600 * 60 + 1.0
            for __ in range(30):
                lookups.take(self.user)
            clock.return_value = 602 * 60 + 1.0
            lookups.take(self.user)

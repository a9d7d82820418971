"""Every register page shows personal data (names, addresses, masked numbers — revealed ones after a
reveal): none may be kept by a browser or a proxy (Cache-Control: no-store)."""

from parties.tests.base import ZHANG_ID, RegisterTestCase


class NotCachedTestCase(RegisterTestCase):
    def test_every_register_page_and_every_reveal_is_sent_with_no_store(self):
        self.client.force_login(self.grace)  # community staff: may change and reveal in 五大门
        pages = [
            "/registers/residents/", f"/registers/residents/{self.zhang.pk}/", f"/registers/residents/{self.zhang.pk}/edit/",
            "/registers/residents/new/", f"/registers/residents/{self.zhang.pk}/party/",
            "/registers/houses/", f"/registers/houses/{self.house_a.pk}/", f"/registers/houses/{self.house_a.pk}/edit/",
            "/registers/houses/new/", "/registers/units/", f"/registers/units/{self.shop.pk}/",
            f"/registers/units/{self.shop.pk}/edit/", "/registers/units/new/", "/registers/party/",
        ]
        for url in pages:
            r = self.client.get(url)
            self.assertEqual((url, r.status_code, r.get("Cache-Control")), (url, 200, "no-store"))
        for url in (f"/registers/residents/{self.zhang.pk}/reveal/", f"/registers/units/{self.shop.pk}/reveal/"):
            r = self.client.post(url)
            self.assertEqual((url, r.status_code, r.get("Cache-Control")), (url, 200, "no-store"))
        self.assertContains(self.client.post(f"/registers/residents/{self.zhang.pk}/reveal/"), ZHANG_ID)

    def test_a_refused_form_is_not_cached_either(self):
        self.client.force_login(self.grace)
        r = self.client.post(f"/registers/units/{self.shop.pk}/edit/", {"name": ""})
        self.assertEqual((r.status_code, r["Cache-Control"]), (400, "no-store"))

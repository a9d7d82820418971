"""The register lists' pages (/registers/residents/, houses/, units/, party/): a friendly Chinese 400
for a page key that is not ours, houses in the order entered (not backwards), position and total."""

from unittest import mock

from parties import actions
from parties.tests.base import RegisterTestCase

LISTS = ("/registers/residents/", "/registers/houses/", "/registers/units/", "/registers/party/")


class RegisterPagingTestCase(RegisterTestCase):
    def test_a_page_key_that_is_not_ours_is_a_friendly_chinese_400_on_every_register(self):
        self.client.force_login(self.alice)
        for url in LISTS:
            for junk in ("abc", "1.5", "-1"):
                r = self.client.get(url, {"after": junk})
                self.assertContains(r, "翻页参数无效", status_code=400, msg_prefix=url)
                self.assertContains(r, 'data-testid="error-message"', status_code=400, msg_prefix=url)

    def test_houses_are_listed_in_the_order_entered(self):
        for room in ("102", "103", "201"):
            actions.find_or_create_house(actor=None, grid=self.grid_a, building_name="3号楼", unit_no="1单元", room=room)
        self.client.force_login(self.carol)
        r = self.client.get("/registers/houses/")
        self.assertEqual([h.room for h in r.context["page"]], ["101", "102", "103", "201"])

    def test_house_pages_go_forward_and_back_in_that_order(self):
        for i in range(5):
            actions.find_or_create_house(actor=None, grid=self.grid_a, building_name="7号楼", unit_no="1单元",
                                         room=f"{i + 1}01")
        self.client.force_login(self.carol)
        with mock.patch("parties.selectors.PAGE_SIZE", 2):
            # register_page's default size was bound at import: page through the view's selector
            with mock.patch("parties.selectors.register_page.__defaults__", (None, None, 2, False)):
                r1 = self.client.get("/registers/houses/")
                r2 = self.client.get("/registers/houses/" + r1.context["next_url"])
                back = self.client.get("/registers/houses/" + r2.context["prev_url"])
        rooms = lambda r: [h.room for h in r.context["page"]]  # noqa: E731
        self.assertEqual(rooms(r1), ["101", "101"])
        self.assertEqual(rooms(r2), ["201", "301"])
        self.assertEqual(rooms(back), rooms(r1))
        self.assertContains(r2, "第 2 页")
        self.assertContains(back, "第 1 页")

    def test_a_small_list_shows_its_exact_total(self):
        self.client.force_login(self.carol)
        r = self.client.get("/registers/residents/")
        self.assertContains(r, 'data-testid="total"')
        self.assertContains(r, f"共 {len(r.context['page'])} 条")

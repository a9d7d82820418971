"""The visits section that grids adds to the register pages (grids.panels): the latest visits to a
resident, a house or a unit, and the button to log one for who may."""

from grids.actions import do_log_visit
from parties.tests.base import RegisterTestCase


class VisitsPanelTestCase(RegisterTestCase):
    def test_the_resident_page_lists_the_visits_to_them(self):
        do_log_visit(actor=self.carol, grid=self.grid_a, resident=self.zhang, findings="按时报到，情况稳定")
        self.client.force_login(self.carol)
        r = self.client.get(f"/registers/residents/{self.zhang.pk}/")
        self.assertContains(r, "走访巡查记录")
        self.assertContains(r, "按时报到，情况稳定")

    def test_the_house_page_lists_the_visits_to_it(self):
        do_log_visit(actor=self.carol, grid=self.grid_a, house=self.house_a, findings="出租屋新增租户")
        self.client.force_login(self.carol)
        r = self.client.get(f"/registers/houses/{self.house_a.pk}/")
        self.assertContains(r, "出租屋新增租户")
        self.assertMasked(r.content.decode())

    def test_the_unit_page_lists_the_visits_to_it(self):
        do_log_visit(actor=self.carol, grid=self.grid_a, unit=self.shop, findings="消防通道畅通")
        self.client.force_login(self.carol)
        self.assertContains(self.client.get(f"/registers/units/{self.shop.pk}/"), "消防通道畅通")

    def test_a_page_without_visits_says_so(self):
        self.client.force_login(self.carol)
        self.assertContains(self.client.get(f"/registers/residents/{self.zhang.pk}/"), "暂无走访巡查记录")

    def test_a_grid_worker_gets_the_button_to_log_a_visit_about_the_page(self):
        self.client.force_login(self.carol)
        for path, about in [(f"residents/{self.zhang.pk}", f"resident={self.zhang.pk}"),
                            (f"houses/{self.house_a.pk}", f"house={self.house_a.pk}"),
                            (f"units/{self.shop.pk}", f"unit={self.shop.pk}")]:
            r = self.client.get(f"/registers/{path}/")
            self.assertContains(r, f'href="/grids/visits/new/?{about}" data-testid="log-visit"')

    def test_a_reader_who_may_not_change_the_register_gets_no_button(self):
        self.client.force_login(self.erin)  # the city leader reads the registers
        r = self.client.get(f"/registers/residents/{self.zhang.pk}/")
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, 'data-testid="log-visit"')

    def test_the_visits_section_costs_the_same_queries_with_or_without_visits(self):
        self.client.force_login(self.carol)
        url = f"/registers/houses/{self.house_a.pk}/"
        self.client.get(url)
        with self.assertNumQueries(19):
            self.client.get(url)
        do_log_visit(actor=self.carol, grid=self.grid_a, house=self.house_a, findings="出租屋新增租户")
        with self.assertNumQueries(19):
            self.client.get(url)

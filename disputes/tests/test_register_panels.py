"""The cases section that disputes adds to the register pages (disputes.panels): a resident's and
a unit's page list the cases and disputes they are involved in."""

from disputes.tests.dispute_base import RESPONDENT
from disputes.tests.link_base import LinkTestCase


class ResidentCasesPanelTestCase(LinkTestCase):
    def test_the_resident_page_lists_the_cases_and_disputes_they_are_involved_in(self):
        case = self.file(residents=[self.zhang.pk], title="楼道堆物张三")
        d = self.dispute(parties=[{"side": "applicant", "resident": self.zhang.pk}, dict(RESPONDENT)],
                         title="邻里漏水纠纷")
        self.client.force_login(self.carol)
        r = self.client.get(f"/registers/residents/{self.zhang.pk}/")
        self.assertContains(r, 'data-testid="involved-cases"')
        self.assertContains(r, f'href="/cases/{case.pk}/"')
        self.assertContains(r, f'href="/disputes/{d.pk}/"')
        self.assertContains(r, "楼道堆物张三")
        self.assertContains(r, "邻里漏水纠纷")

    def test_a_resident_without_cases_shows_no_case_section(self):
        self.client.force_login(self.carol)
        r = self.client.get(f"/registers/residents/{self.zhang.pk}/")
        self.assertNotContains(r, 'data-testid="involved-cases"')

    def test_the_cases_come_above_the_visits(self):
        self.file(residents=[self.zhang.pk], title="楼道堆物张三")
        self.client.force_login(self.carol)
        html = self.client.get(f"/registers/residents/{self.zhang.pk}/").content.decode()
        self.assertLess(html.index('data-testid="involved-cases"'), html.index("走访巡查记录"))


class UnitCasesPanelTestCase(LinkTestCase):
    def test_the_unit_page_lists_the_cases_it_is_involved_in(self):
        case = self.file(units=[self.shop.pk], title="超市占道经营")
        self.client.force_login(self.carol)
        r = self.client.get(f"/registers/units/{self.shop.pk}/")
        self.assertContains(r, f'href="/cases/{case.pk}/"')
        self.assertContains(r, "超市占道经营")

"""The territory page compares its children's open and overdue cases in a chart."""

from datetime import timedelta

from django.utils import timezone

from disputes.models import Case
from disputes.tests.base import CaseTestCase
from governance.roles import Role
from governance.tests.base import make_user


class RegionChartTests(CaseTestCase):
    def setUp(self):
        super().setUp()
        self.file()
        self.file()
        late = self.file(grid=self.grid_a2, actor=self.gina)
        Case.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(hours=1))
        self.bobs = self.file(grid=self.grid_b, actor=make_user("wb", "西市网格员", Role.GRID_WORKER, self.grid_b))

    def test_the_community_page_charts_open_and_overdue_cases_by_grid(self):
        self.client.force_login(self.alice)
        r = self.client.get("/territory/210802001001/")
        self.assertContains(r, 'data-testid="open-cases-chart"')
        chart = [(row.region.code, row.open_cases, row.overdue_cases) for row, _, _ in r.context["chart"]]
        self.assertEqual(chart[:2], [("210802001001001", 2, 0), ("210802001001002", 1, 1)])  # most first
        self.assertEqual((r.context["open_total"], r.context["overdue_total"]), (3, 1))
        self.assertContains(r, 'width="100.0"')  # the busiest grid fills its bar; the others scale to it
        self.assertContains(r, 'width="50.0"')

    def test_closed_cases_are_not_counted(self):
        Case.objects.update(status="closed")
        self.client.force_login(self.alice)
        r = self.client.get("/territory/210802001001/")
        self.assertEqual(r.context["open_total"], 0)
        self.assertContains(r, 'width="0"')

    def test_the_city_leader_compares_districts_and_a_district_sees_only_its_own(self):
        self.client.force_login(self.erin)
        r = self.client.get("/territory/2108/")
        counts = {row.region.code: row.open_cases for row, _, _ in r.context["chart"]}
        self.assertEqual(counts, {"210802": 3, "210803": 1})
        self.client.force_login(self.dave)
        r = self.client.get("/territory/210802/")
        self.assertEqual(r.context["open_total"], 3)
        self.assertEqual(self.client.get("/territory/210803/").status_code, 404)

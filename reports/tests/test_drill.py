"""Drill-through: every figure of a report links to the scoped list of exactly the records behind it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.http import QueryDict
from django.urls import reverse

from disputes.selectors.cases import case_list
from reports.actions import do_run_cycle
from reports.kpis import BY_CODE, KPIS, compute
from reports.tests import test_kpis  # the module, not its class: its tests run once, there
from reports.tests.base import ReportTestCase
from reports.views import drill_url

OCT = test_kpis.OCT

# The case KPIs whose drill lists as many cases as the figure counts (a rate: its numerator).
COUNTED_BY = {
    "cases_filed": "cases_filed", "cases_rejected": "cases_rejected", "cases_closed": "cases_closed",
    "closure_rate": "cases_closed", "cases_on_time": "cases_on_time", "on_time_rate": "cases_on_time",
    "rated_cases": "rated_cases", "satisfaction": "rated_cases", "disputes_received": "disputes_received",
    "disputes_settled": "disputes_settled", "mediation_success_rate": "disputes_settled",
}


class DrillCountTestCase(ReportTestCase):
    setUp = test_kpis.KpiTestCase.setUp

    def listed(self, kpi: str):
        url = drill_url(self.batiandi.code, kpi, OCT)
        qs, _cleaned, errors = case_list(self.alice, QueryDict(urlsplit(url).query))
        self.assertEqual(errors, [], kpi)
        return list(qs)

    def test_the_case_list_behind_each_case_figure_holds_as_many_cases_as_the_figure_counts(self):
        k = compute([self.batiandi.code], OCT)[self.batiandi.code]
        for kpi, counted in COUNTED_BY.items():
            self.assertEqual(len(self.listed(kpi)), k[counted], kpi)

    def test_the_rated_list_averages_to_the_satisfaction_and_the_rework_list_sums_to_the_rework(self):
        k = compute([self.batiandi.code], OCT)[self.batiandi.code]
        rated = self.listed("satisfaction")
        self.assertEqual(round(sum(c.rating for c in rated) / len(rated), 2), k["satisfaction"])
        self.assertEqual(sum(c.rework_count for c in self.listed("rework_count")), k["rework_count"])

    def test_the_handling_time_lists_the_closed_cases_that_were_not_self_handled(self):
        cases = self.listed("avg_handling_hours")
        self.assertEqual(len(cases), 3)  # c1, c7, c8
        self.assertFalse(any(c.self_handled for c in cases))

    def test_the_page_shows_the_list_the_figure_counts(self):
        self.client.force_login(self.alice)
        response = self.client.get(drill_url(self.batiandi.code, "cases_closed", OCT))
        self.assertContains(response, "共 4 件")
        self.assertContains(response, "2026-10-31 及以前结案")


class DrillLinksTestCase(ReportTestCase):
    def setUp(self) -> None:
        do_run_cycle(actor=None, period=OCT)

    def test_every_kpi_has_a_drill_that_answers_200_within_the_officers_scope(self):
        self.client.force_login(self.alice)
        response = self.client.get(reverse("reports:detail", args=[self.batiandi.code, OCT.code]))
        drills = {r["kpi"].code: r["drill"] for r in response.context["rows"]}
        self.assertEqual(set(drills), {k.code for k in KPIS})
        for code, url in drills.items():
            self.assertTrue(url, code)
            parts = urlsplit(url)
            grid = parse_qs(parts.query).get("grid", [parts.path.rstrip("/").rsplit("/", 1)[-1]])[0]
            self.assertTrue(grid.startswith(self.batiandi.code), (code, url))
            self.assertEqual(self.client.get(url).status_code, 200, (code, url))

    def test_a_stock_that_the_list_shows_only_as_of_now_says_so(self):
        for code in ("overdue_open", "risks_open", "residents", "key_persons", "grid_workers", "grids"):
            self.assertTrue(BY_CODE[code].drill_note, code)

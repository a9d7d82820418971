"""The report pages: scope, comparisons, freshness, the ranking, drill-through, .xlsx, print, approval."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

from django.http import QueryDict
from django.urls import reverse
from openpyxl import load_workbook

from disputes.selectors.cases import case_list
from governance.models import Region
from reports.actions import do_confirm_snapshot, do_run_cycle
from reports.models import Snapshot, SnapshotStatus
from reports.periods import parse
from reports.rankings import rank
from reports.tests.base import ReportTestCase, at


class ReportPageTestCase(ReportTestCase):
    def setUp(self) -> None:
        for day in (5, 6, 7, 8, 9, 12):
            self.close(self.filed(at(2026, 10, day, 10)), at(2026, 10, 20))
        self.filed(at(2026, 10, 13), grid=self.grid_a2, actor=self.gina)
        self.filed(at(2026, 9, 14))
        for p in ("2026-09", "2026-10", "2025-10"):
            do_run_cycle(actor=None, period=parse(p))

    def url(self, code, period="2026-10", name="detail"):
        return reverse(f"reports:{name}", args=[code, period])

    def test_a_street_officer_reads_her_streets_report_beside_last_month_and_last_year(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url(self.batiandi.code))
        self.assertEqual(response.status_code, 200)
        row = response.context["rows"][0]
        self.assertEqual((row["kpi"].code, row["value"], row["previous"], row["last_year"]), ("cases_filed", 7, 1, 0))
        self.assertContains(response, "计算时间")

    def test_she_reads_her_streets_children_too(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url(self.wudamen.code)).status_code, 200)
        self.assertEqual(self.client.get(self.url(self.grid_a.code)).status_code, 200)

    def test_the_district_above_her_and_another_districts_street_are_404(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url(self.zhanqian.code)).status_code, 404)
        self.assertEqual(self.client.get(self.url(self.wutaizi.code)).status_code, 404)
        self.assertEqual(self.client.get(self.url(self.wutaizi.code, name="xlsx")).status_code, 404)

    def test_a_department_handler_reads_no_reports(self):
        self.client.force_login(self.heidi)
        self.assertEqual(self.client.get(self.url(self.batiandi.code)).status_code, 404)

    def test_a_bad_period_is_a_400_in_chinese_and_a_missing_one_a_404(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url(self.batiandi.code, "2026-13"))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.client.get(self.url(self.batiandi.code, "2026-08")).status_code, 404)
        self.assertEqual(self.client.get(self.url(self.batiandi.code) + "?by=nonsense").status_code, 400)

    def test_every_case_figure_drills_through_to_the_scoped_case_list(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url(self.batiandi.code))
        self.assertContains(response, "/cases/?grid=210802001&amp;from=2026-10-01&amp;to=2026-10-31")
        drill = next(r["drill"] for r in response.context["rows"] if r["kpi"].code == "cases_filed")
        self.assertEqual(self.client.get(drill).status_code, 200)
        qs, _cleaned, errors = case_list(self.alice, QueryDict(urlsplit(drill).query))
        self.assertEqual((qs.count(), errors), (7, []))

    def test_the_district_ranks_its_streets_and_a_small_one_is_not_ranked(self):
        self.client.force_login(self.dave)
        response = self.client.get(self.url(self.zhanqian.code))
        ranking = {r.region.code: r for r in response.context["ranking"]}
        self.assertEqual(ranking[self.batiandi.code].rank, 1)
        self.assertIsNone(ranking[self.jianshe.code].rank)  # no cases: 样本不足
        self.assertContains(response, "样本不足")

    def test_the_xlsx_has_every_kpi_and_stores_a_formula_like_name_as_text(self):
        Region.objects.filter(code=self.grid_a.code).update(name="=HYPERLINK(\"http://x\")")
        self.client.force_login(self.alice)
        response = self.client.get(self.url(self.wudamen.code, name="xlsx"))
        self.assertEqual(response.status_code, 200)
        wb = load_workbook(io.BytesIO(response.content))
        codes = [row[0].value for row in wb["指标"].iter_rows(min_row=4)]
        self.assertIn("closure_rate", codes)
        cell = next(row[1] for row in wb["下级排名"].iter_rows(min_row=3) if row[2].value == self.grid_a.code)
        self.assertEqual(cell.data_type, "s")

    def test_the_printable_layout_is_a4_with_page_numbers(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url(self.batiandi.code, name="print"))
        self.assertContains(response, "css/report_print.css")  # a static file: the CSP allows no <style>
        from django.contrib.staticfiles import finders

        css = open(finders.find("css/report_print.css"), encoding="utf-8").read()
        self.assertIn("size: A4", css)
        self.assertIn("counter(page)", css)

    def test_the_street_officer_confirms_and_the_district_then_publishes(self):
        self.client.force_login(self.alice)
        self.client.post(self.url(self.batiandi.code, name="confirm"))
        self.assertEqual(Snapshot.objects.get(node=self.batiandi, period="2026-10").status, SnapshotStatus.CONFIRMED)
        self.client.force_login(self.dave)
        refused = self.client.post(self.url(self.zhanqian.code, name="publish"))
        self.assertEqual(refused.status_code, 400)
        self.assertContains(refused, "建设街道", status_code=400)
        do_confirm_snapshot(actor=self.dave, snapshot=Snapshot.objects.get(node=self.jianshe, period="2026-10"))
        self.assertEqual(self.client.post(self.url(self.zhanqian.code, name="publish")).status_code, 302)
        self.assertEqual(Snapshot.objects.get(node=self.zhanqian, period="2026-10").status, SnapshotStatus.PUBLISHED)

    def test_a_grid_worker_cannot_confirm(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.client.post(self.url(self.grid_a.code, name="confirm")).status_code, 403)

    def test_the_report_page_reads_a_bounded_number_of_queries(self):
        self.client.force_login(self.dave)
        self.client.get(self.url(self.zhanqian.code))
        with self.assertNumQueries(14):
            self.client.get(self.url(self.zhanqian.code))

    def test_own_node_and_the_indicator_page(self):
        self.client.force_login(self.alice)
        self.assertRedirects(self.client.get(reverse("reports:home")), reverse("reports:node", args=[self.batiandi.code]))
        node = self.client.get(reverse("reports:node", args=[self.batiandi.code]))
        self.assertContains(node, "2026年10月")
        page = self.client.get(reverse("reports:indicators"))
        for code in ("cases_filed", "closure_rate", "on_time_rate", "satisfaction", "grids_without_worker"):
            self.assertContains(page, code)
        self.assertContains(page, "越低越好")


class RankingRulesTestCase(ReportTestCase):
    def test_ties_share_a_rank_the_next_skips_and_the_change_is_against_last_period(self):
        a, b, c, d = self.batiandi, self.jianshe, self.wutaizi, self.wudamen

        def k(rate, base=10):
            return {"closure_rate": rate, "closure_base": base}

        rows = rank("closure_rate", [(a, k(90)), (b, k(90)), (c, k(70)), (d, k(99, base=4))],
                    [(a, k(60)), (b, k(80)), (c, k(95))])
        by = {r.region.code: r for r in rows}
        self.assertEqual([by[x.code].rank for x in (a, b, c)], [1, 1, 3])
        self.assertIsNone(by[d.code].rank)  # 4 cases < MIN_BASE: 样本不足, even at 99 %
        self.assertEqual((by[a.code].change, by[c.code].change), (2, -2))
        self.assertEqual((by[a.code].band, by[c.code].band), ("green", "red"))

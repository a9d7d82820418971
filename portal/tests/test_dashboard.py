"""The dashboard (/dashboard/<code>/): each leader's node, its figures cross-checked against the
report snapshots and a direct count, drill-down within scope only, and a bounded query count."""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from disputes.actions import cases as actions
from disputes.models import OPEN_STATUSES, Case, Status
from governance.roles import Role
from governance.tests.base import make_user
from reports.actions import do_run_cycle
from reports.models import Snapshot
from reports.periods import Kind, containing
from reports.registers import count_registers
from reports.tests.base import ReportTestCase, rebuild_summaries

COMPARED = ("cases_filed", "closure_rate", "on_time_rate", "satisfaction", "disputes_settled", "visits")


def tile_values(response) -> dict:
    return {t.code: t.value for t in response.context["tiles"]}


class DashboardTestCase(ReportTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.kim = make_user("kim", "金", Role.GRID_WORKER, cls.grid_c)
        cls.pat = make_user("pat", "帕特", Role.PARTY_SECRETARY, cls.wudamen)

    def setUp(self) -> None:
        ContentType.objects.get_for_models(*apps.get_models())
        now = timezone.now()
        self.this_month = containing(Kind.MONTH, now)
        self.last_month = self.this_month.previous()
        last = self.last_month.start
        mid = self.this_month.start + (now - self.this_month.start) / 2
        t = self
        # Last month: one closed and rated in 五大门, one still open (overdue by now); one in 建设, one in 西市区.
        c1 = t.close(t.filed(last + timedelta(days=1, hours=10)), last + timedelta(days=2, hours=10))
        t.rate(c1, 4, when=last + timedelta(days=2, hours=11))
        t.filed(last + timedelta(days=3, hours=10))
        t.filed(last + timedelta(days=4, hours=10), actor=t.kim, grid=t.grid_c)
        t.filed(last + timedelta(days=5, hours=10), actor=t.bob, grid=t.grid_b)
        # This month: closed and open-overdue in 五大门 (grids 001, 002), one in 建设, one in 西市区.
        t.close(t.filed(mid), mid)
        d2 = t.filed(mid, actor=t.gina, grid=t.grid_a2)
        Case.objects.filter(pk=d2.pk).update(deadline=now - timedelta(hours=1))
        t.filed(mid, actor=t.kim, grid=t.grid_c)
        t.filed(mid, actor=t.bob, grid=t.grid_b)
        rebuild_summaries()

    def page(self, user, code: str, query: str = ""):
        self.client.force_login(user)
        return self.client.get(f"/dashboard/{code}/{query}")

    def direct(self, code: str, period) -> dict:
        """The figures counted straight from the cases."""
        filed = Case.objects.filter(grid__code__startswith=code, created_at__gte=period.start,
                                    created_at__lt=period.end).exclude(status=Status.MERGED)
        overdue = Case.objects.filter(grid__code__startswith=code, status__in=OPEN_STATUSES,
                                      deadline__lt=timezone.now())
        return {"cases_filed": filed.count(), "closed": filed.filter(status=Status.CLOSED).count(),
                "overdue_open": overdue.count()}

    def test_each_leader_sees_exactly_their_own_nodes_figures_this_month(self):
        for user, node in ((self.erin, self.city), (self.dave, self.zhanqian), (self.alice, self.batiandi),
                           (self.ivan, self.wudamen), (self.pat, self.wudamen), (self.bob, self.wutaizi)):
            with self.subTest(user=user.username):
                r = self.page(user, node.code)
                self.assertEqual(r.status_code, 200)
                self.assertEqual(r.context["region"], node)
                values, direct = tile_values(r), self.direct(node.code, self.this_month)
                self.assertEqual(values["cases_filed"], direct["cases_filed"])
                self.assertEqual(values["overdue_open"], direct["overdue_open"])
                expected_rate = round(100 * direct["closed"] / direct["cases_filed"], 1) if direct["cases_filed"] else None
                self.assertEqual(values["closure_rate"], expected_rate)
        self.assertEqual(tile_values(self.page(self.alice, self.batiandi.code))["cases_filed"], 2)

    def test_last_months_figures_equal_the_report_snapshot_and_this_month_compares_with_it(self):
        do_run_cycle(actor=None, period=self.last_month)
        for user, node in ((self.erin, self.city), (self.dave, self.zhanqian), (self.alice, self.batiandi),
                           (self.ivan, self.wudamen)):
            with self.subTest(user=user.username):
                snap = Snapshot.objects.get(node=node, period=self.last_month.code)
                values = tile_values(self.page(user, node.code, f"?period={self.last_month.code}"))
                for code in COMPARED:
                    self.assertEqual(values[code], snap.kpis[code], code)
                self.assertEqual(values["cases_filed"], self.direct(node.code, self.last_month)["cases_filed"])
                r = self.page(user, node.code)
                self.assertEqual(r.context["previous_source"], "snapshot")
                previous = {t.code: t.previous for t in r.context["tiles"]}
                for code in COMPARED:
                    self.assertEqual(previous[code], snap.kpis[code], code)

    def test_the_trend_holds_twelve_months_and_each_equals_that_months_snapshot(self):
        summarised = self.page(self.alice, self.batiandi.code).context["trend"][-2]  # no snapshot yet: the summaries
        do_run_cycle(actor=None, period=self.last_month)
        r = self.page(self.alice, self.batiandi.code)
        trend = r.context["trend"]
        self.assertEqual(len(trend), 12)
        self.assertEqual(trend[-1]["period"], self.this_month.code)
        self.assertEqual(trend[-2]["period"], self.last_month.code)
        snap = Snapshot.objects.get(node=self.batiandi, period=self.last_month.code).kpis
        for code in ("cases_filed", "closure_rate", "on_time_rate", "satisfaction", "disputes_settled"):
            self.assertEqual(summarised[code], snap[code], code)
        for code in ("cases_filed", "closure_rate", "on_time_rate", "satisfaction", "overdue_open", "visits"):
            self.assertEqual(trend[-2][code], snap[code], code)
        self.assertEqual(trend[-1]["cases_filed"], tile_values(r)["cases_filed"])
        self.assertContains(r, 'id="dashboard-data"')
        self.assertContains(r, 'data-chart="trend"')

    def test_a_quarter_half_and_year_can_be_chosen(self):
        for kind in ("quarter", "half", "year"):
            period = containing(kind, timezone.now())
            r = self.page(self.alice, self.batiandi.code, f"?period={period.code}")
            self.assertEqual(r.status_code, 200)
            self.assertEqual(tile_values(r)["cases_filed"], self.direct(self.batiandi.code, period)["cases_filed"])

    def test_a_bad_or_future_period_and_a_bad_ranking_are_400_in_chinese(self):
        self.assertContains(self.page(self.alice, self.batiandi.code, "?period=2026-13"), "报告期", status_code=400)
        future = self.this_month.next()
        self.assertContains(self.page(self.alice, self.batiandi.code, f"?period={future.code}"), "尚未开始", status_code=400)
        self.assertContains(self.page(self.alice, self.batiandi.code, "?kind=week"), "报告期类型", status_code=400)
        self.assertContains(self.page(self.alice, self.batiandi.code, "?by=name"), "排名指标", status_code=400)

    def test_the_children_are_ranked_and_each_links_to_its_own_dashboard(self):
        r = self.page(self.dave, self.zhanqian.code)
        ranked = [row.region.code for row in r.context["ranking"]]
        self.assertEqual(sorted(ranked), [self.batiandi.code, self.jianshe.code])
        self.assertContains(r, f'href="/dashboard/{self.batiandi.code}/?period={self.this_month.code}&amp;by=closure_rate"')

    def test_drill_down_goes_from_the_city_to_a_grid_that_shows_its_own_figures_and_workers(self):
        for code in (self.city.code, self.zhanqian.code, self.batiandi.code, self.wudamen.code):
            r = self.page(self.erin, code)
            child = r.context["children"][0]
            self.assertContains(r, f"/dashboard/{child.code}/")
        r = self.page(self.erin, self.grid_a.code)
        self.assertEqual(r.context["children"], [])
        self.assertEqual(tile_values(r)["cases_filed"], self.direct(self.grid_a.code, self.this_month)["cases_filed"])
        self.assertContains(r, "卡萝")  # carol, the grid's worker

    def test_drill_down_outside_the_scope_is_404_at_every_level(self):
        outside = {
            self.alice: ("2108", "210802", "210802002", "210802002001", "210802002001001", "210803001001001"),
            self.ivan: ("210802001", "210802001002", "210803"),
            self.bob: ("210802", "210802001", "210802001001", "210802001001001"),
            self.dave: ("2108", "210803", "210803001", "210803001001", "210803001001001"),
        }
        for user, codes in outside.items():
            for code in codes:
                with self.subTest(user=user.username, code=code):
                    self.assertEqual(self.page(user, code).status_code, 404)
        for code in ("210802001", "210802001001", "210802001001001"):
            self.assertEqual(self.page(self.alice, code).status_code, 200)

    def test_the_lists_to_act_on_hold_the_overdue_case_and_the_grid_without_a_worker(self):
        r = self.page(self.dave, self.zhanqian.code)
        lists = {lst.key: lst for lst in r.context["lists"]}
        overdue = Case.objects.filter(grid__code__startswith="210802", status__in=OPEN_STATUSES, deadline__lt=timezone.now())
        self.assertEqual({c.pk for c in lists["overdue"].rows}, set(overdue.values_list("pk", flat=True)[:10]))
        self.assertEqual(lists["overdue"].url, "/cases/?grid=210802&overdue=1")
        self.assertEqual([g.code for g in lists["no_worker"].rows], [])  # every grid of 站前区 has a worker here
        r = self.page(self.frank, self.xishi.code)
        lists = {lst.key: lst for lst in r.context["lists"]}
        self.assertEqual([g.code for g in lists["no_worker"].rows], [self.grid_b.code])

    def test_every_tile_links_to_the_records_behind_it(self):
        r = self.page(self.alice, self.batiandi.code)
        urls = {t.code: t.url for t in r.context["tiles"]}
        self.assertTrue(urls["cases_filed"].startswith("/cases/?grid=210802001&from="))
        self.assertTrue(urls["visits"].startswith("/grids/visits/?grid=210802001"))
        listed = self.client.get(urls["cases_filed"])
        self.assertEqual(len(listed.context["page"]), tile_values(r)["cases_filed"])

    def test_the_registers_come_from_the_tallies_with_their_time(self):
        r = self.page(self.alice, self.batiandi.code)
        self.assertContains(r, "尚未统计")
        count_registers()
        r = self.page(self.alice, self.batiandi.code)
        self.assertContains(r, "截至")
        self.assertContains(r, 'data-testid="register-residents"')

    def test_a_sensitive_tag_is_counted_only_for_those_who_may_see_it(self):
        from parties import actions as party_actions

        party_actions.do_create_resident(actor=None, grid=self.grid_a, name="赵一", id_number="11010519491231002X",
                                         tags=["社区矫正人员", "留守老人"])
        count_registers()
        # The city leader holds no view_sensitive_tags: the 留守老人 count shows, the 社区矫正 one does not.
        r = self.page(self.erin, self.city.code)
        self.assertContains(r, 'data-testid="tag-left_behind_elderly"')
        self.assertNotContains(r, 'data-testid="tag-community_correction"')
        self.assertNotContains(r, "社区矫正人员")
        # The street officer does, on her street.
        r = self.page(self.alice, self.batiandi.code)
        self.assertContains(r, 'data-testid="tag-community_correction"')

    def test_a_party_secretary_reads_party_work_first(self):
        count_registers()
        body = self.page(self.pat, self.wudamen.code).content.decode()
        self.assertLess(body.index('data-testid="party"'), body.index('data-testid="kpi-closure_rate"'))
        body = self.page(self.ivan, self.wudamen.code).content.decode()
        self.assertGreater(body.index('data-testid="party"'), body.index('data-testid="kpi-closure_rate"'))

    def test_a_department_handler_sees_the_territory_but_no_case_figures(self):
        r = self.page(self.heidi, self.batiandi.code)
        self.assertEqual(r.status_code, 200)
        self.assertNotIn("tiles", r.context)
        self.assertNotContains(r, 'id="dashboard-data"')

    def test_the_city_dashboard_costs_the_same_queries_at_two_data_sizes(self):
        do_run_cycle(actor=None, period=self.last_month)
        count_registers()
        self.page(self.erin, self.city.code)  # signed in
        with self.assertNumQueries(QUERIES):
            self.client.get("/dashboard/2108/")
        mid = self.this_month.start + (timezone.now() - self.this_month.start) / 2
        for i in range(15):
            grid, actor = [(self.grid_a, self.carol), (self.grid_a2, self.gina), (self.grid_c, self.kim)][i % 3]
            case = self.filed(mid - timedelta(days=40 * (i % 4)), actor=actor, grid=grid, category=[self.clutter, self.road][i % 2])
            if i % 3 == 0:
                self.close(case, mid)
            elif i % 3 == 1:
                actions.do_reject_case(actor=self.alice, case=case, version=case.version, reason="不属于受理范围")
        rebuild_summaries()
        do_run_cycle(actor=None, period=self.last_month)
        count_registers()
        with self.assertNumQueries(QUERIES):
            self.client.get("/dashboard/2108/")


# Session and user (2), scope (3), the node and its children (2); lists to act on: overdue, red cards,
# risks, follow-ups, grids without a worker (5, and 2 for object grants of the cases, read once a request,
# and of the risks);
# compute: the overdue scan and five sources for each of two code widths (11); the previous period's
# snapshots (1); the trend: summaries and snapshots (2); the registers (1); unread notices (1).
QUERIES = 32


class RedCardTestCase(ReportTestCase):
    def test_the_red_card_list_holds_the_red_cards_and_links_to_all_of_them(self):
        from disputes.models import Supervision

        red = self.filed(timezone.now() - timedelta(hours=3))
        self.filed(timezone.now() - timedelta(hours=2))
        Case.objects.filter(pk=red.pk).update(supervision=Supervision.RED)
        self.client.force_login(self.alice)
        r = self.client.get("/dashboard/210802001/")
        lists = {lst.key: lst for lst in r.context["lists"]}
        self.assertEqual([c.pk for c in lists["red"].rows], [red.pk])
        listed = self.client.get(lists["red"].url)
        self.assertEqual([c.pk for c in listed.context["page"]], [red.pk])
        self.assertContains(listed, "红牌督办")

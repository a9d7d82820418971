"""The overdue stock at a finished month's end (overdue_open), kept by the month's full report cycle
(disputes.models.CaseOverdueStock) and read from there by every later compute of a period ending then:
the same figures as the raw count, without it; dropped when a late entry dated in the month arrives,
and by rebuild_summaries."""

from __future__ import annotations

import io
from unittest import mock

from django.core.management import call_command

from disputes.models import Case, CaseOverdueStock
from governance.roles import Role
from governance.tests.base import make_user
from reports.actions import do_run_cycle
from reports.kpis import compute, kept_overdue_stock
from reports.periods import parse
from reports.tests.base import ReportTestCase, at

OCT = parse("2026-10")
Q4 = parse("2026Q4")
NOT_COUNTED = "reports.kpis.overdue_at_end_by_grid"


class OverdueStockTestCase(ReportTestCase):
    def setUp(self) -> None:
        # Two cases filed in October and never accepted: their 2 working hours ran out in October.
        self.filed(at(2026, 10, 5, 10))
        self.filed(at(2026, 10, 6, 10), grid=self.grid_a2, actor=self.gina)
        worker = make_user("yu", "于", Role.GRID_WORKER, self.grid_b)
        self.filed(at(2026, 10, 7, 10), grid=self.grid_b, actor=worker)  # the other district

    def street(self) -> int:
        return compute([self.batiandi.code], OCT)[self.batiandi.code]["overdue_open"]

    def test_a_full_cycle_keeps_the_month_s_stock_by_grid_with_its_total(self):
        do_run_cycle(actor=None, period=OCT)
        rows = dict(CaseOverdueStock.objects.values_list("grid_id", "n"))
        self.assertEqual(rows, {self.grid_a.code: 1, self.grid_a2.code: 1, self.grid_b.code: 1, None: 3})
        self.assertEqual(set(CaseOverdueStock.objects.values_list("month", flat=True)), {OCT.first_day})

    def test_later_reads_take_the_kept_stock_and_find_the_raw_figure(self):
        raw = self.street()
        do_run_cycle(actor=None, period=OCT)
        with mock.patch(NOT_COUNTED, side_effect=AssertionError("counted on the raw rows")):
            self.assertEqual(self.street(), raw)
            self.assertEqual(raw, 2)
            # A quarter ending at another month's end is not kept: it is counted.
        with self.assertRaises(AssertionError):
            with mock.patch(NOT_COUNTED, side_effect=AssertionError("counted on the raw rows")):
                compute([self.batiandi.code], Q4, now=at(2027, 1, 5))

    def test_the_stock_is_read_for_the_nodes_asked_only(self):
        do_run_cycle(actor=None, period=OCT)
        self.assertEqual(kept_overdue_stock(OCT.end, self.batiandi.code), {self.grid_a.code: 1, self.grid_a2.code: 1})
        self.assertIsNone(kept_overdue_stock(parse("2026-09").end, self.batiandi.code))  # never kept

    def test_a_run_for_one_node_keeps_nothing(self):
        do_run_cycle(actor=self.alice, period=OCT, root=self.batiandi.code)
        self.assertFalse(CaseOverdueStock.objects.exists())

    def test_running_the_cycle_again_keeps_it_once(self):
        do_run_cycle(actor=None, period=OCT)
        do_run_cycle(actor=None, period=OCT)
        self.assertEqual(CaseOverdueStock.objects.filter(grid__isnull=True).count(), 1)
        self.assertEqual(CaseOverdueStock.objects.count(), 4)

    def test_a_late_entry_dated_in_the_month_drops_it_and_the_next_cycle_counts_it(self):
        do_run_cycle(actor=None, period=OCT)
        self.filed(at(2026, 10, 30))  # entered now, dated 30 October: overdue at October's end too
        self.assertFalse(CaseOverdueStock.objects.exists())
        self.assertEqual(self.street(), 3)
        do_run_cycle(actor=None, period=OCT)
        self.assertEqual(CaseOverdueStock.objects.get(grid__isnull=True).n, 4)

    def test_an_entry_dated_after_the_month_leaves_it(self):
        do_run_cycle(actor=None, period=OCT)
        self.file()  # today
        self.assertTrue(CaseOverdueStock.objects.exists())

    def test_rebuild_summaries_drops_it(self):
        do_run_cycle(actor=None, period=OCT)
        out = io.StringIO()
        call_command("rebuild_summaries", stdout=out)
        self.assertFalse(CaseOverdueStock.objects.exists())
        self.assertIn("4 rows dropped", out.getvalue())

    def test_reading_it_costs_no_more_queries_than_counting(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as counted:
            self.street()
        do_run_cycle(actor=None, period=OCT)
        Case.objects.update(deadline=None)  # the kept figures, not the rows, answer now
        with CaptureQueriesContext(connection) as kept:
            self.assertEqual(self.street(), 2)
        self.assertLessEqual(len(kept.captured_queries), len(counted.captured_queries))

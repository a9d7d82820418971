"""Every KPI of reports.kpis against a hand-computed October 2026 in 八田地街道 (grids 五大门 001, 002)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from disputes.actions import cases as actions
from disputes.models import Case, CaseEvent, RiskEntry
from disputes.tests.base import jpeg
from grids.models import Visit, VisitKind
from parties import actions as pa
from parties.models import Resident, ResidentTag
from reports.kpis import BY_CODE, KPIS, compute
from reports.periods import parse
from reports.tests.base import ReportTestCase, at
from reports.workcal import working_hours_between

OCT = parse("2026-10")


class KpiTestCase(ReportTestCase):
    def setUp(self) -> None:
        t = self
        # c1: filed Mon 5 Oct 10:00, closed at the last second of October (Shanghai): closed in October.
        self.c1 = t.close(t.filed(at(2026, 10, 5, 10)), at(2026, 10, 31, 23, 59, 59))
        t.rate(self.c1, 4, when=at(2026, 10, 31, 23, 59, 59))
        # c2: closed one second into November: not closed in October; overdue at the end of October.
        c2 = t.filed(at(2026, 10, 6, 10))
        c2 = actions.do_accept_case(actor=t.alice, case=c2, version=c2.version)
        Case.objects.filter(pk=c2.pk).update(deadline=timezone.now() - timedelta(hours=2))
        actions.do_supervise_overdue(case_id=c2.pk)
        CaseEvent.objects.filter(case=c2, action=CaseEvent.Action.ESCALATE).update(at=at(2026, 10, 20))
        c2.refresh_from_db()
        self.c2 = t.close(c2, at(2026, 11, 1, 0, 0, 1))
        CaseEvent.objects.filter(case=c2).exclude(action__in=["file", "escalate"]).update(at=at(2026, 11, 1))
        # c3: rejected (grid 002).
        c3 = t.filed(at(2026, 10, 7), grid=t.grid_a2, actor=t.gina)
        actions.do_reject_case(actor=t.alice, case=c3, version=c3.version, reason="不属于受理范围")
        # c4: a duplicate merged into c1: not counted at all.
        c4 = t.filed(at(2026, 10, 8))
        actions.do_merge_case(actor=t.alice, duplicate=c4, original=self.c1, version=c4.version)
        # c5: self-handled by gina and rated by herself: closed, but no handling time and no rating. Her own
        # rating is refused now (do_rate_case); one recorded before that, written here as it was, never counts.
        c5 = actions.do_file_case(actor=t.gina, grid=t.grid_a2, category=t.clutter, title="小广告", description="已清除。",
                                  self_handle=True, evidence_note="已清除", evidence=[jpeg()], now=at(2026, 10, 9))
        Case.objects.filter(pk=c5.pk).update(rating=5)
        CaseEvent.objects.create(case=c5, actor=t.gina, action=CaseEvent.Action.RATE, at=at(2026, 10, 9, 12),
                                 detail={"rating": 5})
        # c7: Mon 12 Oct 09:00 → Tue 13 Oct 12:00 (11 working hours), overdue once (yellow card), one rework: late.
        c7 = t.filed(at(2026, 10, 12, 9))
        c7 = actions.do_accept_case(actor=t.alice, case=c7, version=c7.version)
        c7 = actions.do_assign_case(actor=t.alice, case=c7, version=c7.version, assignee=t.carol)
        Case.objects.filter(pk=c7.pk).update(deadline=timezone.now() - timedelta(hours=1))
        actions.do_supervise_overdue(case_id=c7.pk)
        c7.refresh_from_db()
        c7 = actions.do_handle_case(actor=t.carol, case=c7, version=c7.version, note="已处置。")
        c7 = actions.do_verify_case(actor=t.alice, case=c7, version=c7.version, fixed=False, note="未清理干净。")
        c7 = actions.do_handle_case(actor=t.carol, case=c7, version=c7.version, note="已再次清理。")
        c7 = actions.do_verify_case(actor=t.alice, case=c7, version=c7.version, fixed=True)
        Case.objects.filter(pk=c7.pk).update(closed_at=at(2026, 10, 13, 12))
        # c8: extended while its deadline had passed, handled within the extension: on time (8 working hours).
        c8 = t.filed(at(2026, 10, 14, 9))
        c8 = actions.do_accept_case(actor=t.alice, case=c8, version=c8.version)
        c8 = actions.do_assign_case(actor=t.alice, case=c8, version=c8.version, assignee=t.carol)
        ext = actions.do_request_extension(actor=t.carol, case=c8, version=c8.version, days=3, reason="需协调物业。")
        c8.refresh_from_db()
        Case.objects.filter(pk=c8.pk).update(deadline=timezone.now() - timedelta(minutes=1))
        c8.refresh_from_db()
        actions.do_decide_extension(actor=t.alice, extension=ext, version=c8.version, grant=True)
        self.assertIsNone(actions.do_supervise_overdue(case_id=c8.pk))
        c8.refresh_from_db()
        c8 = actions.do_handle_case(actor=t.carol, case=c8, version=c8.version, note="已处置。")
        c8 = actions.do_verify_case(actor=t.alice, case=c8, version=c8.version, fixed=True)
        Case.objects.filter(pk=c8.pk).update(closed_at=at(2026, 10, 14, 17))
        t.rate(c8, 2, actor=t.alice, when=at(2026, 10, 20))
        # c6: filed at 23:59:59 on 30 September: September's. c9: filed in September, still open, overdue since 15 Oct.
        t.filed(at(2026, 9, 30, 23, 59, 59))
        c9 = t.filed(at(2026, 9, 15))
        Case.objects.filter(pk=c9.pk).update(deadline=at(2026, 10, 15))
        # Disputes: two received in October, one settled; 8 people make it 较大 → the risk register.
        d1 = t.settled(people_count=8)
        d2 = t.mediating()
        Case.objects.filter(pk__in=[d1.pk, d2.pk]).update(created_at=at(2026, 10, 16))
        d1.refresh_from_db()
        type(d1).objects.filter(pk=d1.pk).update(settled_at=at(2026, 10, 20))
        RiskEntry.objects.filter(dispute=d1).update(opened_at=at(2026, 10, 16))
        # A risk entry closed in September does not count.
        old = t.mediating(people_count=9)
        Case.objects.filter(pk=old.pk).update(created_at=at(2026, 8, 1))
        RiskEntry.objects.filter(dispute=old).update(opened_at=at(2026, 8, 1), closed_at=at(2026, 9, 1))
        # Visits and patrols: 3 visits and 1 patrol in October, 1 visit on 1 November 00:00 (not October).
        for when, kind in ((at(2026, 10, 1, 0, 0, 0), VisitKind.VISIT), (at(2026, 10, 10), VisitKind.VISIT),
                           (at(2026, 10, 31, 23, 59, 59), VisitKind.VISIT), (at(2026, 10, 11), VisitKind.PATROL),
                           (at(2026, 11, 1, 0, 0, 0), VisitKind.VISIT)):
            Visit.objects.create(grid=t.grid_a, worker=t.carol, kind=kind, at=when, findings="正常")
        # Residents: two registered before the end of October, one of them a key person; one registered in November.
        r1 = pa.do_create_resident(actor=None, grid=t.grid_a, name="张三", id_number="11010519491231002X",
                                   tags=["社区矫正人员"])
        pa.do_create_resident(actor=None, grid=t.grid_a2, name="李五", id_number="210802199001011235")
        late = pa.do_create_resident(actor=None, grid=t.grid_a, name="张四", id_number="440524188001010014")
        Resident.objects.exclude(pk=late.pk).update(created_at=at(2026, 10, 1))
        Resident.objects.filter(pk=late.pk).update(created_at=at(2026, 11, 2))
        ResidentTag.objects.filter(resident=r1).update(set_at=at(2026, 10, 2))

    def street(self) -> dict:
        return compute([self.batiandi.code], OCT)[self.batiandi.code]

    def test_cases_filed_counts_october_in_shanghai_time_without_merged_duplicates(self):
        # c1, c2, c3, c5, c7, c8 and the two disputes; not c4 (merged), c6 (30 Sep 23:59:59), c9.
        self.assertEqual(self.street()["cases_filed"], 8)

    def test_a_case_closed_at_235959_on_the_last_day_is_closed_in_that_month_and_one_at_000001_is_not(self):
        k = self.street()
        self.assertEqual(k["cases_closed"], 4)  # c1, c5, c7, c8 — not c2 (00:00:01 on 1 November)
        self.assertEqual(k["cases_rejected"], 1)

    def test_closure_rate_leaves_out_rejected_cases(self):
        self.assertEqual(self.street()["closure_rate"], round(100 * 4 / 7, 1))

    def test_a_case_extended_within_its_deadline_is_on_time_and_a_supervised_one_is_not(self):
        k = self.street()
        self.assertEqual(k["cases_on_time"], 3)  # c1, c5, c8 — c7 had a yellow card
        self.assertEqual(k["on_time_rate"], 75.0)

    def test_overdue_open_counts_cases_open_and_past_deadline_at_the_end_of_the_period(self):
        # c2 (supervised on 20 Oct, closed in November), c9 (filed in September, deadline 15 Oct) and c6
        # (filed at 23:59:59 on 30 Sep, never accepted: its 2 working hours ran out on 1 Oct).
        self.assertEqual(self.street()["overdue_open"], 3)

    def test_average_handling_time_is_in_working_hours_and_leaves_out_self_handled_cases(self):
        # c1: Mon 5 Oct 10:00 → Sat 31 Oct: 7 + 4×8 + 3×40 = 159 h; c7: 11 h; c8: 8 h.
        self.assertEqual(self.street()["avg_handling_hours"], round((159 + 11 + 8) / 3, 1))

    def test_rework_counts_every_failed_verification(self):
        self.assertEqual(self.street()["rework_count"], 1)

    def test_satisfaction_leaves_out_a_self_handled_case_rated_by_its_own_filer(self):
        k = self.street()
        self.assertEqual(k["rated_cases"], 2)  # c1 (4), c8 (2); not c5
        self.assertEqual(k["satisfaction"], 3.0)

    def test_disputes_received_settled_and_the_success_rate(self):
        k = self.street()
        self.assertEqual((k["disputes_received"], k["disputes_settled"], k["mediation_success_rate"]), (2, 1, 50.0))

    def test_risk_entries_open_at_the_end_of_the_period(self):
        self.assertEqual(self.street()["risks_open"], 1)

    def test_visits_and_patrols_per_grid_worker_and_the_visit_rate(self):
        k = self.street()
        # carol and gina hold the street's grids; mona is a mediator, not a grid worker.
        self.assertEqual((k["visits"], k["patrols"], k["grid_workers"]), (3, 1, 2))
        self.assertEqual((k["visits_per_worker"], k["patrols_per_worker"]), (1.5, 0.5))
        self.assertEqual(k["visit_rate"], round(100 * 3 / (2 * 20), 1))

    def test_residents_and_key_persons_registered_by_the_end_of_the_period(self):
        k = self.street()
        self.assertEqual((k["residents"], k["key_persons"]), (2, 1))

    def test_grids_without_a_worker(self):
        k = compute([self.zhanqian.code], OCT)[self.zhanqian.code]
        self.assertEqual((k["grids"], k["grids_without_worker"]), (3, 1))  # 花园 001 has nobody

    def test_children_are_computed_at_once_and_add_up_to_their_parent(self):
        kids = compute([self.grid_a.code, self.grid_a2.code], OCT)
        self.assertEqual(kids[self.grid_a.code]["cases_filed"] + kids[self.grid_a2.code]["cases_filed"], 8)
        self.assertEqual(kids[self.grid_a2.code]["cases_rejected"], 1)

    def test_the_other_district_sees_none_of_it(self):
        self.assertEqual(compute([self.xishi.code], OCT)[self.xishi.code]["cases_filed"], 0)

    def test_a_street_of_any_size_costs_the_same_few_queries(self):
        # 8: the case summaries (was the cases and their handling times, with the calendar: 3), overdue,
        # risks, visits, workers, grids, residents, key persons; one more (the overdue stock looked for
        # first) while October's full report cycle has not kept its overdue stock.
        with self.assertNumQueries(9):
            compute([self.batiandi.code, self.jianshe.code], OCT)
        from reports.actions import do_run_cycle

        do_run_cycle(actor=None, period=OCT)
        with self.assertNumQueries(8):
            compute([self.batiandi.code, self.jianshe.code], OCT)

    def test_every_kpi_has_a_definition_and_a_value(self):
        self.assertEqual(set(BY_CODE) - set(self.street()), set())
        for kpi in KPIS:
            self.assertTrue(kpi.name and kpi.formula and kpi.unit, kpi.code)


class WorkingHoursTestCase(ReportTestCase):
    def test_working_hours_count_only_09_to_17_on_workdays(self):
        self.assertEqual(working_hours_between(at(2026, 10, 16, 16), at(2026, 10, 19, 10)), 2.0)  # Fri 16:00 → Mon 10:00

    def test_a_holiday_is_not_a_working_day(self):
        holidays = {at(2026, 10, 19).date()}
        self.assertEqual(working_hours_between(at(2026, 10, 16, 16), at(2026, 10, 20, 10), holidays), 2.0)

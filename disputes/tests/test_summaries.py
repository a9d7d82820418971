"""The case summaries kept by the actions always equal a rebuild from the raw rows.

Random sequences of transitions (file, self-handle, file a dispute, convert a case into a dispute, accept, reject, assign, supervise
overdue, handle, verify fail / ok, rate — by the filer or a verifier —, merge, settle, a broken
agreement found at follow-up), the cases filed over several past months so that closures, ratings
and settlements land in later months than filing: after every step the summary rows equal what
`contributions` computes from the raw rows of every case, and `rebuild_summaries` reproduces them."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from disputes.actions import cases as actions
from disputes.actions import mediation as ma
from disputes.models import COUNTERS, Case, CaseMonthSummary, Dispute, FollowUp, Status
from disputes.summaries import contributions
from disputes.tests.base import jpeg
from disputes.tests.dispute_base import DisputeTestCase


def table() -> dict:
    """The summary rows that count something, as {key: counters}."""
    out = {}
    for row in CaseMonthSummary.objects.all():
        counts = Counter({c: getattr(row, c) for c in COUNTERS})
        if any(counts.values()):
            out[row.month, row.done_month, row.grid_id, row.category_id, row.kind] = +counts
    return out


def from_raw() -> dict:
    return {key: +c for key, c in contributions(Case.objects.all()).items() if any(c.values())}


class SummaryTestCase(DisputeTestCase):
    def step(self, rng: random.Random, cases: list[int]) -> str:
        """One random transition that fits; returns what it did."""
        t = self
        live = list(Case.objects.filter(pk__in=cases).select_related("category", "grid"))
        if not live or rng.random() < 0.3:
            when = timezone.now() - timedelta(days=rng.randint(0, 100), hours=rng.randint(0, 23))
            grid, filer = rng.choice([(t.grid_a, t.carol), (t.grid_a2, t.gina)])
            what = rng.choice(["case", "case", "self", "dispute"])
            if what == "self":
                case = actions.do_file_case(actor=filer, grid=grid, category=t.clutter, title="小广告", description="已清除。",
                                            self_handle=True, evidence_note="已清除", evidence=[jpeg()], now=when)
            elif what == "dispute":
                case = t.dispute(actor=filer, grid=grid, now=when).case
            else:
                case = t.file(actor=filer, grid=grid, category=rng.choice([t.clutter, t.road]), now=when)
            cases.append(case.pk)
            return f"file {what}"
        moving = [c for c in live if c.status in (Status.REPORTED, Status.ACCEPTED, Status.ASSIGNED, Status.HANDLED)]
        case = rng.choice(moving if moving and rng.random() < 0.8 else live)
        v = case.version
        dispute = Dispute.objects.filter(pk=case.pk).first()
        if case.status in (Status.REPORTED, Status.ACCEPTED) and not dispute and rng.random() < 0.1:
            ma.do_convert_case_to_dispute(actor=t.alice, case=case, version=v, dispute_type=t.neighbour,
                                          note="实为邻里纠纷")
            return "convert"
        if case.status == Status.REPORTED:
            move = rng.choice(["accept", "accept", "reject", "merge"])
            if move == "accept":
                actions.do_accept_case(actor=t.alice, case=case, version=v)
            elif move == "reject":
                actions.do_reject_case(actor=t.alice, case=case, version=v, reason="不属于受理范围")
            else:
                targets = [c for c in live if c.pk != case.pk and c.status not in (Status.MERGED, Status.REJECTED)]
                if not targets:
                    return "nothing"
                actions.do_merge_case(actor=t.alice, duplicate=case, original=rng.choice(targets), version=v)
            return move
        if case.status in (Status.ACCEPTED, Status.ASSIGNED) and rng.random() < 0.25:
            Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(hours=rng.choice([1, 30])))
            actions.do_supervise_overdue(case_id=case.pk)
            return "supervise"
        if case.status == Status.ACCEPTED:
            actions.do_assign_case(actor=t.alice, case=case, version=v, assignee=t.mona if dispute else case.filer)
            return "assign"
        if case.status == Status.ASSIGNED:
            if dispute:
                if not dispute.parties.exists():  # converted from a case: the mediator names the parties first
                    for side in ("applicant", "respondent"):
                        ma.do_add_party(actor=t.mona, dispute=dispute, version=None, side=side, name=f"当事人{side}")
                    v = Case.objects.get(pk=case.pk).version
                ma.do_settle_dispute(actor=t.mona, dispute=dispute, version=v, facts="漏水。", terms="赔偿三千元。",
                                     performance="现金")
                return "settle"
            actions.do_handle_case(actor=case.assignee, case=case, version=v, note="已处置。")
            return "handle"
        if case.status == Status.HANDLED:
            fixed = rng.random() < 0.6
            actions.do_verify_case(actor=t.alice, case=case, version=v, fixed=fixed, note="" if fixed else "未解决。")
            return "verify ok" if fixed else "verify fail"
        if case.status == Status.CLOSED:
            follow_up = FollowUp.objects.filter(dispute_id=case.pk, done_at__isnull=True, cancelled=False).first()
            if follow_up and rng.random() < 0.8:
                ma.do_record_follow_up(actor=t.mona, follow_up=follow_up, version=None, holds=False, note="协议未履行。")
                return "agreement broken"
            if case.rating is None:
                # A self-handled case's own filer may not rate it (refused): a verifier rates it for the resident.
                raters = [t.alice] if case.self_handled else [case.filer, t.alice]
                actions.do_rate_case(actor=rng.choice(raters), case=case, version=v, rating=rng.randint(1, 5))
                return "rate"
        return "nothing"

    def test_random_sequences_of_transitions_keep_the_summaries_equal_to_a_rebuild(self):
        done = []
        for seed in (1, 2, 3):
            rng = random.Random(seed)
            cases: list[int] = []
            for _ in range(70):
                done.append(self.step(rng, cases))
                self.assertEqual(table(), from_raw(), f"seed {seed} after {done}")
            kept = table()
            self.assertGreater(len({key[1] for key in kept}), 1)  # outcomes landed in more than one month
            call_command("rebuild_summaries", stdout=StringIO())
            self.assertEqual(table(), kept, f"seed {seed}: rebuild_summaries changed the rows")
            self.assertFalse(CaseMonthSummary.objects.filter(filed=0, closed=0, rated=0, settled=0).exists())
        self.assertTrue({"merge", "reject", "supervise", "verify fail", "verify ok", "rate", "settle", "agreement broken",
                         "file self", "file dispute", "convert"} <= set(done), Counter(done))

    def test_a_rebuild_leaves_the_planner_statistics_of_the_summaries_current_on_postgresql(self):
        if connection.vendor != "postgresql":
            self.skipTest("ANALYZE is PostgreSQL's")
        self.file(now=timezone.now() - timedelta(days=40))
        with CaptureQueriesContext(connection) as ctx:
            call_command("rebuild_summaries", stdout=StringIO())
        self.assertEqual(ctx.captured_queries[-1]["sql"], f"ANALYZE {CaseMonthSummary._meta.db_table}")

    def test_a_rebuild_after_a_bulk_load_is_idempotent_and_resumable_by_month(self):
        c = self.file(now=timezone.now() - timedelta(days=70))
        Case.objects.filter(pk=c.pk).update(status=Status.REJECTED)  # written behind the actions' back
        self.assertNotEqual(table(), from_raw())
        out = StringIO()
        call_command("rebuild_summaries", stdout=out)
        self.assertEqual(table(), from_raw())
        rows = table()
        call_command("rebuild_summaries", "--from", f"{timezone.localtime(c.created_at):%Y-%m}", stdout=StringIO())
        self.assertEqual(table(), rows)
        self.assertIn(f"{timezone.localtime(c.created_at):%Y-%m}:", out.getvalue())

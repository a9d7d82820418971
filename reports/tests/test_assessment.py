"""The yearly assessment: a versioned scoring sheet turns the year's snapshots into scores and ranks,
each deduction traceable to its cases; editing makes a new version, audited."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from disputes.actions import cases as actions
from disputes.models import Case
from governance.models import AuditEvent
from governance.roles import Role
from governance.tests.base import make_user
from reports.actions import do_run_cycle, do_save_scoring_sheet
from reports.periods import parse
from reports.tests.base import ReportTestCase, at

Y2026 = parse("2026")


class AssessmentTestCase(ReportTestCase):
    def setUp(self) -> None:
        for day in (5, 6):
            self.close(self.filed(at(2026, 3, day, 10)), at(2026, 3, 20))
        late = self.filed(at(2026, 4, 1, 10))
        late = actions.do_accept_case(actor=self.alice, case=late, version=late.version)
        Case.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(hours=1))
        actions.do_supervise_overdue(case_id=late.pk)
        late.refresh_from_db()
        self.late = self.close(late, at(2026, 4, 10), fail_first=True)
        do_run_cycle(actor=None, period=Y2026, now=at(2027, 1, 1, 3))
        self.admin = make_user("root", "市系统管理员", Role.ADMIN, self.city)  # a superuser holds no territory
        self.sheet = do_save_scoring_sheet(
            actor=self.admin, name="年度考评", weights={"closure_rate": 60, "on_time_rate": 40},
            deductions={"overdue": {"per_case": 5, "cap": 4}, "rework": {"per_case": 1, "cap": 10}},
        )

    def test_the_district_scores_its_streets_with_deductions_traced_to_their_cases(self):
        self.client.force_login(self.dave)
        response = self.client.get(reverse("reports:assessment", args=[self.zhanqian.code, "2026"]))
        scores = {s.region.code: s for s in response.context["scores"]}
        street = scores[self.batiandi.code]
        # closure 100 % → 60; on time 2/3 = 66.7 % → 26.68; overdue 5 capped at 4; one rework 1.
        self.assertEqual(street.total, round(60 + 26.68 - 4 - 1, 2))
        self.assertEqual(street.cases, {"overdue": [self.late.pk], "rework": [self.late.pk]})
        self.assertEqual((street.rank, scores[self.jianshe.code].rank), (1, 2))
        self.assertContains(response, reverse("cases:detail", args=[self.late.pk]))

    def test_an_edit_is_a_new_version_and_the_old_one_replays_the_same_year(self):
        newer = do_save_scoring_sheet(actor=self.admin, name="年度考评", weights={"closure_rate": 100}, deductions={})
        self.assertEqual(newer.version, 2)
        self.client.force_login(self.dave)
        url = reverse("reports:assessment", args=[self.zhanqian.code, "2026"])
        old = self.client.get(url, {"sheet": self.sheet.pk}).context["scores"][0]
        self.assertEqual(old.total, round(60 + 26.68 - 5, 2))
        self.assertEqual(self.client.get(url).context["scores"][0].total, 100)
        self.assertEqual(AuditEvent.objects.filter(action="report.scoring_sheet").count(), 2)

    def test_a_sheet_is_checked_and_only_an_admin_of_the_whole_territory_saves_one(self):
        with self.assertRaisesMessage(ValidationError, "100"):
            do_save_scoring_sheet(actor=self.admin, name="x", weights={"closure_rate": 80, "on_time_rate": 40}, deductions={})
        with self.assertRaises(PermissionDenied):
            do_save_scoring_sheet(actor=self.frank, name="x", weights={"closure_rate": 80}, deductions={})

    def test_the_scoring_page_refuses_bad_json_in_chinese(self):
        self.client.force_login(self.admin)
        response = self.client.post(reverse("reports:scoring"), {"name": "x", "weights": "{", "deductions": ""})
        self.assertContains(response, "JSON", status_code=400)

    def test_an_assessment_is_yearly_and_scoped(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(reverse("reports:assessment", args=[self.zhanqian.code, "2026"])).status_code, 404)
        self.assertEqual(self.client.get(reverse("reports:assessment", args=[self.batiandi.code, "2026-10"])).status_code, 400)

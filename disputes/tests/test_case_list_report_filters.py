"""/cases/: the filters behind the report figures (closed_before, kind, rated, rework, on_time, outcome…)."""

from datetime import timedelta

from django.utils import timezone

from disputes.models import Case, CaseEvent
from disputes.tests.dispute_base import DisputeTestCase


class CaseListReportFiltersTestCase(DisputeTestCase):
    def titles(self, query: str) -> set[str]:
        self.client.force_login(self.alice)
        response = self.client.get(f"/cases/?{query}")
        self.assertEqual(response.status_code, 200, query)
        return {c.title for c in response.context["page"]}

    def test_closed_before_leaves_out_cases_closed_after_that_day(self):
        early, late = self.file(title="早结案"), self.file(title="晚结案")
        today = timezone.localdate()
        Case.objects.filter(pk=early.pk).update(status="closed", closed_at=timezone.now() - timedelta(days=3))
        Case.objects.filter(pk=late.pk).update(status="closed", closed_at=timezone.now())
        day = (today - timedelta(days=1)).isoformat()
        self.assertEqual(self.titles(f"status=closed&closed_before={day}"), {"早结案"})
        self.assertContains(self.client.get(f"/cases/?closed_before={day}"), f"{day} 及以前结案")

    def test_kind_picks_disputes_or_cases(self):
        self.file(title="普通事件")
        d = self.mediating()
        self.assertEqual(self.titles("kind=dispute"), {d.case.title if hasattr(d, "case") else d.title})
        self.assertIn("普通事件", self.titles("kind=case"))

    def test_rework_and_merged_and_self_handled(self):
        a, b = self.file(title="返工"), self.file(title="无返工")
        Case.objects.filter(pk=a.pk).update(rework_count=2)
        Case.objects.filter(pk=b.pk).update(status="merged", self_handled=True)
        self.assertEqual(self.titles("rework=1"), {"返工"})
        self.assertNotIn("无返工", self.titles("merged=0"))
        self.assertNotIn("无返工", self.titles("self_handled=0"))

    def test_on_time_splits_on_an_overdue_supervision_card(self):
        late = self.file(title="超期督办过")
        self.file(title="按期")
        CaseEvent.objects.create(case=late, action=CaseEvent.Action.ESCALATE, detail={"card": "yellow"})
        self.assertIn("按期", self.titles("on_time=1"))
        self.assertNotIn("超期督办过", self.titles("on_time=1"))
        self.assertEqual(self.titles("on_time=0"), {"超期督办过"})

    def test_rated_counts_a_rating_unless_a_self_handled_case_was_rated_by_its_own_filer(self):
        rated, own = self.file(title="他评"), self.file(title="自评")
        Case.objects.filter(pk__in=[rated.pk, own.pk]).update(rating=4)
        Case.objects.filter(pk=own.pk).update(self_handled=True)
        CaseEvent.objects.create(case=rated, action=CaseEvent.Action.RATE, actor=self.alice)
        CaseEvent.objects.create(case=own, action=CaseEvent.Action.RATE, actor=own.filer)
        self.assertEqual(self.titles("rated=1"), {"他评"})
        yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
        self.assertEqual(self.titles(f"rated=1&rated_before={yesterday}"), set())

    def test_outcome_settled_lists_settled_disputes_by_the_day(self):
        settled = self.settled()
        self.mediating()
        title = settled.case.title if hasattr(settled, "case") else settled.title
        self.assertEqual(self.titles("kind=dispute&outcome=settled"), {title})
        yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
        self.assertEqual(self.titles(f"outcome=settled&settled_before={yesterday}"), set())

    def test_the_filters_are_kept_in_the_form(self):
        self.client.force_login(self.alice)
        response = self.client.get("/cases/?rated=1&on_time=1&kind=case")
        self.assertContains(response, 'name="rated" value="1"')
        self.assertContains(response, 'name="on_time" value="1"')
        self.assertContains(response, "按期办结（从未超期督办）")

    def test_bad_values_give_a_chinese_400(self):
        self.client.force_login(self.alice)
        for query, message in (("closed_before=2026-02-30", "日期格式"), ("kind=x", "事件种类"), ("rated=2", "评价筛选"),
                               ("rework=yes", "rework"), ("on_time=2", "按期筛选"), ("outcome=broken", "调解结果"),
                               ("settled_before=2026-01-01", "调解成功"), ("merged=1", "merged")):
            self.assertContains(self.client.get(f"/cases/?{query}"), message, status_code=400, msg_prefix=query)

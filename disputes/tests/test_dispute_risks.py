"""/disputes/risks/: the scoped risk register — open 较大/重大 risks, owner and next review."""

from django.utils import timezone

from disputes.actions import mediation as ma
from disputes.models import RiskEntry
from disputes.tests.dispute_base import DisputeTestCase


class RiskListTestCase(DisputeTestCase):
    def test_open_risks_in_scope_are_listed_severe_first(self):
        self.dispute(title="较大风险纠纷", people_count=6)
        self.dispute(title="重大风险纠纷", threat_violence=True)
        self.dispute(title="一般纠纷")
        self.client.force_login(self.alice)
        body = self.client.get("/disputes/risks/").content.decode()
        self.assertNotIn("一般纠纷", body)
        self.assertLess(body.index("重大风险纠纷"), body.index("较大风险纠纷"))
        self.assertIn("未落实", body)

    def test_each_risk_shows_its_mediation_outcome_and_a_broken_agreement_says_so(self):
        from disputes.actions import cases as actions

        d = self.settled(title="较大风险纠纷", people_count=6)
        self.client.force_login(self.alice)
        self.assertContains(self.client.get("/disputes/risks/"), "调解成功")
        actions.do_verify_case(actor=self.carol, case=d.case, version=d.case.version, fixed=False, note="未付款")
        r = self.client.get("/disputes/risks/")
        self.assertContains(r, "协议未履行，待重新调解")
        self.assertNotContains(r, "调解成功")

    def test_a_closed_risk_moves_to_the_closed_list(self):
        d = self.dispute(title="已销号纠纷", people_count=6)
        ma.do_close_risk(actor=self.alice, entry=RiskEntry.objects.get(dispute=d), version=None, note="已化解")
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get("/disputes/risks/"), "已销号纠纷")
        self.assertContains(self.client.get("/disputes/risks/?closed=1"), "已销号纠纷")

    def test_filtering_by_level(self):
        self.dispute(title="较大风险纠纷", people_count=6)
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get("/disputes/risks/?level=3"), "较大风险纠纷")
        self.assertContains(self.client.get("/disputes/risks/?level=2"), "较大风险纠纷")

    def test_a_bad_level_gives_a_chinese_400(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.get("/disputes/risks/?level=abc"), "风险等级筛选条件不正确", status_code=400)

    def test_the_other_district_sees_none_of_ours(self):
        self.dispute(title="较大风险纠纷", people_count=6)
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get("/disputes/risks/"), "较大风险纠纷")

    def test_a_grid_worker_sees_only_their_grid(self):
        self.dispute(title="一格风险", people_count=6)
        self.dispute(actor=self.gina, grid=self.grid_a2, title="二格风险", people_count=6)
        self.client.force_login(self.carol)
        r = self.client.get("/disputes/risks/")
        self.assertContains(r, "一格风险")
        self.assertNotContains(r, "二格风险")

    def test_the_query_count_does_not_grow_with_the_register(self):
        self.dispute(people_count=6)
        self.client.force_login(self.alice)
        self.client.get("/disputes/risks/")
        with self.assertNumQueries(9):
            self.client.get("/disputes/risks/")
        for i in range(5):
            d = self.dispute(people_count=6 + i)
            ma.do_update_risk_entry(actor=self.alice, entry=RiskEntry.objects.get(dispute=d), version=None, owner=self.carol,
                                    responsibility="走访", measures="稳控", next_review=timezone.localdate())
        with self.assertNumQueries(9):
            self.client.get("/disputes/risks/")

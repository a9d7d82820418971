"""/disputes/all/: every dispute in scope, filtered by outcome, source, risk and type, paged by key."""

import re
from datetime import timedelta
from unittest import mock

from django.utils import timezone

from disputes.actions import mediation as ma
from disputes.models import Case
from disputes.tests.dispute_base import DisputeTestCase


class DisputeListTestCase(DisputeTestCase):
    def test_it_lists_settled_and_referred_disputes_and_filters_by_outcome(self):
        self.settled(title="已调成的纠纷")
        d = self.mediating(title="已移交的纠纷")
        ma.do_refer_dispute(actor=self.mona, dispute=d, version=d.case.version, target="court", target_name="法院",
                            note="调解不成")
        self.client.force_login(self.alice)
        r = self.client.get("/disputes/all/")
        self.assertContains(r, "已调成的纠纷")
        self.assertContains(r, "已移交的纠纷")
        r = self.client.get("/disputes/all/?outcome=referred")
        self.assertNotContains(r, "已调成的纠纷")
        self.assertContains(r, "已移交的纠纷")

    def test_a_settled_dispute_whose_agreement_failed_verification_no_longer_reads_settled(self):
        from disputes.actions import cases as actions

        d = self.settled(title="协议未履行的纠纷")
        actions.do_verify_case(actor=self.carol, case=d.case, version=d.case.version, fixed=False, note="未付款")
        self.client.force_login(self.alice)
        r = self.client.get("/disputes/all/")
        self.assertContains(r, "协议未履行，待重新调解")
        self.assertNotContains(r, '<span class="tag" data-testid="outcome">调解成功</span>', html=False)
        self.assertNotContains(self.client.get("/disputes/all/?outcome=settled"), "协议未履行的纠纷")
        self.assertContains(self.client.get("/disputes/all/?outcome=broken"), "协议未履行的纠纷")

    def test_filters_by_source_risk_and_type(self):
        self.dispute(title="法院委派的", source="court", source_detail="法院")
        self.dispute(title="重大的", threat_violence=True, dispute_type=self.contract)
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get("/disputes/all/?source=court"), "重大的")
        self.assertNotContains(self.client.get("/disputes/all/?risk=3"), "法院委派的")
        self.assertContains(self.client.get(f"/disputes/all/?type={self.contract.pk}"), "重大的")

    def test_bad_filters_give_a_chinese_400(self):
        self.client.force_login(self.alice)
        r = self.client.get("/disputes/all/?outcome=won&risk=9&type=x")
        self.assertContains(r, "调解结果筛选条件不正确", status_code=400)
        self.assertContains(r, "风险等级筛选条件不正确", status_code=400)
        self.assertContains(r, "纠纷类型筛选条件不正确", status_code=400)

    def test_the_other_district_sees_none_of_ours(self):
        self.dispute(title="八田地的纠纷")
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get("/disputes/all/"), "八田地的纠纷")

    def test_the_query_count_does_not_grow_with_the_list(self):
        self.dispute()
        self.client.force_login(self.alice)
        self.client.get("/disputes/all/")
        with self.assertNumQueries(11):
            self.client.get("/disputes/all/")
        for i in range(5):
            self.mediating(title=f"纠纷{i}")
        with self.assertNumQueries(11):
            self.client.get("/disputes/all/")


class DisputeListPagingTestCase(DisputeTestCase):
    def setUp(self):
        self.client.force_login(self.alice)
        base = timezone.now() - timedelta(days=1)
        for i in range(7):
            d = self.dispute(title=f"纠纷第{i}件", source="court" if i % 2 else "visit", source_detail="法院")
            Case.objects.filter(pk=d.pk).update(created_at=base + timedelta(minutes=i))
        patcher = mock.patch("disputes.views.mediation.DISPUTE_PAGE_SIZE", 3)
        patcher.start()
        self.addCleanup(patcher.stop)

    def titles(self, r) -> list[str]:
        return [d.case.title for d in r.context["page"]]

    def follow(self, r, rel: str):
        m = re.search(rf'href="([^"]*)" rel="{rel}"', r.content.decode())
        self.assertIsNotNone(m, f"no {rel} link")
        return self.client.get("/disputes/all/" + m.group(1).replace("&amp;", "&"))

    def test_pages_follow_by_key_and_new_disputes_do_not_repeat_rows(self):
        r1 = self.client.get("/disputes/all/")
        self.assertEqual(self.titles(r1), ["纠纷第6件", "纠纷第5件", "纠纷第4件"])
        self.assertContains(r1, "共 7 件")
        self.dispute(title="刚登记的纠纷")
        r2 = self.follow(r1, "next")
        self.assertEqual(self.titles(r2), ["纠纷第3件", "纠纷第2件", "纠纷第1件"])
        self.assertEqual(self.titles(self.follow(r2, "next")), ["纠纷第0件"])
        self.assertEqual(self.titles(self.follow(r2, "prev")), self.titles(r1))

    def test_the_page_links_keep_the_filters(self):
        r1 = self.client.get("/disputes/all/?source=court")
        self.assertEqual(self.titles(r1), ["纠纷第5件", "纠纷第3件", "纠纷第1件"])
        self.assertContains(r1, "共 3 件")
        self.assertNotContains(r1, 'rel="next"')
        r1 = self.client.get("/disputes/all/?source=visit")
        self.assertRegex(r1.content.decode(), r'href="\?source=visit&amp;after=\d+\.\d+&amp;p=2" rel="next"')
        self.assertEqual(self.titles(self.follow(r1, "next")), ["纠纷第0件"])

    def test_a_deep_page_costs_the_same_queries_as_the_first(self):
        r1 = self.client.get("/disputes/all/")
        url = "/disputes/all/" + re.search(r'href="([^"]*)" rel="next"', r1.content.decode()).group(1)
        with self.assertNumQueries(11):
            self.client.get(url.replace("&amp;", "&"))

    def test_a_bad_page_key_is_a_chinese_400(self):
        self.assertContains(self.client.get("/disputes/all/?after=x.1"), "翻页参数无效", status_code=400)

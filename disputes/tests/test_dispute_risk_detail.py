"""/disputes/risks/<id>/ and its actions: 定人、定责、定措施, reviews by the owner, 销号."""

from datetime import timedelta

from django.utils import timezone

from disputes.models import Case, RiskEntry
from disputes.tests.dispute_base import DisputeTestCase


class RiskDetailTestCase(DisputeTestCase):
    def setUp(self):
        self.d = self.dispute(people_count=8)
        self.entry = RiskEntry.objects.get(dispute=self.d)
        self.url = f"/disputes/risks/{self.entry.pk}/"

    def act(self, action, **data):
        """Post one of the entry page's forms, with the version it carries now (its dispute's case's) unless given."""
        data.setdefault("version", str(Case.objects.get(pk=self.d.pk).version))
        return self.client.post(self.url + f"{action}/", data)

    def test_the_street_officer_sees_the_entry_with_the_forms(self):
        self.client.force_login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "楼上漏水引发邻里纠纷")
        self.assertContains(r, 'data-testid="update-form"')

    def test_the_officer_names_an_owner_who_then_records_a_review(self):
        self.client.force_login(self.alice)
        r = self.act("update", **{
            "owner": str(self.carol.pk), "responsibility": "网格员每日见面", "measures": "调解员跟进，派出所备案",
            "next_review": (timezone.localdate() + timedelta(days=3)).isoformat(),
        })
        self.assertRedirects(r, self.url)
        self.client.force_login(self.carol)
        r = self.client.get(self.url)
        self.assertNotContains(r, 'data-testid="update-form"')
        self.assertContains(r, "保存研判")
        self.assertRedirects(self.act("review", **{"note": "双方情绪平稳"}), self.url)
        self.assertEqual(self.entry.reviews.get().note, "双方情绪平稳")

    def test_closing_the_risk(self):
        self.client.force_login(self.alice)
        self.assertRedirects(self.act("close", **{"note": "调解成功，风险消除"}), self.url)
        self.entry.refresh_from_db()
        self.assertIsNotNone(self.entry.closed_at)
        self.assertContains(self.client.get(self.url), 'data-testid="closed"')

    def test_a_stale_form_gives_409_and_changes_nothing(self):
        self.client.force_login(self.alice)
        stale = str(Case.objects.get(pk=self.d.pk).version)
        self.assertRedirects(self.act("review", note="双方情绪平稳"), self.url)
        r = self.act("close", note="调解成功，风险消除", version=stale)
        self.assertContains(r, "已被他人更新", status_code=409)
        self.entry.refresh_from_db()
        self.assertIsNone(self.entry.closed_at)
        self.assertContains(self.client.get(self.url), f'name="version" value="{int(stale) + 1}"')

    def test_a_department_handler_is_not_offered_or_accepted_as_the_owner(self):
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get(self.url), f'value="{self.heidi.pk}"')
        r = self.act("update", owner=str(self.heidi.pk), responsibility="x", measures="y",
                     next_review=timezone.localdate().isoformat())
        self.assertContains(r, "责任人不存在", status_code=400)

    def test_bad_input_gives_a_chinese_400(self):
        self.client.force_login(self.alice)
        r = self.act("update", **{"owner": "", "responsibility": "", "measures": ""})
        self.assertContains(r, "请选择责任人", status_code=400)
        r = self.act("update", **{"owner": str(self.carol.pk), "responsibility": "x",
                                                        "measures": "y", "next_review": "明天"})
        self.assertContains(r, "下次研判日期格式应为", status_code=400)
        self.assertContains(self.act("close", **{"note": ""}), "请填写销号说明", status_code=400)

    def test_it_shows_the_outcome_and_a_broken_agreement_says_so(self):
        from disputes.actions import cases as actions
        from disputes.models import Dispute

        d = self.settled(people_count=8, title="较大纠纷")
        entry = RiskEntry.objects.get(dispute=d)
        actions.do_verify_case(actor=self.carol, case=d.case, version=d.case.version, fixed=False, note="未付款")
        self.assertEqual(Dispute.objects.get(pk=d.pk).outcome, "broken")
        self.client.force_login(self.alice)
        r = self.client.get(f"/disputes/risks/{entry.pk}/")
        self.assertContains(r, "协议未履行，待重新调解")
        self.assertContains(self.client.get(self.url), "调解中")

    def test_a_grid_worker_who_is_not_the_owner_gets_403(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.act("close", **{"note": "x"}).status_code, 403)
        self.assertEqual(self.act("review", **{"note": "x"}).status_code, 403)

    def test_the_other_district_gets_404(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.act("close", **{"note": "x"}).status_code, 404)

    def test_an_unknown_action_gives_404(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.post(self.url + "explode/").status_code, 404)

    def test_the_query_count_of_the_detail_page(self):
        self.client.force_login(self.alice)
        self.client.get(self.url)
        with self.assertNumQueries(11):
            self.client.get(self.url)

"""/disputes/new/: filing a dispute with both parties; bad input gives a Chinese message and a 400."""

from disputes.models import Dispute, RiskEntry
from disputes.tests.dispute_base import DisputeTestCase
from disputes.tests.link_base import LinkTestCase
from parties.pii import mask_id_number

MASKED_ID = mask_id_number("11010519491231002X")  # what a user who may not reveal sees

GOOD = {
    "grid": "210802001001001", "source": "patrol", "source_detail": "", "title": "宅基地边界纠纷",
    "description": "两户因院墙位置发生争执。", "address": "", "urgency": "normal", "people_count": "6", "amount": "",
    "a_kind": "person", "a_name": "王大山", "a_id_type": "resident_id", "a_id_number": "11010519491231002X",
    "a_phone": "13812345678", "a_address": "", "r_kind": "person", "r_name": "赵小河", "r_id_type": "resident_id",
    "r_id_number": "", "r_phone": "", "r_address": "",
}


class DisputeNewTestCase(DisputeTestCase):
    def post(self, **changes):
        data = dict(GOOD, dispute_type=str(self.neighbour.pk))
        data.update(changes)
        return self.client.post("/disputes/new/", data)

    def test_a_grid_worker_sees_the_form_with_both_parties(self):
        self.client.force_login(self.carol)
        r = self.client.get("/disputes/new/")
        self.assertContains(r, "申请人姓名或名称")
        self.assertContains(r, "被申请人姓名或名称")
        self.assertContains(r, "邻里纠纷")

    def test_filing_creates_the_dispute_and_puts_a_major_one_in_the_register(self):
        self.client.force_login(self.carol)
        r = self.post()
        d = Dispute.objects.get()
        self.assertRedirects(r, f"/disputes/{d.pk}/")
        self.assertEqual(d.parties.count(), 2)
        self.assertTrue(RiskEntry.objects.filter(dispute=d).exists())

    def test_a_bad_id_number_gives_a_chinese_message_and_400(self):
        self.client.force_login(self.carol)
        r = self.post(a_id_number="123")
        self.assertContains(r, "公民身份号码应为 18 位", status_code=400)
        self.assertFalse(Dispute.objects.exists())

    def test_missing_fields_give_400(self):
        self.client.force_login(self.carol)
        r = self.post(r_name="", people_count="abc", amount="-5")
        self.assertContains(r, "请填写被申请人姓名或名称", status_code=400)
        self.assertContains(r, "涉及人数须为整数", status_code=400)

    def test_a_grid_outside_my_scope_is_refused(self):
        self.client.force_login(self.carol)
        self.assertContains(self.post(grid="210803001001001"), "请选择您负责的网格", status_code=400)

    def test_someone_who_cannot_file_gets_403(self):
        self.client.force_login(self.erin)
        self.assertEqual(self.client.get("/disputes/new/").status_code, 403)

    def test_a_court_referral_without_the_court_is_refused(self):
        self.client.force_login(self.mona)
        self.assertContains(self.post(source="court"), "移交单位", status_code=400)




class DisputeNewRegisterLinkTestCase(LinkTestCase):
    def post(self, **changes):
        data = dict(GOOD, dispute_type=str(self.neighbour.pk))
        data.update(changes)
        return self.client.post("/disputes/new/", data)

    def test_the_form_offers_search_pickers_for_both_sides_and_lists_no_register_rows(self):
        self.client.force_login(self.carol)
        r = self.client.get("/disputes/new/")
        for name in ("a_resident", "a_unit", "r_resident", "r_unit"):
            self.assertContains(r, f'name="{name}"')
        self.assertContains(r, 'data-register-search="/registers/residents/search/"', count=2)
        for name in ("张三", "五大门便民超市", "王六"):
            self.assertNotContains(r, name)

    def test_a_refused_form_shows_the_picked_applicant_again_masked(self):
        self.client.force_login(self.carol)
        r = self.post(a_resident=str(self.zhang.pk), a_name="", a_id_number="", a_phone="", title="")
        self.assertContains(r, f"张三（{MASKED_ID}）", status_code=400)
        self.assertNotContains(r, "11010519491231002X", status_code=400)

    def test_a_dispute_with_a_registered_applicant_needs_no_typed_name(self):
        self.client.force_login(self.carol)
        r = self.post(a_resident=str(self.zhang.pk), a_name="", a_id_number="", a_phone="")
        d = Dispute.objects.get()
        self.assertRedirects(r, f"/disputes/{d.pk}/")
        self.assertEqual(d.parties.get(side="applicant").resident, self.zhang)

    def test_a_registered_resident_of_another_district_gives_a_chinese_400(self):
        self.client.force_login(self.carol)
        r = self.post(r_resident=str(self.wang.pk))
        self.assertContains(r, "所选人员不属于该网格或不在您的辖区内。", status_code=400)
        self.assertFalse(Dispute.objects.exists())

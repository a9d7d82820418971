"""Party organisation forms: branch, party member, 双报到, 共驻共建, 联席会."""

from unittest import mock

from governance.models import AuditEvent
from parties.models import CoBuildingAgreement, InServiceMember, JointMeeting, PartyBranch, PartyMember
from parties.tests.base import RegisterTestCase


class PartyFormsTestCase(RegisterTestCase):
    def test_a_grid_worker_founds_the_grids_branch_once_and_registers_a_member(self):
        self.client.force_login(self.carol)
        r = self.client.post("/registers/party/new/", {"grid": self.grid_a.code, "name": "第1网格党支部", "established_on": "2021-07-01"})
        branch = PartyBranch.objects.get(grid=self.grid_a)
        self.assertRedirects(r, f"/registers/party/{branch.pk}/")
        # The grid now has its branch: it is no longer offered.
        self.assertEqual(self.client.post("/registers/party/new/", {"grid": self.grid_a.code, "name": "又一个"}).status_code, 400)
        r = self.client.post(f"/registers/residents/{self.zhangsi.pk}/party/", {"joined_on": "1999-07-01", "role": "组织委员"})
        self.assertRedirects(r, f"/registers/residents/{self.zhangsi.pk}/")
        member = PartyMember.objects.get(resident=self.zhangsi)
        self.assertEqual((member.branch, member.role), (branch, "组织委员"))
        self.assertTrue(AuditEvent.objects.filter(action="party.member.register", actor=self.carol).exists())

    def test_a_worker_cannot_register_a_member_in_another_grid(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.client.post(f"/registers/residents/{self.wang.pk}/party/", {}).status_code, 404)

    def test_community_staff_record_in_service_members_agreements_and_meetings(self):
        self.client.force_login(self.grace)
        base = f"/registers/party/community/{self.wudamen.code}"
        r = self.client.post(f"{base}/in-service/new/", {"name": "吴在职", "employer": "营口市税务局", "registered_on": "2026-03-01",
                                                         "grid": self.grid_a.code, "phone": "13722223333"})
        self.assertRedirects(r, f"{base}/")
        self.assertEqual(InServiceMember.objects.get().grid, self.grid_a)
        r = self.client.post(f"{base}/agreements/new/", {"unit": self.shop.pk, "title": "共建协议", "signed_on": "2026-01-01"})
        self.assertRedirects(r, f"{base}/")
        self.assertEqual(CoBuildingAgreement.objects.get().unit, self.shop)
        r = self.client.post(f"{base}/meetings/new/", {"held_on": "2026-03-15", "title": "联席会", "units": [self.shop.pk],
                                                       "minutes": "一、通报情况"})
        self.assertRedirects(r, f"{base}/")
        self.assertEqual(list(JointMeeting.objects.get().units.all()), [self.shop])
        page = self.client.get(f"{base}/")
        self.assertContains(page, "137****3333")
        self.assertContains(page, "一、通报情况")

    def test_a_bad_phone_and_a_unit_of_another_district_are_refused(self):
        self.client.force_login(self.grace)
        base = f"/registers/party/community/{self.wudamen.code}"
        r = self.client.post(f"{base}/in-service/new/", {"name": "吴", "employer": "某局", "registered_on": "2026-03-01", "phone": "123"})
        self.assertEqual(r.status_code, 400)
        r = self.client.post(f"{base}/agreements/new/", {"unit": self.shop_b.pk, "title": "x", "signed_on": "2026-01-01"})
        self.assertEqual(r.status_code, 400)
        self.assertFalse(CoBuildingAgreement.objects.exists())

    def test_a_grid_worker_cannot_reach_the_community_forms(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get(f"/registers/party/community/{self.wudamen.code}/meetings/new/").status_code, 404)
        self.client.force_login(self.dave)  # district centre: reads, does not change
        self.assertEqual(self.client.get(f"/registers/party/community/{self.wudamen.code}/meetings/new/").status_code, 403)


@mock.patch("governance.fields.PICKER_THRESHOLD", 1)
class PartyBranchWithTheGridPickerTestCase(RegisterTestCase):
    def test_a_grid_that_already_has_a_branch_is_refused_by_the_action_in_chinese(self):
        self.client.force_login(self.alice)
        r = self.client.post("/registers/party/new/", {"grid": self.grid_a.code, "name": "第1网格党支部"})
        self.assertEqual(r.status_code, 302)
        r = self.client.post("/registers/party/new/", {"grid": self.grid_a.code, "name": "又一个"})
        self.assertContains(r, "该网格已有党支部（一格一支部）。", status_code=400)
        r = self.client.post("/registers/party/new/", {"grid": self.grid_b.code, "name": "别处"})
        self.assertContains(r, "不存在或不在您的辖区内", status_code=400)

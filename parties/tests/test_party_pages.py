"""Party organisation: /registers/party/, /registers/party/<pk>/, /registers/party/community/<code>/."""

from datetime import date

from django.core.exceptions import ValidationError

from parties import actions
from parties.tests.base import RegisterTestCase


class PartyTestCase(RegisterTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.branch = actions.do_create_party_branch(actor=None, grid=cls.grid_a, name="五大门第1网格党支部", secretary=cls.zhang)
        cls.branch_b = actions.do_create_party_branch(actor=None, grid=cls.grid_b, name="渔市第1网格党支部")
        building = cls.house_a.building
        cls.group = actions.do_create_party_group(actor=None, branch=cls.branch, name="3号楼党小组", building=building)
        cls.member = actions.do_register_party_member(actor=None, resident=cls.zhang, branch=cls.branch, group=cls.group,
                                                     joined_on=date(1975, 7, 1))
        actions.do_create_center_household(actor=None, member=cls.member, house=cls.house_a)
        actions.do_register_in_service_member(actor=None, community=cls.wudamen, grid=cls.grid_a, name="周在职",
                                              employer="站前区人民法院", registered_on=date(2026, 3, 1), phone="13711112222")
        agreement = actions.do_sign_co_building_agreement(actor=None, community=cls.wudamen, unit=cls.shop,
                                                          title="2026 共建协议", signed_on=date(2026, 1, 1))
        actions.do_record_joint_meeting(actor=None, community=cls.wudamen, held_on=date(2026, 3, 15), title="一季度联席会",
                                        minutes="议定消防检查", units=[agreement.unit])

    def test_a_party_member_registration_sets_the_political_status(self):
        self.zhang.refresh_from_db()
        self.assertEqual(self.zhang.political_status, "cpc_member")

    def test_one_branch_per_grid(self):
        with self.assertRaises(ValidationError):
            actions.do_create_party_branch(actor=None, grid=self.grid_a, name="第二支部")

    def test_the_branch_list_is_scoped(self):
        self.client.force_login(self.carol)
        with self.assertNumQueries(8):
            r = self.client.get("/registers/party/")
        self.assertContains(r, "五大门第1网格党支部")
        self.assertNotContains(r, "渔市第1网格党支部")

    def test_the_branch_page_shows_groups_members_and_center_households(self):
        self.client.force_login(self.carol)
        with self.assertNumQueries(14):
            r = self.client.get(f"/registers/party/{self.branch.pk}/")
        self.assertContains(r, "3号楼党小组")
        self.assertContains(r, "张三")
        self.assertContains(r, "1975-07-01")
        self.assertContains(r, "周在职")
        self.assertEqual(self.client.get(f"/registers/party/{self.branch_b.pk}/").status_code, 404)

    def test_the_community_page_shows_in_service_members_agreements_and_minutes(self):
        self.client.force_login(self.grace)
        r = self.client.get(f"/registers/party/community/{self.wudamen.code}/")
        self.assertContains(r, "周在职")
        self.assertContains(r, "137****2222")
        self.assertNotContains(r, "13711112222")
        self.assertContains(r, "2026 共建协议")
        self.assertContains(r, "议定消防检查")
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(f"/registers/party/community/{self.wudamen.code}/").status_code, 404)

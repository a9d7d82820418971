"""A grid worker's "my grid" (grids:mine): grids' own sections — this month's household visits
against the quota, the key persons of their grids by tag (masked as on the registers), the grids —
for carol (grid worker of 五大门 grid 001). The case sections disputes adds are tested there
(disputes/tests/test_my_grid_cases.py)."""

from datetime import timedelta
from unittest import mock

from django.test import override_settings
from django.utils import timezone

from governance.models import RoleAssignment
from governance.roles import Role
from governance.tests.base import make_user
from grids.actions import do_log_visit
from grids.selectors import month_start
from parties import actions
from parties.models import TagKind
from parties.tests.base import RegisterTestCase

URL = "/grids/mine/"
# session, user, scope (3), my grids, open cases (object grants 2, count, rows), visits (2, 1),
# key persons (2, 2, and their visits this month: 2, 1), nearby (2, 1), colleagues, unread notices —
# less 4: a model's object grants are read once a request (governance.scope), the nearby cases' and the
# second residents' read again before
QUERIES = 21
ID_NUMBERS = ["110101199003070011", "110101199003070038", "110101199003070054", "110101199003070070",
              "110101199003070097"]  # valid check characters


class MyGridsTestCase(RegisterTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Key persons: 张三 (社区矫正人员, carol's grid) from the base; 张四 a 吸毒人员 and a 留守老人 (a
        # care group, not a key person) there too; 李五 (grid 002) and 王六 (other district) are out of scope.
        actions.do_set_resident_tag(actor=None, resident=cls.zhangsi, tag=TagKind.DRUG_USER)
        actions.do_set_resident_tag(actor=None, resident=cls.zhangsi, tag=TagKind.LEFT_BEHIND_ELDERLY)
        actions.do_set_resident_tag(actor=None, resident=cls.li, tag=TagKind.COMMUNITY_CORRECTION)
        actions.do_set_resident_tag(actor=None, resident=cls.wang, tag=TagKind.DRUG_USER)
        removed = actions.do_set_resident_tag(actor=None, resident=cls.zhangsi, tag=TagKind.PETITIONER)
        actions.do_remove_resident_tag(actor=None, tag=removed, reason="已化解")
        # Visits: carol 3 household visits and 1 patrol this month, 1 visit last month; a colleague's
        # visit in her grid is not hers.
        now = timezone.now()
        for _ in range(3):
            do_log_visit(actor=cls.carol, grid=cls.grid_a, findings="无异常", house=cls.house_a, at=now)
        do_log_visit(actor=cls.carol, grid=cls.grid_a, findings="巡查无异常", kind="patrol", place="3号楼", at=now)
        do_log_visit(actor=cls.carol, grid=cls.grid_a, findings="无异常", house=cls.house_a,
                     at=month_start(now) - timedelta(hours=1))
        cls.dora = make_user("dora", "朵拉", Role.GRID_WORKER, cls.grid_a)
        do_log_visit(actor=cls.dora, grid=cls.grid_a, findings="无异常", house=cls.house_a, at=now)

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.carol)

    def test_each_grid_links_to_its_registers_and_the_visit_log(self):
        r = self.client.get(URL)
        self.assertContains(r, f"/registers/residents/?grid={self.grid_a.code}")
        self.assertContains(r, f"/grids/visits/new/?grid={self.grid_a.code}")
        listing = self.client.get(f"/registers/residents/?grid={self.grid_a.code}")
        self.assertContains(listing, "张三")

    def test_the_grid_card_names_the_colleague_who_shares_the_grid(self):
        self.assertContains(self.client.get(URL), "同网格网格员：朵拉")

    @override_settings(REPORTS_VISITS_PER_WORKER_MONTH=5)
    def test_it_counts_her_household_visits_this_month_against_the_quota(self):
        r = self.client.get(URL)
        self.assertContains(r, '<span class="quota-done" data-testid="visits-done">3</span>', html=False)
        self.assertContains(r, '<span data-testid="visits-quota">5</span>')
        self.assertContains(r, '<strong data-testid="visits-remaining">2</strong>')
        self.assertContains(r, "本月网格巡查 1 次。")

    @override_settings(REPORTS_VISITS_PER_WORKER_MONTH=3)
    def test_a_met_quota_says_so(self):
        self.assertContains(self.client.get(URL), "本月走访任务已完成。")

    def test_two_grids_show_the_visits_of_each(self):
        RoleAssignment.objects.create(user=self.carol, role=Role.GRID_WORKER, region=self.grid_a2)
        r = self.client.get(URL)
        self.assertContains(r, 'data-testid="visits-by-grid"')
        self.assertContains(r, "<li><span>五大门社区第1网格</span> <span class=\"num\">3</span></li>", html=True)
        self.assertContains(r, "<li><span>五大门社区第2网格</span> <span class=\"num\">0</span></li>", html=True)

    def test_it_lists_the_key_persons_of_her_grid_by_tag_with_links(self):
        body = self.client.get(URL).content.decode()
        self.assertIn('data-testid="key-tag-community_correction"', body)
        self.assertIn('data-testid="key-tag-drug_user"', body)
        self.assertNotIn('data-testid="key-tag-left_behind_elderly"', body)  # a care group
        self.assertNotIn('data-testid="key-tag-petitioner"', body)  # removed
        self.assertEqual(body.count('data-testid="key-person"'), 2)
        self.assertIn(f'href="/registers/residents/{self.zhang.pk}/"', body)
        self.assertIn(f'href="/registers/residents/{self.zhangsi.pk}/"', body)
        self.assertIn("重点人员 <span class=\"muted\">2 人</span>", body)
        # In the tags' order: 社区矫正人员 before 吸毒人员.
        self.assertLess(body.index("key-tag-community_correction"), body.index("key-tag-drug_user"))

    def test_each_key_person_says_whether_they_were_visited_this_month(self):
        # 张三 and 张四 live at 3号楼1单元101, which carol visited this month; 赵七 nobody visited.
        zhao = actions.do_create_resident(actor=None, grid=self.grid_a, name="赵七", id_number=ID_NUMBERS[0],
                                          tags=["信访人员"])
        body = self.client.get(URL).content.decode()
        self.assertEqual(body.count('data-testid="visited"'), 2)
        self.assertEqual(body.count('data-testid="visit-due"'), 1)
        self.assertIn(f'href="/grids/visits/new/?resident={zhao.pk}" data-testid="visit-due"', body)

    def test_key_persons_are_masked_as_on_the_register_pages(self):
        r = self.client.get(URL)
        self.assertMasked(r.content.decode())
        self.assertContains(r, self.zhang.id_number_masked)
        self.assertContains(r, self.zhang.phone_masked)

    def test_key_persons_outside_her_grids_are_absent(self):
        r = self.client.get(URL)
        self.assertNotContains(r, "李五")
        self.assertNotContains(r, "王六")

    def test_only_the_first_key_persons_are_listed_and_each_tag_links_to_the_rest(self):
        with mock.patch("grids.selectors.KEY_PERSONS_SHOWN", 1):
            body = self.client.get(URL).content.decode()
        self.assertEqual(body.count('data-testid="key-person"'), 1)
        self.assertIn(f'href="/registers/residents/?grid={self.grid_a.code}&amp;tag=drug_user"', body)
        self.assertIn("此处只列出前 1 人", body)

    def test_it_costs_a_fixed_number_of_queries(self):
        self.client.get(URL)  # warm the session
        with self.assertNumQueries(QUERIES):
            self.client.get(URL)
        for i in range(4):  # more key persons, more visits: the same queries
            resident = actions.do_create_resident(actor=None, grid=self.grid_a, name=f"重点{i}",
                                                  id_number=ID_NUMBERS[i + 1], tags=["吸毒人员"])
            do_log_visit(actor=self.carol, grid=self.grid_a, findings="无异常", resident=resident)
        with self.assertNumQueries(QUERIES):
            self.client.get(URL)

    def test_the_page_is_not_kept_by_the_browser(self):
        self.assertEqual(self.client.get(URL)["Cache-Control"], "no-store")

    def test_a_user_without_grids_is_told_to_ask_the_community(self):
        self.client.force_login(self.nobody)
        r = self.client.get(URL)
        self.assertContains(r, "您还没有被分配网格")
        self.assertNotContains(r, 'data-testid="my-visits"')

    def test_a_street_officer_has_no_grids_of_her_own(self):
        self.client.force_login(self.alice)
        r = self.client.get(URL)
        self.assertContains(r, "您还没有被分配网格")
        self.assertNotContains(r, "张三")

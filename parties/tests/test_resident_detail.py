"""A resident's page (/registers/residents/<pk>/). The sections other apps add to it (visits,
cases) are tested with them: grids/tests and disputes/tests, test_register_panels.py."""

from parties.tests.base import ZHANG_ID, RegisterTestCase


class ResidentDetailTestCase(RegisterTestCase):
    def url(self, r):
        return f"/registers/residents/{r.pk}/"

    def test_a_grid_worker_reads_their_residents_page_masked(self):
        self.client.force_login(self.carol)
        r = self.client.get(self.url(self.zhang))
        self.assertContains(r, "张三")
        self.assertContains(r, "110105************")
        self.assertContains(r, "138****5678")
        self.assertContains(r, "3号楼1单元101")
        self.assertContains(r, "张四")  # lives in the same house
        self.assertMasked(r.content.decode())
        self.assertNotContains(r, "查看完整号码")  # a grid worker may not reveal

    def test_a_grid_worker_of_grid_a_gets_404_for_grid_b(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get(self.url(self.wang)).status_code, 404)
        self.assertEqual(self.client.get(self.url(self.li)).status_code, 404)

    def test_an_id_beyond_the_database_integer_range_is_404_not_500(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get("/registers/residents/99999999999999999999/").status_code, 404)

    def test_a_street_officer_of_the_other_district_gets_404(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.url(self.zhang)).status_code, 404)

    def test_a_role_that_may_reveal_sees_the_reveal_button(self):
        self.client.force_login(self.grace)
        self.assertContains(self.client.get(self.url(self.zhang)), "查看完整号码")

    def test_it_shows_the_tag_history_and_the_audit_trail(self):
        self.client.force_login(self.carol)
        r = self.client.get(self.url(self.zhang))
        self.assertContains(r, "社区矫正人员")
        self.assertContains(r, "resident.create")

    def test_the_query_count_is_bounded(self):
        self.client.force_login(self.carol)
        with self.assertNumQueries(19):  # 6 of them the other apps' sections: visits, cases (scope 2 + list 1 each)
            self.client.get(self.url(self.zhang))

    def test_the_page_is_never_cached(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get(self.url(self.zhang))["Cache-Control"], "no-store")
        self.assertNotIn(ZHANG_ID, self.client.get(self.url(self.zhang)).content.decode())


"""The territory page (/territory/<code>/): a node's children with their grids, grid workers and
cases in progress, in scope only."""

from django.contrib.contenttypes.models import ContentType

from disputes.models import Case
from governance.models import Region, RoleAssignment, User
from governance.roles import Role
from governance.tests.base import TerritoryTestCase, make_region, make_user


class RegionDetailTestCase(TerritoryTestCase):
    def test_it_requires_sign_in(self):
        r = self.client.get("/territory/210802001/")
        self.assertRedirects(r, "/login/?next=/territory/210802001/")

    def test_it_shows_the_street_with_its_communities_and_counts(self):
        self.client.force_login(self.alice)
        r = self.client.get("/territory/210802001/")
        self.assertContains(r, "八田地街道")
        self.assertContains(r, "五大门社区")
        self.assertContains(r, '<span class="kpi-value" data-testid="grid-total">2</span>', html=True)
        self.assertContains(r, '<span class="kpi-value" data-testid="worker-total">1</span>', html=True)
        self.assertEqual([row.grids for row in r.context["children"]], [2])
        self.assertEqual([row.workers for row in r.context["children"]], [1])

    def test_it_counts_a_worker_who_covers_two_grids_once(self):
        RoleAssignment.objects.create(user=self.carol, role=Role.GRID_WORKER, region=self.grid_a2)
        self.client.force_login(self.alice)
        r = self.client.get("/territory/210802001/")
        self.assertEqual(r.context["worker_total"], 1)
        r = self.client.get("/territory/210802001001/")
        self.assertEqual([row.workers for row in r.context["children"]], [1, 1])

    def test_it_returns_404_for_a_street_in_the_other_district(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/territory/210803001/").status_code, 404)

    def test_it_returns_404_for_the_district_above(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/territory/210802/").status_code, 404)

    def test_it_returns_404_for_a_code_that_does_not_exist(self):
        self.client.force_login(self.alice)
        r = self.client.get("/territory/999999/")
        self.assertEqual(r.status_code, 404)

    def test_it_shows_a_grid_worker_their_grid_and_not_the_next_one(self):
        self.client.force_login(self.carol)
        self.assertContains(self.client.get("/territory/210802001001001/"), "卡萝")
        self.assertEqual(self.client.get("/territory/210802001001002/").status_code, 404)
        self.assertEqual(self.client.get("/territory/210802001001/").status_code, 404)

    def test_it_names_ancestors_but_links_only_those_in_scope(self):
        self.client.force_login(self.alice)
        r = self.client.get("/territory/210802001001/")
        self.assertContains(r, '<a href="/territory/210802001/">八田地街道</a>', html=True)
        self.assertNotContains(r, 'href="/territory/210802/"')
        self.assertContains(r, "站前区")

    def test_it_flags_grids_without_a_worker(self):
        self.client.force_login(self.alice)
        r = self.client.get("/territory/210802001001/")
        self.assertContains(r, '<tr class="warn">', count=1)

    def test_the_city_leader_sees_both_districts(self):
        self.client.force_login(self.erin)
        r = self.client.get("/territory/2108/")
        self.assertContains(r, "站前区")
        self.assertContains(r, "西市区")

    def test_the_query_count_does_not_grow_with_the_number_of_children(self):
        ContentType.objects.get_for_model(Case)  # cached per process: warm it so both counts compare
        self.client.force_login(self.dave)
        with self.assertNumQueries(15):  # + open cases by child (scope's object grants: 2, the count: 1)
            self.client.get("/territory/210802/")
        for i in range(3, 13):
            street = make_region(f"210802{i:03d}", f"街道{i}", self.zhanqian)
            community = make_region(f"{street.code}001", f"社区{i}", street)
            grid = make_region(f"{community.code}001", f"网格{i}", community)
            make_user(f"w{i}", f"网格员{i}", Role.GRID_WORKER, grid)
        dave = User.objects.get(pk=self.dave.pk)
        self.client.force_login(dave)
        with self.assertNumQueries(15):  # + open cases by child (scope's object grants: 2, the count: 1)
            r = self.client.get("/territory/210802/")
        self.assertEqual(len(r.context["children"]), 12)
        self.assertEqual(Region.objects.filter(parent=self.zhanqian).count(), 12)


class RegionToDashboardTestCase(TerritoryTestCase):
    def test_the_territory_page_links_to_the_nodes_dashboard(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.get("/territory/210802001/"), 'href="/dashboard/210802001/"')

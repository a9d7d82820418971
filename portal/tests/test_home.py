"""The home page (/): each role lands where it works."""

from django.test import override_settings

from governance.models import RoleAssignment
from governance.roles import Role
from governance.tests.base import TerritoryTestCase, make_user


class HomeTestCase(TerritoryTestCase):
    def test_it_sends_anonymous_users_to_sign_in(self):
        self.assertRedirects(self.client.get("/"), "/login/?next=/")

    def test_a_street_officer_lands_on_their_streets_dashboard(self):
        self.client.force_login(self.alice)
        self.assertRedirects(self.client.get("/"), "/dashboard/210802001/")

    def test_a_district_centre_lands_on_their_districts_dashboard(self):
        self.client.force_login(self.dave)
        self.assertRedirects(self.client.get("/"), "/dashboard/210802/")

    def test_a_city_leader_and_an_admin_land_on_their_nodes_dashboard(self):
        for user, url in ((self.erin, "/dashboard/2108/"), (self.frank, "/dashboard/210803/")):
            self.client.force_login(user)
            self.assertRedirects(self.client.get("/"), url)

    def test_community_staff_and_the_party_secretary_land_on_their_communitys_dashboard(self):
        for role in (Role.COMMUNITY_STAFF, Role.PARTY_SECRETARY):
            user = make_user(f"u_{role}", "某人", role, self.wudamen)
            self.client.force_login(user)
            self.assertRedirects(self.client.get("/"), "/dashboard/210802001001/")

    def test_a_department_handler_lands_on_their_todo_and_a_mediator_on_the_mediation_desk(self):
        handler = make_user("handler", "处置人", Role.DEPT_HANDLER, self.batiandi, department=self.police_a)
        mediator = make_user("mediator", "调解员", Role.MEDIATOR, self.batiandi)
        for user, url in ((handler, "/cases/todo/"), (mediator, "/disputes/")):
            self.client.force_login(user)
            self.assertRedirects(self.client.get("/"), url)

    def test_a_grid_worker_lands_on_their_grids(self):
        self.client.force_login(self.carol)
        r = self.client.get("/", follow=True)
        self.assertEqual(r.redirect_chain[-1][0], "/grids/mine/")
        self.assertContains(r, "五大门社区第1网格")

    def test_a_user_with_roles_in_two_places_picks_one(self):
        RoleAssignment.objects.create(user=self.alice, role=Role.MEDIATOR, region=self.wutaizi)
        self.client.force_login(self.alice)
        r = self.client.get("/")
        self.assertContains(r, "八田地街道")
        self.assertContains(r, "五台子街道")
        self.assertContains(r, 'href="/dashboard/210802001/"')  # her street as a leader
        self.assertContains(r, 'href="/territory/210803001/"')  # the other as a mediator

    def test_a_user_without_roles_is_told_to_ask_an_admin(self):
        self.client.force_login(self.nobody)
        self.assertContains(self.client.get("/"), "您还没有被分配任何辖区")

    def test_the_header_names_the_users_roles(self):
        self.client.force_login(self.alice)
        r = self.client.get("/territory/210802001/")
        self.assertContains(r, "街道干部 · 八田地街道")


class InternetAssetsTestCase(TerritoryTestCase):
    @override_settings(DEBUG=False)
    def test_pages_load_no_asset_from_the_internet(self):
        self.client.force_login(self.alice)
        for url in ["/login/", "/territory/210802001/"]:
            body = self.client.get(url).content.decode()
            self.assertNotIn("http://", body.replace('xmlns="http://www.w3.org', ""))
            self.assertNotIn("https://", body)

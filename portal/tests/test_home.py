"""The home page (/): each role lands where it works."""

from django.test import override_settings

from governance.models import RoleAssignment
from governance.roles import Role
from governance.tests.base import TerritoryTestCase


class HomeTestCase(TerritoryTestCase):
    def test_it_sends_anonymous_users_to_sign_in(self):
        self.assertRedirects(self.client.get("/"), "/login/?next=/")

    def test_a_street_officer_lands_on_their_street(self):
        self.client.force_login(self.alice)
        self.assertRedirects(self.client.get("/"), "/territory/210802001/")

    def test_a_district_centre_lands_on_their_district(self):
        self.client.force_login(self.dave)
        self.assertRedirects(self.client.get("/"), "/territory/210802/")

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

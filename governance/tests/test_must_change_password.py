"""governance.middleware.PasswordChangeRequiredMiddleware: a user holding an issued password
reaches only the password-change page (and sign-out, language) until they set their own."""

from django.urls import reverse

from governance.models import User
from governance.tests.base import TerritoryTestCase


class MustChangePasswordTests(TerritoryTestCase):
    def setUp(self):
        User.objects.filter(pk=self.carol.pk).update(must_change_password=True)
        self.client.force_login(User.objects.get(pk=self.carol.pk))

    def test_every_page_sends_them_to_the_password_change(self):
        for url in (reverse("home"), reverse("grids:mine"), reverse("region", args=["210802001001001"]),
                    "/cases/", "/registers/residents/"):
            self.assertRedirects(self.client.get(url), reverse("password_change"), fetch_redirect_response=False)
        self.assertRedirects(self.client.post("/cases/new/"), reverse("password_change"),
                             fetch_redirect_response=False)

    def test_the_api_answers_403_instead_of_a_redirect(self):
        response = self.client.get("/api/registers/residents/")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json(), {"detail": "请先修改初始密码。"})

    def test_the_password_change_page_explains_why_and_hides_the_navigation(self):
        response = self.client.get(reverse("password_change"))
        self.assertContains(response, 'data-testid="must-change"')
        self.assertContains(response, "初始密码")
        self.assertNotContains(response, 'data-testid="mainnav"')
        self.assertNotContains(response, 'data-testid="tabbar"')

    def test_they_may_sign_out(self):
        response = self.client.post(reverse("logout"))
        self.assertRedirects(response, reverse("login"), fetch_redirect_response=False)

    def test_after_changing_the_password_every_page_opens_again(self):
        self.client.post(reverse("password_change"), {"old_password": "password", "new_password1": "Grid-2026-new",
                                                      "new_password2": "Grid-2026-new"})
        self.assertEqual(self.client.get(reverse("grids:mine")).status_code, 200)

    def test_others_are_not_held_up(self):
        self.client.force_login(self.alice)
        self.assertNotEqual(self.client.get(reverse("home"))["Location"], reverse("password_change"))

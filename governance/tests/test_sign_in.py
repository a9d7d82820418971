"""Signing in and out (/login/, /logout/): Django's views in Chinese, English on request."""

from governance.tests.base import TerritoryTestCase


class SignInTestCase(TerritoryTestCase):
    def test_the_sign_in_page_is_in_chinese(self):
        r = self.client.get("/login/")
        self.assertContains(r, '<html lang="zh-hans">')
        self.assertContains(r, "用户名")
        self.assertContains(r, "密码")

    def test_a_wrong_password_gets_a_chinese_message(self):
        r = self.client.post("/login/", {"username": "alice", "password": "wrong"})
        self.assertContains(r, "用户名或密码不正确", status_code=400)

    def test_signing_in_lands_on_the_home_page(self):
        r = self.client.post("/login/", {"username": "alice", "password": "password"})
        self.assertRedirects(r, "/", fetch_redirect_response=False)

    def test_signing_out_needs_a_post_and_ends_the_session(self):
        self.client.force_login(self.alice)
        r = self.client.post("/logout/")
        self.assertRedirects(r, "/login/")
        self.assertRedirects(self.client.get("/"), "/login/?next=/")

    def test_english_is_available(self):
        r = self.client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(r, "Sign in")
        self.assertContains(r, '<html lang="en">')

"""Password age: a chosen password older than PASSWORD_MAX_AGE_DAYS (90) must be replaced before
anything else opens (issued passwords: rosters/tests/test_issued_password_expiry.py)."""

from datetime import timedelta

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from governance.models import User
from governance.tests.base import TerritoryTestCase


def age(user: User, days: float, **fields) -> User:
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=days), **fields)
    return User.objects.get(pk=user.pk)


class PasswordExpiryTests(TerritoryTestCase):
    def test_a_password_older_than_90_days_sends_every_page_to_the_password_change(self):
        self.client.force_login(age(self.alice, 91))
        for url in (reverse("home"), "/cases/", "/registers/residents/"):
            self.assertRedirects(self.client.get(url), reverse("password_change"), fetch_redirect_response=False)
        self.assertContains(self.client.get(reverse("password_change")), 'data-testid="password-expired"')
        response = self.client.get("/api/registers/residents/")
        self.assertEqual((response.status_code, response.json()), (403, {"detail": "密码已过期，请先修改密码。"}))

    def test_a_password_of_89_days_is_still_good(self):
        self.client.force_login(age(self.alice, 89))
        self.assertNotEqual(self.client.get(reverse("home")).get("Location"), reverse("password_change"))

    def test_after_the_change_every_page_opens_again(self):
        self.client.force_login(age(self.alice, 91))
        self.client.post(reverse("password_change"), {"old_password": "password", "new_password1": "Grid-2026-new",
                                                      "new_password2": "Grid-2026-new"})
        self.assertEqual(self.client.get(reverse("home")).status_code, 302)  # home sends alice to her street
        self.assertNotEqual(self.client.get(reverse("home"))["Location"], reverse("password_change"))

    @override_settings(PASSWORD_MAX_AGE_DAYS=0)
    def test_an_age_of_0_days_turns_expiry_off(self):
        self.client.force_login(age(self.alice, 4000))
        self.assertNotEqual(self.client.get(reverse("home")).get("Location"), reverse("password_change"))

    @override_settings(PASSWORD_MAX_AGE_DAYS=30)
    def test_the_age_is_a_setting(self):
        self.client.force_login(age(self.alice, 31))
        self.assertRedirects(self.client.get(reverse("home")), reverse("password_change"), fetch_redirect_response=False)

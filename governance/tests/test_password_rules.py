"""The password rules (governance.passwords, AUTH_PASSWORD_VALIDATORS): at least 10 characters, three
of four character classes, not the username, not common, none of the last 5; in Chinese."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from governance.models import PasswordHistory, User
from governance.tests.base import TerritoryTestCase

GOOD = "Grid-2026-new"


class PasswordRulesTests(TerritoryTestCase):
    def refused(self, password: str, user=None) -> list[str]:
        with translation.override("zh-hans"):
            with self.assertRaises(ValidationError) as caught:
                validate_password(password, user or User(username="wangfang"))
            return [str(m) for m in caught.exception.messages]

    def test_a_password_of_nine_characters_is_refused(self):
        self.assertIn("密码长度太短。密码必须包含至少 10 个字符。", self.refused("Grid-2026"))

    def test_a_password_of_two_character_classes_is_refused(self):
        for password in ("20262026gridgov", "gridgov2026", "GRIDGOV2026X", "grid-gov-network"):
            self.assertIn("密码须包含大写字母、小写字母、数字、其他符号中的至少 3 类。", self.refused(password), password)

    def test_the_old_demo_password_and_the_one_from_the_issue_are_refused(self):
        self.refused("gridgov2026")
        self.refused("20262026")

    def test_a_password_containing_the_username_is_refused_in_any_case_or_backwards(self):
        for password in ("Wangfang-2026", "x-WANGFANG-9", "Gnafgnaw-2026"):
            self.assertIn("密码不能包含用户名。", self.refused(password), password)

    def test_a_common_password_is_refused(self):
        self.assertIn("这个密码太常见了。", self.refused("Password123"))  # three classes, 11 characters

    def test_a_good_password_passes(self):
        validate_password(GOOD, User(username="wangfang"))

    def test_none_of_the_last_five_passwords_may_be_used_again(self):
        user = self.alice
        passwords = [f"Grid-2026-n{i}" for i in range(6)]
        for p in passwords:
            user.set_password(p)
            user.save()
        self.assertEqual(PasswordHistory.objects.filter(user=user).count(), 5)  # only the last five are kept
        for p in passwords[1:]:
            self.assertIn("新密码不能与最近 5 次使用过的密码相同。", self.refused(p, user), p)
        validate_password(passwords[0], user)  # the sixth from last is allowed again

    @override_settings(AUTH_PASSWORD_VALIDATORS=[
        {"NAME": "governance.passwords.PasswordHistoryValidator", "OPTIONS": {"count": 5}}])
    def test_the_history_keeps_hashes_not_passwords(self):
        self.alice.set_password(GOOD)
        self.alice.save()
        stored = PasswordHistory.objects.get(user=self.alice).password
        self.assertNotIn(GOOD, stored)
        self.assertTrue(stored.startswith(("md5$", "pbkdf2_")))

    def test_the_password_change_page_applies_the_rules_with_a_400(self):
        self.client.force_login(self.alice)
        for new in ("short1A!", "alllowercaseletters", "Alice-2026-x", "password"):
            response = self.client.post(reverse("password_change"), {
                "old_password": "password", "new_password1": new, "new_password2": new})
            self.assertEqual(response.status_code, 400, new)
        response = self.client.post(reverse("password_change"), {
            "old_password": "password", "new_password1": GOOD, "new_password2": GOOD})
        self.assertRedirects(response, reverse("password_change_done"), fetch_redirect_response=False)

    def test_the_page_says_what_the_rules_are(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(reverse("password_change")), "至少 10 位")

    def test_changing_the_password_dates_it(self):
        before = User.objects.get(pk=self.alice.pk).password_changed_at
        self.client.force_login(self.alice)
        self.client.post(reverse("password_change"), {"old_password": "password", "new_password1": GOOD,
                                                      "new_password2": GOOD})
        self.assertGreater(User.objects.get(pk=self.alice.pk).password_changed_at, before)

"""/login/ with django-axes: five failures on one account, or from one address, lock it for the
cool-off with a Chinese message (429, the sign-in page); every failure and lockout is audited."""

from datetime import timedelta

from axes.models import AccessAttempt
from django.db.models import F
from django.test import override_settings

from governance.models import AuditEvent
from governance.tests.base import TerritoryTestCase


def from_address(n: int) -> dict:
    return {"REMOTE_ADDR": f"10.0.0.{n}"}


class LockoutTests(TerritoryTestCase):
    def fail(self, username: str, address: int = 1):
        return self.client.post("/login/", {"username": username, "password": "wrong-Password-1"},
                                **from_address(address))

    def sign_in(self, username: str, address: int = 1):
        return self.client.post("/login/", {"username": username, "password": "password"}, **from_address(address))

    def test_five_wrong_passwords_lock_the_account_even_from_many_addresses(self):
        for n in range(5):
            self.fail("alice", address=n + 1)
        response = self.sign_in("alice", address=99)  # the right password, from a new address
        self.assertEqual(response.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)
        # Another account from that address is not held up.
        self.assertRedirects(self.sign_in("bob", address=99), "/", fetch_redirect_response=False)

    def test_one_address_trying_five_accounts_is_locked_for_every_account(self):
        for username in ("u1", "u2", "u3", "u4", "u5"):
            self.fail(username, address=7)
        self.assertEqual(self.sign_in("alice", address=7).status_code, 429)
        self.assertRedirects(self.sign_in("alice", address=8), "/", fetch_redirect_response=False)

    def test_four_failures_do_not_lock(self):
        for n in range(4):
            self.fail("alice", address=n + 1)
        self.assertRedirects(self.sign_in("alice"), "/", fetch_redirect_response=False)

    def test_a_locked_out_sign_in_shows_the_sign_in_page_with_a_chinese_message(self):
        for _n in range(5):
            response = self.fail("alice")
        self.assertContains(response, "登录失败次数过多", status_code=429)
        self.assertContains(response, "30 分钟", status_code=429)
        self.assertContains(response, 'data-testid="locked-out"', status_code=429)
        self.assertContains(response, 'name="password"', status_code=429)

    def test_the_lock_ends_after_the_cool_off(self):
        for _n in range(5):
            self.fail("alice")
        self.assertEqual(self.sign_in("alice").status_code, 429)
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=31))
        self.assertRedirects(self.sign_in("alice"), "/", fetch_redirect_response=False)

    @override_settings(AXES_FAILURE_LIMIT=2)
    def test_the_limit_is_a_setting(self):
        self.fail("alice")
        self.fail("alice")
        self.assertEqual(self.sign_in("alice").status_code, 429)

    def test_failures_and_the_lockout_are_on_the_audit_trail(self):
        for _n in range(5):
            self.fail("alice", address=3)
        failed = AuditEvent.objects.filter(action="auth.sign_in.failed")
        self.assertEqual(failed.count(), 5)
        self.assertEqual(failed.first().detail["username"], "alice")
        self.assertEqual(failed.first().detail["address"], "10.0.0.3")
        self.assertEqual(failed.first().target_id, str(self.alice.pk))
        lockout = AuditEvent.objects.get(action="auth.lockout")
        self.assertEqual(lockout.detail["username"], "alice")

    def test_a_sign_in_and_a_sign_out_are_on_the_audit_trail(self):
        self.sign_in("alice", address=4)
        event = AuditEvent.objects.get(action="auth.sign_in")
        self.assertEqual((event.actor, event.detail["address"]), (self.alice, "10.0.0.4"))
        self.client.post("/logout/")
        self.assertEqual(AuditEvent.objects.get(action="auth.sign_out").detail["reason"], "user")

    def test_a_success_before_the_limit_clears_the_accounts_failures(self):
        for _n in range(4):
            self.fail("alice")
        self.sign_in("alice")
        self.client.post("/logout/")
        for _n in range(4):
            self.fail("alice")
        self.assertRedirects(self.sign_in("alice"), "/", fetch_redirect_response=False)

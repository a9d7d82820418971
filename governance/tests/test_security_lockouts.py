"""/security/lockouts/: a security administrator (Cap.MANAGE_SECURITY) lists what is locked and
lifts a lockout (audited); nobody else may see or use it."""

from axes.models import AccessAttempt
from django.core.cache import cache
from django.urls import reverse

from governance.jobs import STOPPED_CACHE_KEY
from governance.models import AuditEvent, RoleAssignment
from governance.roles import ROLE_CAPABILITIES, Cap, Role
from governance.tests.base import TerritoryTestCase, make_user

# The security administrator's role once it exists (三员分立), the admin's until then.
SECURITY_ROLE = next(r for r in (getattr(Role, "SECURITY_ADMIN", None), Role.ADMIN)
                     if r and Cap.MANAGE_SECURITY in ROLE_CAPABILITIES[r])
URL = reverse("security-lockouts")


class SecurityLockoutsTests(TerritoryTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.guard = make_user("guard", "安全员", SECURITY_ROLE, cls.city)

    def lock(self, username="alice", address="10.0.0.5"):
        for _n in range(5):
            self.client.post("/login/", {"username": username, "password": "wrong-Password-1"}, REMOTE_ADDR=address)

    def test_it_lists_a_locked_account_and_a_locked_address(self):
        self.lock("alice", "10.0.0.5")
        for n in range(5):
            self.client.post("/login/", {"username": f"x{n}", "password": "wrong"}, REMOTE_ADDR="10.9.9.9")
        self.client.force_login(self.guard)
        cache.set(STOPPED_CACHE_KEY, False)  # the header's heartbeat check is cached for a minute
        # session, user, roles and grants (4), the locked accounts, the locked addresses, unread notices
        with self.assertNumQueries(8):
            response = self.client.get(URL)
        self.assertContains(response, 'data-testid="lockout"', count=3)  # alice, 10.0.0.5, 10.9.9.9
        self.assertContains(response, "alice")
        self.assertContains(response, "10.9.9.9")

    def test_unlocking_an_account_lets_it_sign_in_again_and_is_audited(self):
        self.lock("alice", "10.0.0.5")
        self.client.force_login(self.guard)
        response = self.client.post(URL, {"kind": "account", "value": "alice"})
        self.assertRedirects(response, URL, fetch_redirect_response=False)
        event = AuditEvent.objects.get(action="auth.unlock")
        self.assertEqual((event.actor, event.target_id, event.detail["kind"]), (self.guard, str(self.alice.pk), "account"))
        self.client.post("/logout/")
        response = self.client.post("/login/", {"username": "alice", "password": "password"}, REMOTE_ADDR="10.0.0.6")
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_unlocking_an_address_clears_its_failures(self):
        self.lock("alice", "10.0.0.5")
        self.client.force_login(self.guard)
        self.client.post(URL, {"kind": "address", "value": "10.0.0.5"})
        self.assertFalse(AccessAttempt.objects.filter(ip_address="10.0.0.5").exists())

    def test_others_are_refused_the_page_and_the_unlock(self):
        self.lock()
        others = [self.bob, self.dave, self.nobody]  # (signing in as alice would clear her own failures)
        if SECURITY_ROLE != Role.ADMIN:
            others.append(self.frank)  # the system administrator is not the security administrator
        for user in others:
            self.client.force_login(user)
            self.assertEqual(self.client.get(URL).status_code, 403, user)
            self.assertEqual(self.client.post(URL, {"kind": "account", "value": "alice"}).status_code, 403, user)
        self.assertTrue(AccessAttempt.objects.filter(username="alice").exists())
        self.assertFalse(AuditEvent.objects.filter(action="auth.unlock").exists())

    def test_signed_out_visitors_are_sent_to_sign_in(self):
        self.assertRedirects(self.client.get(URL), f"/login/?next={URL}", fetch_redirect_response=False)

    def test_unlocking_nothing_is_a_400_with_a_message(self):
        self.client.force_login(self.guard)
        for data in ({}, {"kind": "account", "value": "nobody-locked"}, {"kind": "junk", "value": "x"}):
            response = self.client.post(URL, data)
            self.assertEqual(response.status_code, 400)
            self.assertContains(response, 'role="alert"', status_code=400)

    def test_a_role_without_the_capability_cannot_gain_it_by_holding_it_below(self):
        RoleAssignment.objects.create(user=self.nobody, role=Role.GRID_WORKER, region=self.grid_a)
        self.client.force_login(self.nobody)
        self.assertEqual(self.client.get(URL).status_code, 403)

"""governance.identity.SessionLimitsMiddleware: signed out after 30 minutes without a request and 8 hours
after signing in, told why on the sign-in page; optionally one session per account. The clock is moved
by moving the session's own timestamps back."""

from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse

from governance import identity
from governance.models import AuditEvent
from governance.tests.base import TerritoryTestCase

MINUTE = 60


class SessionLimitsTests(TerritoryTestCase):
    def setUp(self):
        self.client.post("/login/", {"username": "alice", "password": "password"})

    def back(self, key: str, seconds: float, client: Client | None = None) -> None:
        session = (client or self.client).session
        session[key] -= seconds
        session.save()

    def idle(self, minutes: float) -> None:
        self.back(identity.SEEN_AT, minutes * MINUTE)

    def test_31_minutes_without_a_request_sign_the_user_out_and_the_sign_in_page_says_why(self):
        self.idle(31)
        response = self.client.get("/cases/")
        self.assertRedirects(response, "/login/?next=%2Fcases%2F&signed_out=idle", fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)
        page = self.client.get(response["Location"])
        self.assertContains(page, 'data-testid="signed-out"')
        self.assertContains(page, "超过 30 分钟没有操作")
        self.assertEqual(AuditEvent.objects.get(action="auth.sign_out").detail["reason"], "idle")

    def test_29_minutes_are_fine_and_the_request_restarts_the_idle_clock(self):
        self.idle(29)
        self.assertEqual(self.client.get("/cases/").status_code, 200)
        self.idle(29)
        self.assertEqual(self.client.get("/cases/").status_code, 200)

    def test_a_request_within_the_minute_does_not_write_the_session(self):
        before = self.client.session[identity.SEEN_AT]
        self.client.get("/cases/")
        self.assertEqual(self.client.session[identity.SEEN_AT], before)

    @override_settings(SESSION_IDLE_MINUTES=10)
    def test_the_idle_time_is_a_setting(self):
        self.idle(11)
        self.assertEqual(self.client.get("/cases/").status_code, 302)

    def test_eight_hours_after_signing_in_the_session_ends_however_busy(self):
        self.back(identity.SIGNED_IN_AT, 8 * 3600 + MINUTE)
        response = self.client.get("/cases/")
        self.assertRedirects(response, "/login/?next=%2Fcases%2F&signed_out=expired", fetch_redirect_response=False)
        self.assertContains(self.client.get(response["Location"]), "8 小时上限")

    def test_seven_hours_are_fine(self):
        self.back(identity.SIGNED_IN_AT, 7 * 3600)
        self.assertEqual(self.client.get("/cases/").status_code, 200)

    def test_a_form_posted_after_the_idle_time_is_not_sent_again_after_signing_in(self):
        self.idle(31)
        self.assertRedirects(self.client.post("/cases/new/"), "/login/?signed_out=idle", fetch_redirect_response=False)

    def test_the_api_answers_401_with_the_reason(self):
        self.idle(31)
        response = self.client.get("/api/registers/residents/")
        self.assertEqual(response.status_code, 401)
        self.assertIn("30 分钟", response.json()["detail"])

    def test_two_sessions_of_one_account_live_side_by_side_by_default(self):
        other = Client()
        other.post("/login/", {"username": "alice", "password": "password"})
        self.assertEqual(self.client.get("/cases/").status_code, 200)
        self.assertEqual(other.get("/cases/").status_code, 200)

    @override_settings(ONE_SESSION_PER_ACCOUNT=True)
    def test_with_one_session_per_account_a_new_sign_in_ends_the_other(self):
        self.client.post("/logout/")
        self.client.post("/login/", {"username": "alice", "password": "password"})
        first_key = self.client.session.session_key
        other = Client()
        other.post("/login/", {"username": "alice", "password": "password"})
        self.assertFalse(Session.objects.filter(session_key=first_key).exists())
        self.assertEqual(other.get("/cases/").status_code, 200)
        response = self.client.get("/cases/")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))

    @override_settings(ONE_SESSION_PER_ACCOUNT=True)
    def test_with_one_session_per_account_a_stolen_copy_of_the_old_session_is_refused(self):
        # A cache-backed or copied session the store did not delete is still refused: it is not the latest.
        self.client.post("/logout/")
        self.client.post("/login/", {"username": "alice", "password": "password"})
        old = self.client.session
        old_data = old.load()
        Client().post("/login/", {"username": "alice", "password": "password"})
        Session.objects.create(session_key=old.session_key, session_data=old.encode(old_data),
                               expire_date=old.get_expiry_date())
        response = self.client.get("/cases/")
        self.assertRedirects(response, "/login/?next=%2Fcases%2F&signed_out=elsewhere", fetch_redirect_response=False)

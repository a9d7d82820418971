"""/login/verify/: with an authenticator enrolled, the password alone does not sign in; the code (or a
recovery code, once) does. Wrong codes count towards the account's lockout."""

from datetime import timedelta

from axes.models import AccessAttempt
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from governance import identity
from governance.models import AuditEvent
from governance.tests.base import TerritoryTestCase
from governance.tests.totp import give_authenticator, totp_code

URL = reverse("login-verify")


class SignInVerifyTests(TerritoryTestCase):
    def setUp(self):
        self.device = give_authenticator(self.alice)

    def password(self, next_url: str = ""):
        data = {"username": "alice", "password": "password"}
        if next_url:
            data["next"] = next_url
        return self.client.post("/login/", data)

    def test_the_password_alone_does_not_sign_in(self):
        self.assertRedirects(self.password(), URL, fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertRedirects(self.client.get("/cases/"), "/login/?next=/cases/", fetch_redirect_response=False)
        self.assertContains(self.client.get(URL), 'autocomplete="one-time-code"')

    def test_the_code_signs_in_and_goes_on_to_the_page_asked_for(self):
        self.password(next_url="/cases/")
        response = self.client.post(URL, {"token": totp_code(self.device.key)})
        self.assertRedirects(response, "/cases/", fetch_redirect_response=False)
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.alice.pk)
        self.assertEqual(self.client.session[DEVICE_ID_SESSION_KEY], self.device.persistent_id)
        self.assertTrue(AuditEvent.objects.get(action="auth.sign_in").detail["second_factor"])

    def test_a_wrong_code_is_a_400_and_an_audited_failure(self):
        self.password()
        wrong = f"{(int(totp_code(self.device.key)) + 1) % 1000000:06d}"
        response = self.client.post(URL, {"token": wrong})
        self.assertContains(response, "验证码不正确", status_code=400)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(AuditEvent.objects.get(action="auth.sign_in.failed").detail["step"], "otp")
        self.assertNotIn(wrong, AccessAttempt.objects.get(username="alice").post_data)  # not kept by axes

    def test_a_code_cannot_be_used_twice(self):
        code = totp_code(self.device.key)
        self.password()
        self.client.post(URL, {"token": code})
        self.client.post("/logout/")
        self.password()
        self.assertEqual(self.client.post(URL, {"token": code}).status_code, 400)

    def test_five_wrong_codes_lock_the_account(self):
        self.device.throttling_failure_count = 0
        for _n in range(5):
            self.password()
            self.client.post(URL, {"token": "000000"})
            self.device.refresh_from_db()
            self.device.throttle_reset()  # django-otp's own back-off aside: the lockout is axes'
        self.password()
        self.assertEqual(self.client.post(URL, {"token": totp_code(self.device.key)}).status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_recovery_code_signs_in_once(self):
        static = StaticDevice.objects.create(user=self.alice, name="恢复码")
        static.token_set.create(token="abcd2345")
        self.password()
        self.assertRedirects(self.client.post(URL, {"token": "ABCD 2345"}), "/", fetch_redirect_response=False)
        self.client.post("/logout/")
        self.password()
        self.assertEqual(self.client.post(URL, {"token": "abcd2345"}).status_code, 400)

    def test_the_code_must_follow_the_password_within_five_minutes(self):
        self.password()
        session = self.client.session
        session[identity.PENDING] = {**session[identity.PENDING],
                                     "at": session[identity.PENDING]["at"] - timedelta(minutes=6).total_seconds()}
        session.save()
        response = self.client.post(URL, {"token": totp_code(self.device.key)})
        self.assertRedirects(response, "/login/?signed_out=pending", fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_without_a_password_first_the_page_sends_to_sign_in(self):
        self.assertRedirects(self.client.get(URL), "/login/?signed_out=pending", fetch_redirect_response=False)

    def test_an_enrolled_admin_signs_in_with_the_code_and_is_not_sent_to_enrol(self):
        device = give_authenticator(self.frank)
        self.client.post("/login/", {"username": "frank", "password": "password"})
        self.client.post(URL, {"token": totp_code(device.key)})
        self.assertNotIn(identity.MUST_ENROL, self.client.session)
        self.assertEqual(self.client.get("/rosters/").status_code, 200)

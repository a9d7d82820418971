"""/account/two-factor/: any user sets up an authenticator app (QR code drawn on the server as SVG,
the key to type), confirms with a code and sees ten recovery codes once; every administrator's role
must, and is kept on this page after signing in until they have."""

from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from governance import identity
from governance.models import AuditEvent, User
from governance.roles import ADMIN_ROLES, TOTP_REQUIRED_ROLES, Role
from governance.tests.base import TerritoryTestCase
from governance.tests.totp import give_authenticator, totp_code

URL = reverse("totp-enrol")


class TwoFactorEnrolmentTests(TerritoryTestCase):
    def key(self) -> str:
        return self.client.session[identity.ENROL_KEY]

    def test_the_page_shows_a_qr_code_drawn_on_the_server_and_the_key_to_type(self):
        self.client.force_login(self.alice)
        response = self.client.get(URL)
        self.assertContains(response, '<svg width=')
        self.assertContains(response, 'data-testid="totp-key"')
        self.assertNotContains(response, "<script>")  # no inline script (CSP)
        self.assertNotContains(response, "style=")
        self.assertEqual(len(self.key()), 40)
        self.assertEqual(self.client.get(URL).context["key_text"], response.context["key_text"])  # same key on reload

    def test_a_wrong_code_enrols_nothing(self):
        self.client.force_login(self.alice)
        self.client.get(URL)
        wrong = f"{(int(totp_code(self.key())) + 1) % 1000000:06d}"
        response = self.client.post(URL, {"token": wrong})
        self.assertContains(response, "验证码不正确", status_code=400)
        self.assertFalse(TOTPDevice.objects.filter(user=self.alice).exists())

    def test_the_right_code_enrols_the_app_and_shows_ten_recovery_codes_once(self):
        self.client.force_login(self.alice)
        self.client.get(URL)
        key = self.key()
        response = self.client.post(URL, {"token": totp_code(key)})
        self.assertEqual(response.status_code, 200)
        codes = response.context["codes"]
        self.assertEqual(len(codes), 10)
        for code in codes:
            self.assertContains(response, code)
        device = TOTPDevice.objects.get(user=self.alice)
        self.assertEqual((device.key, device.confirmed), (key, True))
        self.assertEqual(set(StaticToken.objects.filter(device__user=self.alice).values_list("token", flat=True)),
                         set(codes))
        self.assertEqual(self.client.session[DEVICE_ID_SESSION_KEY], device.persistent_id)  # this session is verified
        self.assertEqual(AuditEvent.objects.get(action="otp.enrol").actor, self.alice)
        again = self.client.get(URL)
        self.assertContains(again, 'data-testid="enrolled"')
        for code in codes:
            self.assertNotContains(again, code)

    def test_enrolling_again_replaces_the_app_and_the_recovery_codes(self):
        give_authenticator(self.alice)
        StaticDevice.objects.create(user=self.alice, name="old").token_set.create(token="oldcode1")
        self.client.force_login(self.alice)
        self.client.get(URL)
        self.client.post(URL, {"token": totp_code(self.key())})
        self.assertEqual(TOTPDevice.objects.filter(user=self.alice).count(), 1)
        self.assertFalse(StaticToken.objects.filter(token="oldcode1").exists())

    def test_a_user_who_need_not_may_switch_it_off_with_the_password_and_an_admin_may_not(self):
        give_authenticator(self.alice)
        self.client.force_login(self.alice)
        self.client.post(URL, {"action": "remove", "password": "wrong"})
        self.assertTrue(TOTPDevice.objects.filter(user=self.alice).exists())
        self.client.post(URL, {"action": "remove", "password": "password"})
        self.assertFalse(TOTPDevice.objects.filter(user=self.alice).exists())
        self.assertEqual(AuditEvent.objects.get(action="otp.remove").actor, self.alice)
        give_authenticator(self.frank)
        self.client.force_login(self.frank)
        self.assertEqual(self.client.post(URL, {"action": "remove", "password": "password"}).status_code, 403)
        self.assertTrue(TOTPDevice.objects.filter(user=self.frank).exists())

    def test_signed_out_visitors_are_sent_to_sign_in(self):
        self.assertRedirects(self.client.get(URL), f"/login/?next={URL}", fetch_redirect_response=False)


class AdministratorsMustEnrolTests(TerritoryTestCase):
    def test_every_administrators_role_requires_the_second_factor(self):
        self.assertTrue(ADMIN_ROLES <= TOTP_REQUIRED_ROLES)
        self.assertTrue(identity.totp_required(self.frank))
        self.assertTrue(identity.totp_required(User(is_superuser=True)))
        self.assertFalse(any(identity.totp_required(u) for u in (self.alice, self.carol, self.dave, self.erin)))

    def test_an_admin_signing_in_without_it_is_kept_on_the_enrolment_page(self):
        response = self.client.post("/login/", {"username": "frank", "password": "password"})
        self.assertRedirects(response, URL, fetch_redirect_response=False)
        for url in (reverse("home"), "/rosters/", reverse("password_change")):
            self.assertRedirects(self.client.get(url), URL, fetch_redirect_response=False)
        api = self.client.get("/api/registers/residents/")
        self.assertEqual((api.status_code, api.json()), (403, {"detail": "请先设置两步验证。"}))
        page = self.client.get(URL)
        self.assertContains(page, 'data-testid="must-enrol"')
        self.assertNotContains(page, 'class="mainnav"><a')
        self.assertEqual(self.client.post("/logout/").status_code, 302)  # signing out is allowed

    def test_once_enrolled_the_admins_pages_open(self):
        self.client.post("/login/", {"username": "frank", "password": "password"})
        self.client.get(URL)
        self.client.post(URL, {"token": totp_code(self.client.session[identity.ENROL_KEY])})
        self.assertNotEqual(self.client.get(reverse("home")).get("Location"), URL)
        self.assertEqual(self.client.get("/rosters/").status_code, 200)

    def test_others_are_not_asked_to(self):
        response = self.client.post("/login/", {"username": "alice", "password": "password"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertNotIn(identity.MUST_ENROL, self.client.session)

    def test_an_admin_role_granted_to_a_user_makes_it_required_at_their_next_sign_in(self):
        self.nobody.role_assignments.create(role=Role.ADMIN, region=self.city)
        response = self.client.post("/login/", {"username": "nobody", "password": "password"})
        self.assertRedirects(response, URL, fetch_redirect_response=False)

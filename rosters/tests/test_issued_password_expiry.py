"""An issued (initial or reset) password never used signs in no more after ISSUED_PASSWORD_DAYS (7):
the sign-in page says so; issuing one starts its seven days."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from governance.models import User
from governance.tests.base import TerritoryTestCase
from governance.tests.test_password_expiry import age
from rosters.actions import do_issue_initial_passwords
from rosters.passwords import generate_password


class IssuedPasswordExpiryTests(TerritoryTestCase):
    def sign_in(self):
        return self.client.post("/login/", {"username": "carol", "password": "password"})

    def test_an_issued_password_unused_for_8_days_no_longer_signs_in(self):
        age(self.carol, 8, must_change_password=True)
        response = self.sign_in()
        self.assertContains(response, "初始密码超过 7 天未使用，已经失效", status_code=400)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_an_issued_password_of_6_days_signs_in_and_must_be_changed(self):
        age(self.carol, 6, must_change_password=True)
        self.assertRedirects(self.sign_in(), "/", fetch_redirect_response=False)
        self.assertRedirects(self.client.get("/"), reverse("password_change"), fetch_redirect_response=False)

    def test_issuing_a_password_starts_its_seven_days(self):
        age(self.bob, 30)
        worker = User.objects.create_user("13800000011", name="渔夫")  # as imported: no usable password
        worker.role_assignments.create(role="grid_worker", region=self.grid_b)
        age(worker, 30)
        [issued] = do_issue_initial_passwords(actor=self.frank, user_ids=[worker.pk], only_without_password=True)
        worker.refresh_from_db()
        self.assertTrue(worker.must_change_password)
        self.assertLess(timezone.now() - worker.password_changed_at, timedelta(minutes=1))
        response = self.client.post("/login/", {"username": worker.username, "password": issued.password})
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_issued_passwords_have_three_character_classes(self):
        from governance.passwords import character_classes

        self.assertTrue(all(character_classes(generate_password()) >= 3 for _n in range(200)))

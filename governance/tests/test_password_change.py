"""/password/change/: Django's password change, through do_change_own_password; bad input is a 400."""

from django.urls import reverse

from governance.models import AuditEvent, User
from governance.tests.base import TerritoryTestCase

URL = reverse("password_change")


class PasswordChangeTests(TerritoryTestCase):
    def change(self, user, old="password", new="Grid-2026-new", again=None):
        self.client.force_login(user)
        return self.client.post(URL, {"old_password": old, "new_password1": new, "new_password2": again or new})

    def test_it_changes_the_password_keeps_the_session_and_records_it(self):
        response = self.change(self.carol)
        self.assertRedirects(response, reverse("password_change_done"))
        carol = User.objects.get(pk=self.carol.pk)
        self.assertTrue(carol.check_password("Grid-2026-new"))
        self.assertEqual(self.client.get(reverse("password_change_done")).status_code, 200)  # still signed in
        event = AuditEvent.objects.get(action="user.password.change")
        self.assertEqual((event.actor, event.target_id, event.detail), (carol, str(carol.pk), {"initial": False}))

    def test_an_issued_password_is_no_longer_to_be_changed_once_changed(self):
        User.objects.filter(pk=self.carol.pk).update(must_change_password=True)
        self.change(self.carol)
        self.assertFalse(User.objects.get(pk=self.carol.pk).must_change_password)
        self.assertEqual(AuditEvent.objects.get(action="user.password.change").detail, {"initial": True})

    def test_a_wrong_current_password_is_a_400_with_a_chinese_message(self):
        response = self.change(self.carol, old="wrong")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "旧密码", status_code=400)
        self.assertTrue(User.objects.get(pk=self.carol.pk).check_password("password"))

    def test_the_new_password_must_differ_from_the_current_one(self):
        carol = User.objects.get(pk=self.carol.pk)
        carol.set_password("Grid-2026-old")
        carol.save()
        response = self.change(carol, old="Grid-2026-old", new="Grid-2026-old")
        self.assertContains(response, "新密码不能与当前密码相同", status_code=400)

    def test_a_short_or_mismatched_new_password_is_a_400(self):
        self.assertEqual(self.change(self.carol, new="abc").status_code, 400)
        self.assertEqual(self.change(self.carol, again="Grid-2026-other").status_code, 400)
        self.assertTrue(User.objects.get(pk=self.carol.pk).check_password("password"))

    def test_the_user_menu_links_here(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(reverse("home"), follow=True), URL)

    def test_anonymous_visitors_are_sent_to_sign_in(self):
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])

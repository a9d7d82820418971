from governance.models import AuditEvent
from parties.tests.base import ZHANG_ID, ZHANG_PHONE, RegisterTestCase


class ResidentRevealTestCase(RegisterTestCase):
    def url(self, r):
        return f"/registers/residents/{r.pk}/reveal/"

    def test_community_staff_reveal_one_record_and_the_reveal_is_recorded(self):
        self.client.force_login(self.grace)
        r = self.client.post(self.url(self.zhang))
        self.assertContains(r, ZHANG_ID)
        self.assertContains(r, ZHANG_PHONE)
        self.assertContains(r, "本次查看已记录")
        self.assertEqual(r["Cache-Control"], "no-store")
        event = AuditEvent.objects.get(action="pii.reveal")
        self.assertEqual((event.actor, event.target_id), (self.grace, str(self.zhang.pk)))
        # The next ordinary view is masked again.
        self.assertNotContains(self.client.get(f"/registers/residents/{self.zhang.pk}/"), ZHANG_ID)

    def test_a_street_officer_may_reveal_in_their_street(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.post(self.url(self.li)), "210802199001011235")

    def test_a_grid_worker_gets_403_and_nothing_is_recorded(self):
        self.client.force_login(self.carol)
        r = self.client.post(self.url(self.zhang))
        self.assertEqual(r.status_code, 403)
        self.assertNotIn(ZHANG_ID, r.content.decode())
        self.assertFalse(AuditEvent.objects.filter(action="pii.reveal").exists())

    def test_a_city_leader_may_read_but_not_reveal(self):
        self.client.force_login(self.erin)
        self.assertEqual(self.client.post(self.url(self.zhang)).status_code, 403)

    def test_outside_scope_is_404(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post(self.url(self.zhang)).status_code, 404)

    def test_a_get_is_refused(self):
        self.client.force_login(self.grace)
        self.assertEqual(self.client.get(self.url(self.zhang)).status_code, 405)
        self.assertFalse(AuditEvent.objects.filter(action="pii.reveal").exists())


class RevealedBirthDateTestCase(RegisterTestCase):
    def test_the_full_birth_date_shows_only_with_the_revealed_number(self):
        self.client.force_login(self.grace)
        page = self.client.get(f"/registers/residents/{self.zhang.pk}/")
        self.assertNotContains(page, "1949-12-31")
        self.assertContains(page, "1949")
        revealed = self.client.post(f"/registers/residents/{self.zhang.pk}/reveal/")
        self.assertContains(revealed, "1949-12-31")
        self.assertEqual(AuditEvent.objects.get(action="pii.reveal").detail["fields"], ["id_number", "phone", "birth_date"])

"""/disputes/<id>/parties/<id>/reveal/: the full ID number and phone, only with reveal_pii on the
dispute's grid, and every reveal is audited."""

from disputes.tests.dispute_base import DisputeTestCase
from governance.models import AuditEvent


class PartyRevealTestCase(DisputeTestCase):
    def setUp(self):
        self.d = self.dispute()
        self.applicant = self.d.parties.get(side="applicant")
        self.url = f"/disputes/{self.d.pk}/parties/{self.applicant.pk}/reveal/"

    def test_the_street_officer_sees_the_full_values_and_the_reveal_is_audited(self):
        self.client.force_login(self.alice)
        r = self.client.post(self.url)
        self.assertContains(r, "11010519491231002X")
        self.assertContains(r, "13812341234")
        self.assertContains(r, "139****1111")  # the other party stays masked
        self.assertEqual(r["Cache-Control"], "private, no-store")
        event = AuditEvent.objects.get(action="dispute.reveal_party")
        self.assertEqual((event.actor, event.target_id, event.region_code), (self.alice, str(self.applicant.pk),
                                                                             self.grid_a.code))

    def test_a_grid_worker_may_not_reveal(self):
        self.client.force_login(self.carol)
        r = self.client.post(self.url)
        self.assertEqual(r.status_code, 403)
        self.assertNotContains(r, "11010519491231002X", status_code=403)
        self.assertFalse(AuditEvent.objects.filter(action="dispute.reveal_party").exists())

    def test_the_other_district_gets_404(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post(self.url).status_code, 404)

    def test_a_party_of_another_dispute_gives_404(self):
        other = self.dispute()
        self.client.force_login(self.alice)
        url = f"/disputes/{other.pk}/parties/{self.applicant.pk}/reveal/"
        self.assertEqual(self.client.post(url).status_code, 404)

    def test_get_is_not_allowed(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url).status_code, 405)

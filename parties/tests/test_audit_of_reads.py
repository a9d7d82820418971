"""Every reveal, exact look-up and export of the registers leaves one audit row with its source
address, outcome and request (and an export its row count and region); a reveal refused is a
refused row. The rows are the audit administrator's: the resident's page shows none of them."""

from django.urls import reverse

from governance.models import AuditEvent, Outcome
from parties.tests.base import ZHANG_ID, RegisterTestCase


class AuditOfReadsTests(RegisterTestCase):
    def test_a_reveal_is_recorded_with_address_outcome_and_request(self):
        self.client.force_login(self.grace)
        self.client.post(f"/registers/residents/{self.zhang.pk}/reveal/", REMOTE_ADDR="10.8.0.7")
        event = AuditEvent.objects.get(action="pii.reveal")
        self.assertEqual((event.address, event.outcome, event.context["method"]), ("10.8.0.7", Outcome.SUCCESS, "POST"))

    def test_an_exact_look_up_is_recorded_with_its_address(self):
        self.client.force_login(self.grace)
        self.client.post(reverse("parties:residents"), {"id_number": ZHANG_ID}, REMOTE_ADDR="10.8.0.8")
        event = AuditEvent.objects.get(action="resident.lookup")
        self.assertEqual((event.address, event.detail["found"]), ("10.8.0.8", 1))
        self.assertNotIn(ZHANG_ID, str(event.detail))

    def test_an_export_is_recorded_with_its_row_count_and_region(self):
        self.client.force_login(self.carol)
        response = self.client.get(reverse("parties:resident-export"), REMOTE_ADDR="10.8.0.9")
        b"".join(response.streaming_content)
        event = AuditEvent.objects.get(action="resident.export")
        self.assertEqual((event.detail["rows"], event.region_code, event.address), (2, self.grid_a.code, "10.8.0.9"))

    def test_a_refused_reveal_is_a_refused_row(self):
        self.client.force_login(self.erin)  # a city leader reads the registers but may not reveal
        self.assertEqual(self.client.post(f"/registers/residents/{self.zhang.pk}/reveal/").status_code, 403)
        event = AuditEvent.objects.get(outcome=Outcome.REFUSED)
        self.assertEqual((event.actor, event.target_id), (self.erin, f"/registers/residents/{self.zhang.pk}/reveal/"))

    def test_the_residents_page_shows_no_read_of_it(self):
        self.client.force_login(self.grace)
        self.client.post(f"/registers/residents/{self.zhang.pk}/reveal/")
        page = self.client.get(f"/registers/residents/{self.zhang.pk}/")
        self.assertNotContains(page, "pii.reveal")
        self.assertNotContains(page, "127.0.0.1")

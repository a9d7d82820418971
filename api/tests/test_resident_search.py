"""POST /api/v1/residents/search/: an exact look-up by ID number or phone, audited and rate-limited."""

from api.tests.base import ApiTestCase
from governance.models import AuditEvent
from parties.tests.base import WANG_ID, ZHANG_ID

URL = "/api/v1/residents/search/"


class ResidentSearchApiTestCase(ApiTestCase):
    def test_a_look_up_finds_the_resident_in_scope_masked_and_is_audited(self):
        r = self.post(self.carol, URL, {"id_number": ZHANG_ID})
        self.assertEqual([row["name"] for row in r.json()["results"]], ["张三"])
        self.assertMasked(r.content.decode())
        event = AuditEvent.objects.get(action="resident.lookup")
        self.assertEqual(event.detail["source"], "api")
        self.assertNotIn(ZHANG_ID, str(event.detail))

    def test_a_resident_outside_the_scope_is_not_found(self):
        self.assertEqual(self.post(self.carol, URL, {"id_number": WANG_ID}).json(), {"results": [], "truncated": False})

    def test_a_look_up_without_a_number_is_a_400(self):
        self.assertError(self.post(self.carol, URL, {"name": "张"}), 400, "invalid")
        self.assertError(self.post(self.carol, URL, {"id_number": "123"}), 400, "invalid")

    def test_look_ups_past_the_limit_are_429_in_the_one_error_shape(self):
        with self.settings(PII_LOOKUPS_PER_MINUTE=2):
            for __ in range(2):
                self.post(self.alice, URL, {"id_number": ZHANG_ID})
            r = self.post(self.alice, URL, {"id_number": ZHANG_ID})
        self.assertError(r, 429, "throttled")
        self.assertIn("Retry-After", r)

"""POST /api/v1/residents/{id}/reveal/ and /api/v1/units/{id}/reveal/: the plain values, audited,
for REVEAL_PII on the record's grid only."""

from api.tests.base import ApiTestCase
from governance.models import AuditEvent
from parties.tests.base import SHOP_PHONE, ZHANG_ID, ZHANG_PHONE


class RevealApiTestCase(ApiTestCase):
    def test_a_community_staff_member_reveals_a_resident_and_it_is_audited(self):
        r = self.post(self.grace, f"/api/v1/residents/{self.zhang.pk}/reveal/")
        self.assertEqual(r.json(), {"id_number": ZHANG_ID, "phone": ZHANG_PHONE, "birth_date": "1949-12-31"})
        self.assertEqual(r["Cache-Control"], "private, no-store")
        event = AuditEvent.objects.get(action="pii.reveal")
        self.assertEqual((event.actor, event.target_id), (self.grace, str(self.zhang.pk)))

    def test_a_grid_worker_may_not_reveal_403_and_nothing_is_audited(self):
        self.assertError(self.post(self.carol, f"/api/v1/residents/{self.zhang.pk}/reveal/"), 403, "permission_denied")
        self.assertFalse(AuditEvent.objects.filter(action="pii.reveal").exists())

    def test_a_resident_outside_the_scope_is_404(self):
        self.assertError(self.post(self.grace, f"/api/v1/residents/{self.wang.pk}/reveal/"), 404)

    def test_a_unit_phone_is_revealed_the_same_way(self):
        self.assertEqual(self.post(self.grace, f"/api/v1/units/{self.shop.pk}/reveal/").json(), {"phone": SHOP_PHONE})
        self.assertError(self.post(self.carol, f"/api/v1/units/{self.shop.pk}/reveal/"), 403)
        self.assertError(self.post(self.grace, f"/api/v1/units/{self.shop_b.pk}/reveal/"), 404)

    def test_a_reveal_is_a_post_only(self):
        self.assertError(self.get(self.grace, f"/api/v1/residents/{self.zhang.pk}/reveal/"), 405, "method_not_allowed")

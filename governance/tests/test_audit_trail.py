"""安全审计 (GB/T 22239-2019 8.1.4.3): every audit row says who, when, from which address, what, on
which record, with what outcome, in which request — record_audit reads the request from the audit
context that AuditContextMiddleware sets, so no caller passes it; refused requests and every request
a superuser makes are recorded too."""

from django.test import override_settings
from django.urls import reverse

from governance.actions import record_audit
from governance.audit.context import audit_context
from governance.models import AuditEvent, Outcome, User
from governance.tests.base import TerritoryTestCase


class AuditContextTests(TerritoryTestCase):
    def test_a_row_written_in_a_request_has_its_source_address_and_request(self):
        self.client.force_login(self.alice)
        self.client.post(reverse("password_change"), {"old_password": "password", "new_password1": "Gx7!pq2-Wm9z",
                                                      "new_password2": "Gx7!pq2-Wm9z"}, REMOTE_ADDR="10.20.30.40")
        event = AuditEvent.objects.get(action="user.password.change")
        self.assertEqual((event.actor, event.address, event.outcome), (self.alice, "10.20.30.40", Outcome.SUCCESS))
        self.assertEqual((event.context["method"], event.context["path"], event.context["via"]),
                         ("POST", "/password/change/", "web"))
        self.assertEqual(len(event.context["request_id"]), 32)

    @override_settings(TRUSTED_PROXIES=1)
    def test_behind_the_reverse_proxy_the_address_the_proxy_saw_is_recorded_not_what_the_client_wrote(self):
        self.client.force_login(self.alice)
        self.client.get("/audit/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 172.16.5.4")
        self.assertEqual(AuditEvent.objects.get(action="request.refused").address, "172.16.5.4")

    def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(self):
        self.client.force_login(self.alice)
        self.client.get("/audit/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
        self.assertEqual(AuditEvent.objects.get(action="request.refused").address, "10.0.0.1")

    def test_a_row_written_outside_a_request_has_no_address_and_says_where_it_came_from(self):
        with audit_context(via="command", command="x"):
            event = record_audit(actor=None, action="test.command", target=self.city)
        self.assertIsNone(event.address)
        self.assertEqual(event.context["via"], "command")
        self.assertIsNone(record_audit(actor=None, action="test.bare", target=self.city).address)

    def test_the_old_signature_still_works_and_a_target_may_be_named_without_a_model(self):
        event = record_audit(actor=self.alice, action="region.x", target=self.city, region_code="2108", detail={"a": 1})
        self.assertEqual((event.target_type, event.target_id, event.outcome), ("governance.region", "2108", "success"))
        event = record_audit(actor=None, action="auth.failed", target_type="username", target_id="mallory",
                             outcome=Outcome.FAILED)
        self.assertEqual((event.target_type, event.target_id, event.outcome), ("username", "mallory", "failed"))


class RefusedAndSuperuserRequestTests(TerritoryTestCase):
    def test_a_refused_request_is_recorded_with_who_where_and_the_status(self):
        self.client.force_login(self.carol)
        response = self.client.get(reverse("system-status"), REMOTE_ADDR="192.168.1.9")
        self.assertEqual(response.status_code, 403)
        event = AuditEvent.objects.get(action="request.refused")
        self.assertEqual((event.actor, event.outcome, event.address, event.target_id, event.detail["status"]),
                         (self.carol, Outcome.REFUSED, "192.168.1.9", "/system/", 403))

    def test_a_not_found_is_not_recorded(self):
        self.client.force_login(self.carol)
        self.client.get("/no-such-page/")
        self.assertFalse(AuditEvent.objects.exclude(action__startswith="auth.").exists())

    def test_every_request_a_superuser_makes_is_recorded(self):
        root = User.objects.create_superuser("root", password="password", name="超级管理员")
        self.client.force_login(root)
        self.assertEqual(self.client.get("/admin/governance/region/").status_code, 200)
        self.client.get("/")
        events = list(AuditEvent.objects.filter(actor=root, action="superuser.request").order_by("id"))
        self.assertEqual([e.target_id for e in events], ["/admin/governance/region/", "/"])
        self.assertEqual(events[0].address, "127.0.0.1")

    def test_an_ordinary_read_leaves_no_row(self):
        self.client.force_login(self.alice)
        self.client.get("/")
        self.assertFalse(AuditEvent.objects.exclude(action__startswith="auth.").exists())

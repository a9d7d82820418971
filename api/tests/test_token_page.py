"""/api/tokens/: the security administrator issues and revokes tokens for the accounts in their scope."""

from api.tests.base import ApiTestCase
from governance.actions import do_issue_api_token
from governance.models import ApiToken, AuditEvent


class TokenPageTestCase(ApiTestCase):
    def test_an_admin_issues_a_token_shown_once(self):
        self.client.force_login(self.sol)
        r = self.client.post("/api/tokens/", {"username": "henry", "name": "网格通", "days": "30"})
        self.assertEqual(r.status_code, 200)
        token = r.context["issued"]["token"]
        self.assertContains(r, token)
        self.assertEqual(r["Cache-Control"], "no-store")
        self.assertNotContains(self.client.get("/api/tokens/"), token)
        self.assertEqual(self.client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}").json()["username"], "henry")

    def test_an_account_outside_the_admins_scope_is_refused(self):
        self.client.force_login(self.sol)
        self.assertEqual(self.client.post("/api/tokens/", {"username": "carol"}).status_code, 400)
        self.assertFalse(ApiToken.objects.exists())

    def test_a_user_who_manages_nobody_gets_403(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/api/tokens/").status_code, 403)

    def test_an_admin_revokes_a_token_and_another_admin_cannot_see_it(self):
        row = self._issue()
        self.client.force_login(self.sol)
        self.assertContains(self.client.get("/api/tokens/"), f"ggt_{row.prefix}")
        self.assertEqual(self.client.post(f"/api/tokens/{row.pk}/revoke/").status_code, 302)
        row.refresh_from_db()
        self.assertIsNotNone(row.revoked_at)
        self.assertEqual(AuditEvent.objects.get(action="api_token.revoke").actor, self.sol)

    def test_a_token_outside_the_scope_is_404_to_revoke(self):
        row = self._issue(user=self.carol)
        self.client.force_login(self.sol)
        self.assertEqual(self.client.post(f"/api/tokens/{row.pk}/revoke/").status_code, 404)

    def _issue(self, user=None):
        return do_issue_api_token(actor=None, user=user or self.henry)[0]

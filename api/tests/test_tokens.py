"""The token lifecycle: issue (command, action), use (last_used_at, one audit row a minute), revoke."""

import io
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from api.tests.base import ApiTestCase
from governance import tokens
from governance.actions import do_issue_api_token, do_record_api_token_use, do_revoke_api_token
from governance.models import ApiToken, AuditEvent, User


class TokenLifecycleTestCase(ApiTestCase):
    def test_the_command_prints_the_token_on_its_last_line_and_stores_only_its_digest(self):
        out = io.StringIO()
        call_command("issue_api_token", "carol", "--name", "网格通", stdout=out, stderr=io.StringIO())
        token = out.getvalue().strip().splitlines()[-1]
        self.assertTrue(token.startswith("ggt_"))
        row = ApiToken.objects.get(user=self.carol)
        self.assertEqual(row.digest, tokens.digest(token))
        self.assertFalse(ApiToken.objects.filter(digest__contains=token.split("_")[-1]).exists())
        self.assertNotIn(token, str(list(AuditEvent.objects.values_list("detail", flat=True))))
        self.assertEqual(AuditEvent.objects.get(action="api_token.issue").detail["prefix"], row.prefix)
        r = self.client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
        self.assertEqual(r.json()["username"], "carol")

    def test_the_command_refuses_an_unknown_user(self):
        with self.assertRaises(CommandError):
            call_command("issue_api_token", "ghost", stdout=io.StringIO(), stderr=io.StringIO())

    def test_each_use_keeps_last_used_at_and_one_audit_row_per_minute(self):
        row, token = do_issue_api_token(actor=None, user=self.alice)
        for __ in range(3):
            self.assertEqual(self.client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code, 200)
        row.refresh_from_db()
        self.assertIsNotNone(row.last_used_at)
        uses = AuditEvent.objects.filter(action="api_token.use", target_id=str(row.pk))
        self.assertEqual(uses.count(), 1)
        self.assertEqual((uses[0].actor, uses[0].detail["path"]), (self.alice, "/api/v1/me/"))
        self.assertTrue(do_record_api_token_use(token=row, method="GET", path="/x/", now=timezone.now() + timedelta(minutes=2)))
        self.assertEqual(uses.count(), 2)

    def test_a_revoked_expired_or_wrong_token_is_401(self):
        row, token = do_issue_api_token(actor=None, user=self.alice)
        do_revoke_api_token(actor=None, token=row)
        self.assertError(self.client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}"), 401, "authentication_failed")
        self.assertEqual(AuditEvent.objects.filter(action="api_token.revoke").count(), 1)
        row2, token2 = do_issue_api_token(actor=None, user=self.alice, expires_at=timezone.now() + timedelta(seconds=1))
        ApiToken.objects.filter(pk=row2.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        self.assertError(self.client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token2}"), 401)
        self.assertError(self.client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer ggt_nope_nope"), 401)
        self.assertError(self.client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer"), 401)

    def test_a_deactivated_account_s_token_is_401(self):
        token = self.token_for(self.carol)
        self.carol.is_active = False
        self.carol.save()
        self.assertError(self.client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}"), 401)

    def test_the_security_administrator_issues_only_for_accounts_in_their_scope(self):
        self.assertEqual(do_issue_api_token(actor=self.sol, user=self.henry)[0].created_by, self.sol)
        for outsider in (self.carol, self.nobody):
            with self.assertRaises(PermissionDenied):
                do_issue_api_token(actor=self.sol, user=outsider)
        with self.assertRaises(PermissionDenied):
            do_issue_api_token(actor=self.frank, user=self.henry)  # the system administrator issues none
        with self.assertRaises(PermissionDenied):
            do_issue_api_token(actor=self.alice, user=self.carol)  # a street officer manages no users


class TokenSecondFactorTestCase(ApiTestCase):
    def test_an_administrators_account_gets_no_token_it_must_sign_in_with_its_second_factor(self):
        from django.core.exceptions import ValidationError

        for admin in (self.frank, User.objects.create_superuser("root", password="x")):
            with self.assertRaises(ValidationError):
                do_issue_api_token(actor=None, user=admin)
        self.assertFalse(ApiToken.objects.exists())

    def test_a_token_stops_working_once_its_account_becomes_an_administrator(self):
        from governance.models import RoleAssignment
        from governance.roles import Role

        token = self.token_for(self.henry)
        RoleAssignment.objects.create(user=self.henry, role=Role.ADMIN, region=self.xishi)
        self.assertError(self.client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}"), 401)

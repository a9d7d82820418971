"""The named territory with registers (parties.tests.base) and cases (disputes.tests.base), and
API tokens for its users."""

from __future__ import annotations

from django.core.cache import cache

from disputes.tests.base import CaseTestCase
from governance.actions import do_issue_api_token
from parties.tests.base import RegisterTestCase


class ApiHelpers:
    """Token-authenticated requests and the error-shape assertion, for any TestCase."""

    def setUp(self) -> None:
        super().setUp()
        cache.clear()  # throttle counters start afresh

    @staticmethod
    def token_for(user) -> str:
        return do_issue_api_token(actor=None, user=user, name="test")[1]

    def as_(self, user) -> dict:
        """Request headers that authenticate as `user` by a token (one per user and test)."""
        tokens = self.__dict__.setdefault("_tokens", {})
        if user.pk not in tokens:
            tokens[user.pk] = self.token_for(user)
        return {"HTTP_AUTHORIZATION": f"Bearer {tokens[user.pk]}"}

    def warm(self, user) -> dict:
        """Headers for `user` whose token was used this minute already (its use is written down),
        so that a query count sees the request alone."""
        headers = self.as_(user)
        self.client.get("/api/v1/me/", **headers)
        return headers

    def get(self, user, url: str, data=None, **extra):
        return self.client.get(url, data, **self.as_(user), **extra)

    def post(self, user, url: str, data=None, **extra):
        extra.setdefault("content_type", "application/json")
        return self.client.post(url, data or {}, **self.as_(user), **extra)

    def assertError(self, response, status: int, code: str | None = None) -> dict:
        self.assertEqual(response.status_code, status, response.content[:500])
        body = response.json()["error"]
        self.assertEqual(set(body), {"code", "message", "fields"})
        self.assertTrue(body["message"])
        if code:
            self.assertEqual(body["code"], code)
        return body


class ApiTestCase(ApiHelpers, CaseTestCase, RegisterTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        from governance.roles import Role
        from governance.tests.base import make_user

        # API tokens are the security administrator's (三员分立): sol, of 西市区.
        cls.sol = make_user("sol", "索尔", Role.SECURITY_ADMIN, cls.xishi)

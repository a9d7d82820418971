"""Throttles per user and per token: past the rate, 429 in the one error shape with Retry-After."""

import copy

from django.conf import settings

from api.tests.base import ApiTestCase


def rates(user: str, token: str) -> dict:
    framework = copy.deepcopy(settings.REST_FRAMEWORK)
    framework["DEFAULT_THROTTLE_RATES"] = {"api_user": user, "api_token": token}
    return framework


class ThrottlingTestCase(ApiTestCase):
    def test_a_token_past_its_rate_is_429(self):
        headers = self.as_(self.alice)
        with self.settings(REST_FRAMEWORK=rates("100/min", "3/min")):
            statuses = [self.client.get("/api/v1/me/", **headers).status_code for __ in range(4)]
            self.assertEqual(statuses, [200, 200, 200, 429])
            r = self.client.get("/api/v1/me/", **headers)
            self.assertError(r, 429, "throttled")
            self.assertIn("Retry-After", r)
            other = {"HTTP_AUTHORIZATION": f"Bearer {self.token_for(self.alice)}"}
            self.assertEqual(self.client.get("/api/v1/me/", **other).status_code, 200)  # another token of hers

    def test_a_user_past_the_users_rate_is_429_whatever_the_token_or_session(self):
        with self.settings(REST_FRAMEWORK=rates("2/min", "100/min")):
            self.assertEqual(self.get(self.carol, "/api/v1/me/").status_code, 200)
            self.client.force_login(self.carol)
            self.assertEqual(self.client.get("/api/v1/me/").status_code, 200)
            self.assertError(self.client.get("/api/v1/me/"), 429, "throttled")
            self.assertEqual(self.get(self.alice, "/api/v1/me/").status_code, 200)

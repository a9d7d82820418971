"""Throttles of /api/v1/ on the cache (Redis in production): one budget per user (session or
token alike) and one per token. Rates: settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
("api_user", "api_token"; GRIDGOV_API_USER_RATE / GRIDGOV_API_TOKEN_RATE). Past it, 429 in the
API's one error shape with Retry-After."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from governance.models import ApiToken


class _Rates(SimpleRateThrottle):
    def get_rate(self):  # read at each request, so that a test (or a reload) may change it
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)


class UserThrottle(_Rates):
    scope = "api_user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": "anon-" + self.get_ident(request)}
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class TokenThrottle(_Rates):
    scope = "api_token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None  # session requests: the user's budget only
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}

"""Per-user API tokens: `Authorization: Bearer ggt_…` (or `Token ggt_…`). Only the SHA-256 of a
token is stored (governance.tokens); a revoked or expired token, or one of a deactivated
account, is refused with 401. Each use is written down by governance.actions.do_record_api_token_use
(last_used_at, and one audit row per token per minute)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from governance.actions import API_TOKEN_USE_EVERY, do_record_api_token_use
from governance.roles import TOTP_REQUIRED_ROLES
from governance.scope import role_assignments
from governance.tokens import find_token

KEYWORDS = ("bearer", "token")


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode("latin-1") not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确。"))
        try:
            presented = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确。")) from None
        return authenticate_token(presented, request.method, request.path)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


def authenticate_token(presented: str, method: str, path: str):
    """(user, token row) for a presented token, or AuthenticationFailed; records the use."""
    token = find_token(presented)
    if token is None or not token.is_active or not token.user.is_active:
        raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已吊销。"))
    # An administrator's account signs in with its second factor, never by token (one issued before the
    # role was granted stops working). The roles are the scope's own query, loaded once per request.
    if token.user.is_superuser or any(a.role in TOTP_REQUIRED_ROLES for a in role_assignments(token.user)):
        raise exceptions.AuthenticationFailed(_("管理员账号不能使用 API 令牌。"))
    if token.last_used_at is None or timezone.now() - token.last_used_at >= API_TOKEN_USE_EVERY:
        do_record_api_token_use(token=token, method=method, path=path)  # once a minute: no write otherwise
    return token.user, token


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "API 令牌：管理员在 /api/tokens/ 签发，或 `python manage.py issue_api_token 用户名`。"}

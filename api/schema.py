"""drf-spectacular's hooks: the schema at /api/v1/schema/ describes /api/v1/ only, and every
operation lists the error bodies it may answer (api.errors: one shape)."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from api.errors import ErrorSerializer

PREFIX = "/api/v1/"


def only_v1(endpoints):
    return [e for e in endpoints if e[0].startswith(PREFIX)]


ERRORS = {
    "400": "输入有误（字段错误见 fields）",
    "401": "未登录或令牌无效",
    "403": "在该辖区没有此权限",
    "404": "不存在或不在您的辖区内",
    "409": "版本已过期（他人已更新，请刷新后重试）或系统繁忙",
    "429": "请求过于频繁（见 Retry-After）",
}


class ApiSchema(AutoSchema):
    """Adds the error responses: 401 and 429 on every operation, 403 and 404 too (a refusal, or
    outside the scope), 400 where there is input (a body or query filters), 409 on writes."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        wanted = ["400", "401", "403", "404", "429"]
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            wanted.append("409")
        for code in wanted:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(response=ErrorSerializer, description=ERRORS[code]), code
                )
        return responses

"""The request an audit row is written in: a contextvar that AuditContextMiddleware sets for every
request (and `audit_context()` for commands and tasks), read by record_audit, so no caller passes it."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar

from django.http import HttpRequest

from governance.addresses import client_address

_current: ContextVar[dict | None] = ContextVar("gridgov_audit_context", default=None)


def current() -> dict:
    """{"address": …, "request_id": …, "via": "web" | "api" | "admin" | "command" | "task", "method": …, "path": …}."""
    return _current.get() or {}


def from_request(request: HttpRequest) -> dict:
    path = request.path_info
    via = "api" if path.startswith("/api/") else "admin" if path.startswith("/admin/") else "web"
    return {
        "address": client_address(request),
        "request_id": uuid.uuid4().hex,
        "via": via,
        "method": request.method,
        "path": path[:200],  # never the query string: it could hold what someone searched for
        "user_agent": request.headers.get("user-agent", "")[:200],
    }


@contextlib.contextmanager
def audit_context(**values) -> Iterator[dict]:
    """Set the context for a block (a management command, a Celery task, a request)."""
    values.setdefault("request_id", uuid.uuid4().hex)
    token = _current.set(values)
    try:
        yield values
    finally:
        _current.reset(token)

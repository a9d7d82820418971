"""The client's address, as lockouts (django-axes) and the audit trail both see it: one definition."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or with TRUSTED_PROXIES (GRIDGOV_TRUSTED_PROXIES) proxies in front of the app, the
    address the outermost trusted proxy saw (X-Forwarded-For counted from the right, so a client
    cannot choose it); normalised, and None when there is none or it is not an address."""
    address = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None

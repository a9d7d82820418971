"""Exact look-ups by ID number or phone: the rate limit, and the token that carries a look-up in a URL.

A look-up through the blind index answers "is this number registered (in my scope)?". Guessing a
masked number means asking that many times, so each user may ask at most
settings.PII_LOOKUPS_PER_MINUTE times a minute (Django's cache, shared by every page and the API),
and every look-up leaves an audit row (parties.actions.do_look_up).

No ID number or phone goes into a URL (access logs, browser history, Referer): the search form is
POSTed, and the page it redirects to carries `q`, an opaque token — the blind indexes and the masked
values, encrypted and bound to the user (AES-GCM, parties.pii) — so paging and the export link keep
the search without repeating the number.
"""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from governance.models import User
from parties import pii

TOKEN_MAX_AGE = 8 * 3600  # a working day, as the session


class TooManyLookups(Exception):
    """More exact look-ups than the user's per-minute limit: HTTP 429."""

    def __init__(self, limit: int, retry_after: int):
        self.limit, self.retry_after = limit, retry_after
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return _("按身份证号或电话精确查找过于频繁：每分钟最多 %(limit)s 次，请 %(seconds)s 秒后再试。") % {
            "limit": self.limit, "seconds": self.retry_after}


class BadSearchToken(Exception):
    """A `q` that is not ours, not the user's, or too old: HTTP 400."""


def take(user: User) -> None:
    """Count one exact look-up by `user`; raise TooManyLookups past the limit.

    A sliding window over two one-minute counters: the previous minute's count weighs as much as
    the share of it still inside the last 60 seconds. A fixed window would let 2 × the limit
    through around a minute's turn (and made the limit depend on where a burst fell)."""
    limit = settings.PII_LOOKUPS_PER_MINUTE
    now = time.time()
    window, elapsed = int(now // 60), now % 60
    key = f"gridgov:pii-lookups:{user.pk}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    previous = cache.get(f"gridgov:pii-lookups:{user.pk}:{window - 1}", 0)
    if previous * (60 - elapsed) / 60 + count > limit:
        raise TooManyLookups(limit, max(1, 60 - int(elapsed)))


def _aad(user: User) -> bytes:
    return pii.aad("parties.residentsearch", "q", user.pk)


def search_token(user: User, hashes: dict[str, str], masks: dict[str, str]) -> str:
    """An opaque `q` for the URL: the look-up's blind indexes (and masked values, to show what was looked up)."""
    payload = {"t": int(time.time()), "h": hashes, "m": masks}
    return pii.encrypt(json.dumps(payload, separators=(",", ":")), aad=_aad(user))


def read_search_token(user: User, token: str) -> tuple[dict[str, str], dict[str, str]]:
    """(hashes, masks) of a `q` made for `user`; BadSearchToken otherwise."""
    if len(token) > 1000 or not token.startswith(pii.TOKEN_PREFIX):
        raise BadSearchToken
    try:
        payload = json.loads(pii.decrypt(token, aad=_aad(user)))
        issued, hashes, masks = int(payload["t"]), dict(payload["h"]), dict(payload["m"])
    except (ValueError, KeyError, TypeError):
        raise BadSearchToken from None
    if not 0 <= time.time() - issued <= TOKEN_MAX_AGE:
        raise BadSearchToken
    return hashes, masks

"""Locks for background work that must not run twice at once (a periodic job, one import job).

PostgreSQL: a session-level advisory lock, held by the worker's connection, so the database itself
releases it when the worker dies (SIGKILL included): a job whose lock is free has no live runner.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache
from django.db import connection


def advisory_key(name: str) -> int:
    """The 64-bit key of PostgreSQL's advisory lock called `name`."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


@contextmanager
def run_alone(name: str, timeout: int = 3600) -> Iterator[bool]:
    """Yields True when this process holds the lock called `name`, False when another run holds it.

    PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`), released at the end, or by
    the database when the worker's connection dies. Elsewhere: the cache's atomic `add` (Redis in
    production, shared by every worker), with a timeout so that a killed worker's lock lapses."""
    if connection.vendor == "postgresql":
        key = advisory_key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            mine = cursor.fetchone()[0]
        try:
            yield mine
        finally:
            if mine:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    token = uuid.uuid4().hex
    mine = cache.add(f"lock:{name}", token, timeout)
    try:
        yield mine
    finally:
        if mine and cache.get(f"lock:{name}") == token:
            cache.delete(f"lock:{name}")

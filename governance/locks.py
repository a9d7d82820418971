"""Locks for background work that must not run twice at once (a periodic job, one import job).

PostgreSQL: a session-level advisory lock, held by the worker's connection, so the database itself
releases it when the worker dies (SIGKILL included): a job whose lock is free has no live runner.
Hence `send_again_running`: a starting worker sends every job left running again, and the lock sorts
the live ones from those whose worker died.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from celery import Task
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet


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


def send_again_running(running: QuerySet, task: Task) -> int:
    """Send `task` again with the id of every job in `running` (those left RUNNING), as a worker starts
    (sooner than the broker gives a dead worker's message back). Safe for a job still running: `task`
    holds the job's lock (run_alone) for its whole run, so the second message for a live job returns at
    once, and one whose worker died is taken up. How many were sent."""
    ids = list(running.values_list("pk", flat=True))
    for pk in ids:
        task.delay(pk)
    return len(ids)

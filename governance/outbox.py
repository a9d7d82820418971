"""Tasks queued by a write: a transactional outbox, so that a page never fails, and no work is lost,
because Redis (the broker) is down.

How a write queues a task: `later(task)(*args)` inside the action's transaction writes an
OutboxTask row — committed with the write, or rolled back with it — and, once the transaction has
committed, sends the task to the broker once (no retries, a 2 s connect timeout:
CELERY_BROKER_CONNECTION_TIMEOUT) and deletes the row. If the broker cannot be reached, the row
stays and the page answers as usual; the relay (`relay`, run by governance.tasks.relay_outbox every
30 s on beat and whenever a worker starts) sends every row older than RELAY_AFTER seconds once the
broker is back, oldest first.

Why an outbox rather than retrying the send in the request: the user's write is committed before
the send, so a request that gave up, or a process that died right after the commit, would lose the
task (an import confirmed but never run). The row is in the same transaction as the write, so the
task exists exactly when the write does.

At least once, never lost — and so possibly twice (a process dying between the broker taking the
task and the row's delete; a relay and a slow sender at once): every task queued this way is
idempotent (README "Faults"). The task's id is the outbox row's ("outbox-<id>"), so both sends of
one row are recognisably the same task in the logs.

With tasks inline (no REDIS_URL, the tests' SQLite pass), sending runs the task at once, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from governance.models import OutboxTask

log = logging.getLogger(__name__)

RELAY_AFTER = 10  # seconds: younger rows are left to the process that wrote them
RELAY_BATCH = 500


def later(task) -> Callable[..., OutboxTask]:
    """A function that queues `task` (a Celery task) with its (JSON) arguments as part of the current
    transaction; the actions that start a background job are handed it (e.g. `later(run_import_job)`)."""

    def enqueue(*args, **kwargs) -> OutboxTask:
        return enqueue_task(task, *args, **kwargs)

    enqueue.task = task
    return enqueue


def enqueue_task(task, *args, **kwargs) -> OutboxTask:
    """Write the outbox row for `task(*args, **kwargs)` now, and send it once the transaction commits."""
    row = OutboxTask.objects.create(task=task.name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: send(row, task))
    return row


def _broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError as KombuOperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (KombuOperationalError, RedisConnectionError, RedisTimeoutError, OSError)


def send(row: OutboxTask, task=None) -> bool:
    """Hand one outbox row to the broker and delete it; False (the row kept, its failure counted) when
    the broker cannot be reached."""
    from governance.celery import app

    task = task or _task(app, row.task)
    if app.conf.task_always_eager:
        # Inline: "sending" runs the task here and now; its errors are the caller's, as for .delay().
        OutboxTask.objects.filter(pk=row.pk).delete()
        task.apply_async(args=row.args, kwargs=row.kwargs, task_id=f"outbox-{row.pk}")
        return True
    try:
        # ignore_result: nobody waits on an outbox task's result (its progress is in the database), and
        # asking for one would subscribe to the result backend (Redis again) on every send.
        task.apply_async(args=row.args, kwargs=row.kwargs, task_id=f"outbox-{row.pk}", retry=False, ignore_result=True)
    except _broker_errors() as error:
        OutboxTask.objects.filter(pk=row.pk).update(
            attempts=row.attempts + 1, last_error=f"{type(error).__name__}: {error}"[:300])
        log.warning("broker unreachable: %s #%s stays in the outbox (%s: %s)", row.task, row.pk,
                    type(error).__name__, error)
        return False
    OutboxTask.objects.filter(pk=row.pk).delete()
    return True


def _task(app, name: str):
    if name not in app.tasks:
        app.loader.import_default_modules()  # the apps' tasks modules (a web process may not have them yet)
    return app.tasks[name]


def relay(older_than: int = RELAY_AFTER, limit: int = RELAY_BATCH) -> dict[str, int]:
    """Send the outbox rows older than `older_than` seconds, oldest first; stop at the first the broker
    refuses (it is down: the next run tries again). Rows another relay is sending are skipped."""
    cutoff = timezone.now() - timedelta(seconds=older_than)
    sent = 0
    with transaction.atomic():
        rows = list(OutboxTask.objects.select_for_update(skip_locked=True).filter(created_at__lte=cutoff)
                    .order_by("created_at", "id")[:limit])
        for row in rows:
            if not send(row):
                break
            sent += 1
    left = OutboxTask.objects.count()
    if sent:
        log.warning("outbox relay sent %s task(s); %s left", sent, left)
    return {"sent": sent, "left": left}

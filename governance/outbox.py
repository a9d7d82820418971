"""Tasks queued by a write: a transactional outbox, so that a page never fails, and no work is lost,
because Redis (the broker) is down.

How a write queues a task: `later(task)(*args)` inside the action's transaction writes an
OutboxTask row — committed with the write, or rolled back with it — and, once the transaction has
committed, sends the task to the broker once (no retries, a 2 s connect timeout:
CELERY_BROKER_CONNECTION_TIMEOUT; for BROKER_RETRY_AFTER seconds after a refusal, not even that) and
marks the row sent. If the broker cannot be reached, the row
stays unsent and the page answers as usual. A worker deletes the row when it has run the task
(governance.celery, task_postrun). The relay (`relay`: governance.tasks.relay_outbox, every 30 s on
beat and whenever a worker starts) sends, oldest first,
- every row not sent and older than RELAY_AFTER seconds (younger ones are their writer's to send);
- every row sent more than RESEND_AFTER seconds ago and still not run: the broker lost it (a Redis
  restarted without its append-only file) — or it is still waiting in a long queue, and then the
  second copy finds its work done (below).

Why an outbox rather than retrying the send in the request: the user's write is committed before
the send, so a request that gave up, or a process that died right after the commit, would lose the
task (an import confirmed but never run). The row is in the same transaction as the write, so the
task exists exactly when the write does.

At least once, never lost — and so possibly twice: every task queued this way is idempotent (each
takes its job's lock and does nothing for a job done or running elsewhere; README "Faults"). The
task's id is the row's ("outbox-<id>"), so both sends of one row are recognisably one task in the logs.

With tasks inline (no REDIS_URL, the tests' SQLite pass), sending runs the task at once, as before.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from governance.models import OutboxTask

log = logging.getLogger(__name__)

RELAY_AFTER = 10  # seconds: an unsent row younger than this is left to the process that wrote it
RESEND_AFTER = 15 * 60  # seconds: a row sent this long ago and not run was lost by the broker
RELAY_BATCH = 500
TASK_ID_PREFIX = "outbox-"
# After the broker refused a send, this process leaves its next sends to the relay for this many
# seconds instead of trying (a second try against a dead Redis waits out the 2 s connect timeout).
BROKER_RETRY_AFTER = 5.0
_broker_down_until = 0.0


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
    """Hand one outbox row to the broker and mark it sent; False (the row left unsent, its failure
    counted) when the broker cannot be reached."""
    # The current app is gridgov's (governance/__init__.py loads governance.celery first); naming it
    # through celery keeps this module below governance.celery, whose task_postrun handler calls task_ran.
    from celery import current_app as app

    task = task or _task(app, row.task)
    task_id = f"{TASK_ID_PREFIX}{row.pk}"
    if app.conf.task_always_eager:
        # Inline: "sending" runs the task here and now; its errors are the caller's, as for .delay().
        OutboxTask.objects.filter(pk=row.pk).delete()
        task.apply_async(args=row.args, kwargs=row.kwargs, task_id=task_id)
        return True
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return False  # refused a moment ago: the row waits for the relay
    try:
        # ignore_result: nobody waits on an outbox task's result (its progress is in the database), and
        # asking for one would subscribe to the result backend (Redis again) on every send.
        task.apply_async(args=row.args, kwargs=row.kwargs, task_id=task_id, retry=False, ignore_result=True)
    except _broker_errors() as error:
        OutboxTask.objects.filter(pk=row.pk).update(
            attempts=row.attempts + 1, last_error=f"{type(error).__name__}: {error}"[:300])
        log.warning("broker unreachable: %s #%s stays in the outbox (%s: %s)", row.task, row.pk,
                    type(error).__name__, error)
        _broker_down_until = time.monotonic() + BROKER_RETRY_AFTER
        return False
    OutboxTask.objects.filter(pk=row.pk).update(sent_at=timezone.now())
    return True


def task_ran(task_id: str | None) -> None:
    """A worker has run (or failed) the task: its outbox row, if it came from one, is done with."""
    if task_id and task_id.startswith(TASK_ID_PREFIX) and task_id[len(TASK_ID_PREFIX):].isdigit():
        OutboxTask.objects.filter(pk=int(task_id[len(TASK_ID_PREFIX):])).delete()


def _task(app, name: str):
    if name not in app.tasks:
        app.loader.import_default_modules()  # the apps' tasks modules (a web process may not have them yet)
    return app.tasks[name]


def due(now=None, older_than: int = RELAY_AFTER, resend_after: int = RESEND_AFTER):
    now = now or timezone.now()
    return OutboxTask.objects.filter(
        Q(sent_at__isnull=True, created_at__lte=now - timedelta(seconds=older_than))
        | Q(sent_at__lte=now - timedelta(seconds=resend_after))
    )


def relay(older_than: int = RELAY_AFTER, resend_after: int = RESEND_AFTER, limit: int = RELAY_BATCH) -> dict[str, int]:
    """Send the outbox rows that are due (see the module's docstring), oldest first; stop at the first
    the broker refuses (it is down: the next run tries again). Rows another relay holds are skipped."""
    sent = 0
    with transaction.atomic():
        rows = list(due(older_than=older_than, resend_after=resend_after).select_for_update(skip_locked=True)
                    .order_by("created_at", "id")[:limit])
        for row in rows:
            if not send(row):
                break
            sent += 1
    left = OutboxTask.objects.filter(sent_at__isnull=True).count()
    if sent:
        log.warning("outbox relay sent %s task(s); %s not sent yet", sent, left)
    return {"sent": sent, "unsent": left}

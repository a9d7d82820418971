import socket

from celery import shared_task

from governance.models import WorkerHeartbeat


@shared_task
def heartbeat() -> int:
    """Proves the worker reaches the database; the system page shows the last beat."""
    return WorkerHeartbeat.objects.create(hostname=socket.gethostname()).pk


@shared_task
def relay_outbox() -> dict[str, int]:
    """Every 30 s, and when a worker starts: send the tasks that writes queued while the broker was
    unreachable (governance.outbox)."""
    from governance.outbox import relay

    return relay()


@shared_task
def archive_audit_trail() -> int:
    """Daily: audit rows older than the retention period (≥ 180 days) exported to a compressed file
    with the chain's head hash, then deleted (governance.audit.retention); the archiving is audited."""
    from governance.audit.context import audit_context
    from governance.audit.retention import archive_expired

    with audit_context(via="task", task="governance.tasks.archive_audit_trail"):
        return archive_expired().rows

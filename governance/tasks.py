import socket

from celery import shared_task

from governance.models import WorkerHeartbeat


@shared_task
def heartbeat() -> int:
    """Proves the worker reaches the database; the system page shows the last beat."""
    return WorkerHeartbeat.objects.create(hostname=socket.gethostname()).pk

import pytest

from governance.models import WorkerHeartbeat
from governance.tasks import heartbeat


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_writes_a_heartbeat_to_the_database(celery_worker_process):
    result = heartbeat.delay()
    pk = result.get(timeout=30)
    assert WorkerHeartbeat.objects.filter(pk=pk).exists()

import pytest

from governance.models import PeriodicJob, WorkerHeartbeat
from governance.tasks import heartbeat


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_writes_a_heartbeat_to_the_database(celery_worker_process):
    result = heartbeat.delay()
    pk = result.get(timeout=30)
    assert WorkerHeartbeat.objects.filter(pk=pk).exists()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_periodic_task_run_by_the_worker_is_recorded_with_its_outcome(celery_worker_process):
    heartbeat.delay().get(timeout=30)
    job = PeriodicJob.objects.get(name="governance.tasks.heartbeat")
    assert job.last_succeeded is True
    assert job.last_started_at <= job.last_finished_at

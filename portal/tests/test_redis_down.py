"""Redis stopped under the app (gunicorn and a worker on a private redis-server of their own): pages
answer 200, a case filed meanwhile is stored, an export requested meanwhile waits in the outbox and
runs once Redis is back — once, with its outbox row gone. Real processes on PostgreSQL + Redis
(skipped on the SQLite pass: tasks run inline there, with no broker to stop)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from disputes.models import Case, Category, ExportJob
from governance.models import OutboxTask
from governance.roles import Role
from governance.tests.base import make_territory, make_user
from portal.tests.faults import REPO, PrivateRedis, Web, Worker, database_url_of_tests, needs_real_services, wait_for


@pytest.fixture
def app_on_private_redis():
    needs_real_services()
    redis = PrivateRedis()
    redis.start()
    queue = f"fault-{uuid.uuid4().hex[:8]}"
    worker = web = None
    try:
        worker = Worker("redis-down", queue, redis_url=redis.url)
        web = Web(database_url_of_tests(), redis.url, env={"CELERY_QUEUE": queue, "GRIDGOV_EXPORT_INLINE_ROWS": "0"})
        yield web, redis, queue
    finally:
        for part in (web, worker):
            if part is not None:
                part.stop()
        redis.stop()


def beat_sends_the_relay(redis_url: str, queue: str) -> None:
    """What beat does every 30 s: send governance.tasks.relay_outbox (here at once, from a process of its own)."""
    subprocess.run([sys.executable, "-m", "celery", "-A", "governance", "call", "governance.tasks.relay_outbox"],
                   cwd=REPO, env=dict(os.environ, REDIS_URL=redis_url, CELERY_QUEUE=queue, DATABASE_URL=database_url_of_tests()),
                   check=True, capture_output=True, timeout=60)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_pages_work_a_case_is_filed_and_the_queued_export_runs_once_redis_is_back(app_on_private_redis):
    web, redis, queue = app_on_private_redis
    *_, street, _community, grid = make_territory()
    carol = make_user("carol", "网格员", Role.GRID_WORKER, grid)
    officer = make_user("officer", "街道干部", Role.STREET_OFFICER, street)
    category = Category.objects.create(code="04", name="消防")

    redis.stop()
    web.sign_in(carol)  # sessions are in the database
    assert web.get("/").status_code in (200, 302)
    assert web.get("/cases/").status_code == 200
    form = {"category": category.pk, "grid": grid.code, "urgency": "normal", "title": "楼道堆物",
            "description": "3号楼楼道堆放纸箱。", "address": "3号楼"}
    assert web.post("/cases/new/", form).status_code == 302
    assert Case.objects.filter(title="楼道堆物").count() == 1

    web.sign_in(officer)
    assert web.get("/cases/").status_code == 200
    assert web.get("/api/v1/me/").status_code == 200  # throttled through the cache: counted in memory meanwhile
    r = web.get("/cases/export.xlsx?format=csv")
    assert r.status_code == 302, r.text[:500]
    job = ExportJob.objects.get()
    row = OutboxTask.objects.get()
    assert (job.status, row.task, row.args, row.sent_at) == (ExportJob.Status.QUEUED, "disputes.tasks.exports.write_case_export",
                                                             [job.pk], None)
    assert row.attempts == 1 and row.last_error

    redis.start()  # back, empty (no persistence): what it held before is gone, the outbox is not
    OutboxTask.objects.update(created_at=timezone.now() - timedelta(minutes=1))  # the outage lasted a minute
    beat_sends_the_relay(redis.url, queue)
    wait_for(lambda: ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).exists(), 60,
             "the export queued during the outage to run")
    job.refresh_from_db()
    assert (job.total, job.processed) == (1, 1)
    wait_for(lambda: not OutboxTask.objects.exists(), 10, "the outbox row to go once the task ran")
    job.file.delete(save=False)

"""A Celery worker killed (SIGKILL) in the middle of a task: after a new worker starts, the task
completes, and its work is done exactly once — the monthly report cycle writes one snapshot per
node, a roster import writes every row once, no batch twice. Real processes on PostgreSQL + Redis
(skipped on the SQLite pass, where tasks run inline and there is no worker to kill)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from governance.models import AuditEvent, User
from governance.roles import Role
from governance.tests.base import make_territory, make_user
from portal.tests.faults import Worker, needs_real_services, wait_for
from reports import tasks as report_tasks
from reports.models import CycleRun, Snapshot
from reports.periods import Kind, last_complete
from rosters.models import ImportJob, WrittenBatch
from rosters.tasks import run_import_job
from rosters.tests.helpers import csv_bytes

# Redis gives a dead worker's unacknowledged task to another after this many seconds (2 h in production:
# settings.CELERY_BROKER_TRANSPORT_OPTIONS); the new worker looks every 10 s.
FAST_REDELIVERY = {"GRIDGOV_CELERY_VISIBILITY_TIMEOUT": "2"}


@pytest.fixture
def workers():
    needs_real_services()
    started: list[Worker] = []
    queue = f"fault-{uuid.uuid4().hex[:8]}"  # this test's own: the session's worker takes nothing of it

    def start(name: str, **kwargs) -> Worker:
        worker = Worker(name, queue, **kwargs)
        started.append(worker)
        return worker

    start.queue = queue
    yield start
    for worker in started:
        worker.stop()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_monthly_cycle_leaves_nothing_and_the_next_one_writes_one_snapshot_per_node(workers):
    nodes = make_territory()
    period = last_complete(Kind.MONTH).code
    first = workers("cycle-a", fault="cycle", env=FAST_REDELIVERY)
    report_tasks.run_cycle.apply_async(args=[period], queue=workers.queue)
    first.wait_until_stopped_at_fault()  # figures computed, inside the cycle's transaction
    first.kill()
    assert not Snapshot.objects.filter(period=period).exists()  # its transaction died with it

    workers("cycle-b", env=FAST_REDELIVERY)  # Redis gives it the task the dead worker held
    run = wait_for(lambda: CycleRun.objects.filter(period=period, root="", finished_at__isnull=False).first(), 60,
                   "the cycle to complete on the new worker")
    snapshots = list(Snapshot.objects.filter(period=period).values_list("node_id", flat=True))
    assert sorted(snapshots) == sorted(node.code for node in nodes)  # one per node, none twice
    assert run.counts["created"] == len(nodes)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_roster_import_is_resumed_by_the_next_one_and_writes_each_row_once(workers):
    city, district, street, community, grid = make_territory()
    admin = make_user("fault-admin", "管理员", Role.ADMIN, district)
    rows = [["姓名", "手机号", "网格编码"]] + [[f"网格员{i}", f"137{i:08d}", grid.code] for i in range(1500)]
    make_user("13700000018", "别处的人")  # file row 20, in a batch written before the kill: an account of nobody's scope
    job = ImportJob(kind="grid_workers", region=district, created_by=admin, original_name="w.csv",
                    phase=ImportJob.Phase.WRITE)
    job.file.save("w.csv", ContentFile(csv_bytes(rows)), save=True)
    batches = {"GRIDGOV_FAULT_BATCH_SIZE": "500", **FAST_REDELIVERY}  # three batches: 2–501, 502–1001, 1002–1501
    try:
        first = workers("import-a", fault="batch:3", env=batches)
        run_import_job.apply_async(args=[job.pk], queue=workers.queue)
        first.wait_until_stopped_at_fault()  # two batches committed, the third not begun
        first.kill()
        job.refresh_from_db()
        assert job.status == ImportJob.Status.RUNNING
        assert WrittenBatch.objects.filter(job=job).count() == 2

        workers("import-b", env=batches)  # resumes the job left running (rosters.tasks.resume_orphaned_jobs)
        wait_for(lambda: ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.DONE).exists(), 60,
                 "the import to finish on the new worker")
        job.refresh_from_db()
        assert job.counts == {"new": 1499, "updated": 0, "unchanged": 0, "bad": 1}
        # Refused by the batch written before the kill: still in the error file of the resumed run.
        assert [(b["row"], b["code"]) for b in job.bad_rows] == [(20, "out_of_scope")]
        assert job.error_file
        assert User.objects.filter(username__startswith="137", role_assignments__role=Role.GRID_WORKER).count() == 1499
        assert list(WrittenBatch.objects.filter(job=job).values_list("first_row", flat=True)) == [2, 502, 1002]
        assert AuditEvent.objects.filter(action="roster.import.grid_workers").count() == 3  # no batch twice
    finally:
        Path(job.file.path).unlink(missing_ok=True)
        job.refresh_from_db()
        job.error_file.delete(save=False)

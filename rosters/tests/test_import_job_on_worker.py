"""The dry run and the import of an uploaded file run as a Celery task (a real worker on PostgreSQL+Redis)."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from governance.models import Region, User
from governance.roles import Level, Role
from rosters.models import ImportJob
from rosters.tasks import run_import_job
from rosters.tests.helpers import csv_bytes


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_dry_run_then_the_import_and_reports_progress(celery_worker_process, settings):
    city = Region.objects.create(code="2108", name="营口市", level=Level.CITY)
    district = Region.objects.create(code="210803", name="西市区", level=Level.DISTRICT, parent=city)
    street = Region.objects.create(code="210803001", name="五台子街道", level=Level.STREET, parent=district)
    community = Region.objects.create(code="210803001001", name="渔市社区", level=Level.COMMUNITY, parent=street)
    Region.objects.create(code="210803001001001", name="渔市社区第1网格", level=Level.GRID, parent=community,
                          grid_type="comprehensive")
    admin = User.objects.create_user("worker-admin", password="x", name="管理员")
    admin.role_assignments.create(role=Role.ADMIN, region=district)
    rows = [["姓名", "手机号", "网格编码"]] + [[f"网格员{i}", f"138{i:08d}", "210803001001001"] for i in range(2500)]
    job = ImportJob(kind="grid_workers", region=district, created_by=admin, original_name="w.csv")
    job.file.save("w.csv", ContentFile(csv_bytes(rows)), save=True)
    try:
        assert run_import_job.delay(job.pk).get(timeout=60) == ImportJob.Status.CHECKED
        job.refresh_from_db()
        assert job.dry_counts == {"new": 2500, "updated": 0, "unchanged": 0, "bad": 0}
        assert job.processed == 2500
        assert not User.objects.filter(username="13800000001").exists()
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED, phase=ImportJob.Phase.WRITE)
        assert run_import_job.delay(job.pk).get(timeout=60) == ImportJob.Status.DONE
        job.refresh_from_db()
        assert job.counts["new"] == 2500
        assert User.objects.filter(role_assignments__role=Role.GRID_WORKER).count() == 2500
    finally:
        Path(job.file.path).unlink(missing_ok=True)

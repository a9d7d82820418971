"""/cases/export.xlsx above CASE_EXPORT_INLINE_ROWS: a background job with a progress page, a download
for its requester only, audited, kept CASE_EXPORT_KEEP_HOURS; CSV too; bounded queries."""

import io
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from disputes.models import ExportJob
from disputes.tasks.exports import purge_expired_exports, resume_orphaned_exports
from disputes.tests.base import CaseTestCase
from governance.models import AuditEvent
from governance.tests.spreadsheets import csv_formulas


def xlsx_rows(content: bytes):
    return [list(r) for r in load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True)]


@override_settings(CASE_EXPORT_INLINE_ROWS=2)
class CaseExportJobTestCase(CaseTestCase):
    def setUp(self):
        super().setUp()
        from governance.celery import app

        eager = app.conf.task_always_eager  # the job runs in this process here (a real worker: below)
        app.conf.task_always_eager = True
        self.addCleanup(setattr, app.conf, "task_always_eager", eager)

    def big_export(self, query=""):
        for i in range(3):
            self.file(title=f"事件{i}")
        self.client.force_login(self.alice)
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.get(f"/cases/export.xlsx{query}")
        job = ExportJob.objects.get()
        self.assertRedirects(r, f"/cases/exports/{job.pk}/", fetch_redirect_response=False)
        job.refresh_from_db()
        return job

    def test_a_big_export_runs_in_the_background_and_its_page_offers_the_download(self):
        job = self.big_export("?status=reported")
        self.assertEqual((job.status, job.total, job.processed), (ExportJob.Status.DONE, 3, 3))
        self.assertEqual(job.filters, {"status": "reported"})
        page = self.client.get(f"/cases/exports/{job.pk}/")
        self.assertContains(page, f"/cases/exports/{job.pk}/download/")
        r = self.client.get(f"/cases/exports/{job.pk}/download/")
        rows = xlsx_rows(b"".join(r.streaming_content))
        self.assertEqual(sorted(row[1] for row in rows[1:]), ["事件0", "事件1", "事件2"])

    def test_the_export_is_audited_with_its_rows_region_and_filters(self):
        job = self.big_export("?status=reported")
        self.client.get(f"/cases/exports/{job.pk}/download/")
        audit = {a.action: a for a in AuditEvent.objects.filter(action__startswith="case.export")}
        self.assertEqual(set(audit), {"case.export.request", "case.export", "case.export.download"})
        self.assertEqual(audit["case.export"].detail["rows"], 3)
        self.assertEqual(audit["case.export"].detail["filters"], {"status": "reported"})
        self.assertEqual(audit["case.export"].region_code, self.batiandi.code)

    def test_someone_else_cannot_see_or_download_the_export(self):
        job = self.big_export()
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get(f"/cases/exports/{job.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/cases/exports/{job.pk}/download/").status_code, 404)

    def test_the_file_is_deleted_when_its_time_is_up_and_the_page_says_so(self):
        job = self.big_export()
        storage, name = job.file.storage, job.file.name
        self.assertTrue(storage.exists(name))
        self.assertEqual(purge_expired_exports()["expired"], 0)
        ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(purge_expired_exports()["expired"], 1)
        self.assertFalse(storage.exists(name))
        job.refresh_from_db()
        self.assertEqual(job.status, ExportJob.Status.EXPIRED)
        self.assertEqual(self.client.get(f"/cases/exports/{job.pk}/download/").status_code, 410)

    def test_a_starting_worker_writes_again_the_exports_left_running_and_only_those(self):
        job = self.big_export()
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, file="", processed=1)
        done = ExportJob.objects.create(created_by=self.alice, region_code=job.region_code, status=ExportJob.Status.DONE)
        self.assertEqual(resume_orphaned_exports(), 1)
        job.refresh_from_db()
        self.assertEqual((job.status, job.total, job.processed, bool(job.file)), (ExportJob.Status.DONE, 3, 3, True))
        done.refresh_from_db()
        self.assertEqual((done.status, done.file.name), (ExportJob.Status.DONE, ""))

    def test_a_small_export_downloads_at_once(self):
        self.file(title="甲")
        self.client.force_login(self.alice)
        r = self.client.get("/cases/export.xlsx")
        self.assertEqual(r.status_code, 200)
        self.assertFalse(ExportJob.objects.exists())
        self.assertEqual(AuditEvent.objects.get(action="case.export").detail["rows"], 1)


class CaseCsvExportTestCase(CaseTestCase):
    def test_the_csv_streams_the_same_rows_with_formulas_neutralised(self):
        self.file(title='=HYPERLINK("http://evil.example","点此查看")')
        self.client.force_login(self.alice)
        r = self.client.get("/cases/export.xlsx?format=csv")
        self.assertTrue(r.streaming)
        text = b"".join(r.streaming_content).decode("utf-8-sig")
        self.assertTrue(text.startswith("编号,标题,类别"))
        self.assertEqual(csv_formulas(text), [])
        self.assertIn("'=HYPERLINK", text)

    def test_an_unknown_format_is_a_400(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/cases/export.xlsx?format=pdf").status_code, 400)

    def test_the_export_takes_the_same_queries_for_2_rows_as_for_20(self):
        def queries(n):
            for _ in range(n):
                self.assigned(department=self.police_a)
            self.client.force_login(self.alice)
            with CaptureQueriesContext(connection) as ctx:
                r = self.client.get("/cases/export.xlsx")
                b"".join(r.streaming_content)
            return len(ctx.captured_queries)

        self.assertEqual(queries(2), queries(18))


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_writes_a_big_export(celery_worker_process, client, settings):
    """On PostgreSQL + Redis the job goes to a real worker process; the page polls until it is done."""
    from disputes.actions import cases as actions
    from disputes.models import Category
    from governance.models import Region
    from governance.roles import Role
    from governance.tests.base import make_territory, make_user

    settings.CASE_EXPORT_INLINE_ROWS = 5
    city, district, street, community, grid = make_territory()
    worker = make_user("w", "网格员", Role.GRID_WORKER, grid)
    officer = make_user("o", "街道干部", Role.STREET_OFFICER, street)
    cat = Category.objects.create(code="04", name="消防")
    for i in range(40):
        actions.do_file_case(actor=worker, category=cat, grid=Region.objects.get(code=grid.code),
                             title=f"楼道堆物{i}", description="堵塞通道")
    client.force_login(officer)
    r = client.get("/cases/export.xlsx?format=csv")
    assert r.status_code == 302
    job = ExportJob.objects.get()
    deadline = time.monotonic() + 60
    while job.status not in (ExportJob.Status.DONE, ExportJob.Status.FAILED) and time.monotonic() < deadline:
        time.sleep(0.3)
        job.refresh_from_db()
    assert (job.status, job.total, job.processed) == (ExportJob.Status.DONE, 40, 40)
    text = b"".join(client.get(f"/cases/exports/{job.pk}/download/").streaming_content).decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 41
    job.file.delete(save=False)

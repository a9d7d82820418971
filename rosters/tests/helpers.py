"""Building roster files for tests, and where the shared sample files live."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.test import override_settings

from governance.tests.base import TerritoryTestCase
from rosters.actions import run_import
from rosters.engine import context_for
from rosters.kinds import get_roster

REPO = Path(__file__).resolve().parents[2]
# CI keeps shared/ beside the clone; a git worktree sits one level deeper (wt/<branch>).
SHARED_CANDIDATES = [REPO / ".." / "shared" / "data", REPO / ".." / ".." / "shared" / "data"]
SHARED_DATA = next((p for p in SHARED_CANDIDATES if p.exists()), SHARED_CANDIDATES[0])


def shared_file(name: str) -> Path:
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"sample roster {path} is missing (CI keeps shared/ beside the clone)")
    return path


def xlsx_bytes(rows: list[list], title: str = "Sheet") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="网格员" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def xlsx_with_sheet(sheet_xml: str | bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal workbook whose first sheet is `sheet_xml`, as Excel would zip it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, content in (extra or {}).items():
            zf.writestr(name, content)
    return out.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


class RosterTestCase(TerritoryTestCase):
    """TerritoryTestCase with a private MEDIA_ROOT and a temp dir for files. frank (system
    administrator of 西市区, who imports there) may also reveal personal data there — a territorial
    grant, as a security administrator gives one: the system administrator's role does not."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        from guardian.shortcuts import assign_perm

        assign_perm("governance.scope_reveal_pii", cls.frank, cls.xishi)

    def setUp(self) -> None:
        super().setUp()
        # Page tests run the import task inline even when REDIS_URL is set: a TestCase's data is
        # invisible to a real worker (uncommitted). test_import_job_on_worker covers the worker.
        from governance.celery import app

        eager = app.conf.task_always_eager
        app.conf.task_always_eager = True
        self.addCleanup(setattr, app.conf, "task_always_eager", eager)
        self.tmp = Path(tempfile.mkdtemp(prefix="rosters-test-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        media = override_settings(MEDIA_ROOT=str(self.tmp / "media"))
        media.enable()
        self.addCleanup(media.disable)

    def write_file(self, name: str, content: bytes) -> Path:
        path = self.tmp / name
        path.write_bytes(content)
        return path

    def run_roster(self, kind: str, path: Path, *, actor=None, dry_run=False, errors: Path | None = None):
        roster = get_roster(kind)
        return run_import(roster, path, ctx=context_for(actor, dry_run), filename=path.name, error_path=errors)

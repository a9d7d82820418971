"""Writes of the rosters app, and its audited reads (house rule: each is a do_* function).

Where this module stands: above the pipeline (rosters.engine) and the roster kinds
(rosters.kinds), below the Celery tasks (rosters.tasks), the pages and the command, which
import it. Nothing here imports upwards:

- The pipeline is handed its batch writer: `run_import` is rosters.engine.run_pipeline with
  every batch written by do_write_roster_batch.
- do_create_import_job and do_confirm_import_job are handed the function that queues the job
  (`enqueue`, called with the job's id inside the transaction; the pages pass
  governance.outbox.later(rosters.tasks.run_import_job), which writes the outbox row with the job
  and sends the task once committed). The task runs the pipeline, and so this module, so
  rosters.tasks imports rosters.actions; importing the task here would close a circle. Sending
  the task by its name instead would work only where the task happens to be registered: with
  tasks inline (no REDIS_URL) the web process registers it only once something has imported
  rosters.tasks, and an unregistered name goes to the broker and never runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.actions import record_audit, require
from governance.models import Region, RoleAssignment, User
from governance.roles import CODE_LENGTH, Cap, Role
from governance.scope import can, region_codes
from rosters.engine import ImportContext, Result, Roster, Row, run_pipeline
from rosters.kinds import ROSTERS
from rosters.models import ImportJob, RosterKind, WrittenBatch
from rosters.passwords import generate_password, hash_issued_password
from rosters.selectors import NOWHERE, WITHOUT_PASSWORD, account_territories


def _common_prefix(codes: list[str]) -> str:
    """The lowest territory node above all the codes ("210802" and "210803" → "2108"), or ""."""
    if not codes:
        return ""
    lo, hi = min(codes), max(codes)
    n = 0
    while n < min(len(lo), len(hi)) and lo[n] == hi[n]:
        n += 1
    return lo[:max((length for length in CODE_LENGTH.values() if length <= n), default=0)]


@transaction.atomic
def do_write_roster_batch(*, actor: User | None, roster: Roster, rows: list[Row], ctx: ImportContext,
                          batch: list[Row] | None = None) -> None:
    """Write one batch of checked rows: all of them or none (one transaction, one audit row).

    Rows were checked for scope one by one; this checks again per distinct region,
    so nothing outside the importer's scope is written even if a roster forgets. For a job, the
    whole `batch` (every row read, `rows` its changed ones) is recorded as written (WrittenBatch) in
    the same transaction: a resumed job skips it, and counts it and gives its refused rows as they were."""
    codes = sorted({r.record.region_code for r in rows})
    for code in codes:
        require(actor, Cap.IMPORT_ROSTER, code)
    roster.write(rows, ctx)
    new = sum(1 for r in rows if r.status == "new")
    updated = sum(1 for r in rows if r.status == "updated" and not r.errors)
    if ctx.job is not None and batch:
        counts = {"new": 0, "updated": 0, "unchanged": 0, "bad": 0}
        for r in batch:
            counts["bad" if r.errors else (r.status or "unchanged")] += 1
        refused = [[r.number, r.errors[0].code, r.reason] for r in batch if r.errors]
        WrittenBatch.objects.create(job=ctx.job, first_row=batch[0].number, last_row=batch[-1].number, counts=counts,
                                    refused=refused)
    target = ctx.job if ctx.job is not None else Region(code=codes[0])
    record_audit(
        actor=actor,
        action=f"roster.import.{roster.kind}",
        target=target,
        region_code=_common_prefix(codes)[:15],
        detail={"new": new, "updated": updated, "rows": [rows[0].number, rows[-1].number]},
    )


def _write_batch(roster: Roster, rows: list[Row], ctx: ImportContext, batch: list[Row] | None = None) -> None:
    do_write_roster_batch(actor=ctx.actor, roster=roster, rows=rows, ctx=ctx, batch=batch)


def run_import(
    roster: Roster,
    path: Path | str,
    *,
    ctx: ImportContext,
    filename: str = "",
    error_path: Path | None = None,
    progress: Callable[[int, int | None, dict], None] | None = None,
) -> Result:
    """Read, check and (unless ctx.dry_run) write one file; raises FileProblem for a refused file.

    Not a do_* function itself: a file is written batch by batch, each batch by
    do_write_roster_batch in its own transaction with its own audit row (all of a batch or
    none of it), never the whole file in one transaction."""
    return run_pipeline(roster, path, ctx=ctx, write_batch=_write_batch, filename=filename, error_path=error_path,
                        progress=progress)


@transaction.atomic
def do_create_import_job(
    *, actor: User, kind: str, upload: UploadedFile, region_code: str, enqueue: Callable[[int], object]
) -> ImportJob:
    """File an upload of one kind (a RosterKind value) as a job and queue its dry run: `enqueue(job
    id)`, in this transaction (governance.outbox.later: sent once committed, never lost)."""
    require(actor, Cap.IMPORT_ROSTER, region_code)
    job = ImportJob(kind=RosterKind(kind), created_by=actor, region_id=region_code, original_name=upload.name[:200])
    job.file.save(upload.name, upload, save=False)
    job.save()
    record_audit(actor=actor, action="roster.upload", target=job, region_code=region_code,
                 detail={"kind": kind, "file": job.original_name})
    enqueue(job.pk)
    return job


@transaction.atomic
def do_confirm_import_job(*, actor: User, job: ImportJob, enqueue: Callable[[int], object]) -> ImportJob:
    """Queue the import of a checked job (`enqueue(job id)`, in this transaction: governance.outbox.later);
    any other job is left as it is."""
    require(actor, Cap.IMPORT_ROSTER, job.region_id)
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.CHECKED or job.file_expired_at or not job.file:
        return job
    job.status = ImportJob.Status.QUEUED
    job.phase = ImportJob.Phase.WRITE
    job.processed = 0
    job.save(update_fields=["status", "phase", "processed"])
    record_audit(actor=actor, action="roster.confirm", target=job, region_code=job.region_id,
                 detail={"kind": job.kind})
    enqueue(job.pk)
    return job


@transaction.atomic
def do_expire_import_file(*, actor: User | None, job: ImportJob) -> ImportJob:
    """The retention rule: delete a job's uploaded source file, its bad rows (on the job and on its
    written batches) and its error file (the ID numbers and phones as typed). The history keeps the job's row and its counts; the page says
    what was deleted, and when."""
    require(actor, Cap.IMPORT_ROSTER, job.region_id or "")
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.file_expired_at or job.is_active or not (job.file or job.error_file or job.bad_rows):
        return job
    files = [(f.storage, f.name) for f in (job.file, job.error_file) if f]
    detail = {"kind": job.kind, "file": job.original_name, "bad_rows": len(job.bad_rows),
              "error_file": bool(job.error_file)}
    job.file = job.error_file = ""
    job.bad_rows = []
    job.file_expired_at = timezone.now()
    job.save(update_fields=["file", "error_file", "bad_rows", "file_expired_at"])
    WrittenBatch.objects.filter(job=job).update(refused=None)  # the bad rows again, kept for a resume
    record_audit(actor=actor, action="roster.file.expire", target=job, region_code=job.region_id or "", detail=detail)
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
    return job


@transaction.atomic
def do_export_roster(*, actor: User, kind: str, region_code: str, file_format: str) -> Iterator[tuple]:
    """Everything of one kind (a RosterKind value) in the actor's scope, in the import layout (re-importable): the rows,
    for the caller to write out. ID numbers and phones come unmasked where the actor may reveal
    them, so the export is audited like a reveal: the region exported (the common prefix of the
    scope it covers), the scope's nodes and the number of rows.

    The rows are read as the caller iterates them (a city's residents do not fit in memory), so
    they are counted first, with one COUNT on the same scoped query: the audit row is then written
    here, before the first row leaves, and no dropped connection, killed worker or timeout midway
    can leave an export unaudited, as an audit row written once the stream has ended could. (A row
    added or removed between the count and the read may make the two differ by that row.)"""
    require(actor, Cap.IMPORT_ROSTER, region_code)
    roster = ROSTERS[RosterKind(kind)]
    scope = list(region_codes(actor, roster.export_cap))
    count = roster.export_queryset(actor).count()
    rows = roster.export_rows(actor)
    record_audit(actor=actor, action=f"roster.export.{roster.kind.value}", target=actor,
                 region_code=_common_prefix(scope)[:15], detail={"format": file_format, "rows": count, "scope": scope})
    return rows


@transaction.atomic
def do_download_error_file(*, actor: User, job: ImportJob) -> FieldFile:
    """Open a job's error file for download: the bad rows as they were uploaded (ID numbers and
    phones in clear), so it needs the capability to reveal personal data in the job's region too,
    and each download is audited. Raises OSError, and audits nothing, when the file has gone from
    storage.

    Why refused rather than masked without that capability: the file exists to be corrected and
    imported again, and ID numbers are what a resident is matched on; a masked copy could not be
    re-imported, and its rows would come back as bad ones."""
    require(actor, Cap.IMPORT_ROSTER, job.region_id or "")
    if actor is not None and not can(actor, Cap.REVEAL_PII, job.region_id or ""):
        raise PermissionDenied(_("错误行文件含完整的身份证号码和电话，需要在该辖区查看完整个人信息的权限才能下载。"))
    handle = job.error_file.open("rb")
    record_audit(actor=actor, action="roster.errors.download", target=job, region_code=job.region_id or "",
                 detail={"kind": job.kind, "file": job.original_name})
    return handle


@dataclass
class IssuedPassword:
    user: User
    password: str  # in memory only: goes into the one-time .xlsx, never stored
    grids: list[tuple[str, str]]  # (code, name) of the grids the user works


@transaction.atomic
def do_issue_initial_passwords(
    *, actor: User, user_ids: list[int], only_without_password: bool
) -> list[IssuedPassword]:
    """Give each user a new random password they must change at first login.

    only_without_password: issue only to those still without a usable password (checked
    under a row lock, so two admins issuing at once do not overwrite each other's sheet);
    otherwise reset the chosen users' passwords. The actor needs the import capability on
    every node each user holds a role on. One audit row, without the passwords."""
    users = User.objects.select_for_update().filter(pk__in=user_ids).order_by("pk")
    if only_without_password:
        users = users.filter(WITHOUT_PASSWORD)
    users = list(users)
    if not users:
        return []
    if any(u.is_superuser for u in users):
        raise PermissionDenied(_("不能为超级管理员生成密码。"))
    # Every node each user holds a role or a territorial grant on; a user holding nothing (or an
    # object grant) lies in nobody's scope (NOWHERE, ""), which only a superuser's covers.
    territories = account_territories(u.pk for u in users)
    codes = sorted({code for nodes in territories.values() for code in nodes})
    if len(territories) < len(users) and NOWHERE not in codes:
        codes.insert(0, NOWHERE)
    for code in codes:
        require(actor, Cap.IMPORT_ROSTER, code)
    held: dict[int, list[RoleAssignment]] = {}
    for a in RoleAssignment.objects.filter(user__in=users, role=Role.GRID_WORKER).select_related(
        "region"
    ).order_by("region_id"):
        held.setdefault(a.user_id, []).append(a)
    issued = []
    now = timezone.now()  # an issued password no longer signs in ISSUED_PASSWORD_DAYS after this
    for user in users:
        password = generate_password()
        user.password = hash_issued_password(password)
        user.must_change_password = True
        user.password_changed_at = now
        grids = [(a.region_id, a.region.name) for a in held.get(user.pk, [])]
        issued.append(IssuedPassword(user, password, grids))
    User.objects.bulk_update(users, ["password", "must_change_password", "password_changed_at"], batch_size=500)
    record_audit(
        actor=actor,
        action="user.password.issue",
        target=actor,
        region_code=_common_prefix([c for c in codes if c])[:15],
        detail={"mode": "missing" if only_without_password else "reset", "count": len(users),
                "users": [u.username for u in users]},
    )
    return issued

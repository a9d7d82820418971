from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RosterKind(models.TextChoices):
    """What a roster file holds: the name used in URLs and on the command line, and its label.
    The rosters themselves (rosters.kinds.ROSTERS) are keyed by these."""

    TERRITORY = "territory", _("区划网格")
    GRID_WORKERS = "grid_workers", _("网格员")
    RESIDENTS = "residents", _("实有人口")
    HOUSES = "houses", _("实有房屋")
    UNITS = "units", _("实有单位")


class ImportJob(models.Model):
    """One uploaded roster file: its dry run, then (once confirmed) its import.

    The history page lists these; the progress page polls `processed`/`total`.
    `region` is the node the importer acted on (their import scope), for scoping
    the history; each row is still checked against the importer's scope."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("处理中")
        CHECKED = "checked", _("已预检，待确认")
        DONE = "done", _("已导入")
        FAILED = "failed", _("失败")

    class Phase(models.TextChoices):
        CHECK = "check", _("预检")
        WRITE = "write", _("导入")

    kind = models.CharField(_("名册类型"), max_length=24, choices=RosterKind.choices)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    phase = models.CharField(_("阶段"), max_length=8, choices=Phase.choices, default=Phase.CHECK)
    region = models.ForeignKey(
        "governance.Region", verbose_name=_("导入辖区"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=8, default="web")  # web / cli
    original_name = models.CharField(_("文件名"), max_length=200)
    file = models.FileField(_("文件"), upload_to="rosters/uploads/%Y/%m/", blank=True)
    # Set when the retention rule (ROSTER_UPLOAD_RETENTION_DAYS) deleted the uploaded file, the bad rows and the error file.
    file_expired_at = models.DateTimeField(_("源文件删除时间"), null=True, blank=True)
    error_file = models.FileField(_("错误行文件"), upload_to="rosters/errors/%Y/%m/", blank=True)
    total = models.PositiveIntegerField(_("预计行数"), null=True, blank=True)
    processed = models.PositiveIntegerField(_("已处理行数"), default=0)
    dry_counts = models.JSONField(_("预检结果"), default=dict, blank=True)
    counts = models.JSONField(_("导入结果"), default=dict, blank=True)
    bad_rows = models.JSONField(_("错误行"), default=list, blank=True)
    # The dry run's sample of what the updated rows change (engine.Result.changes).
    changes = models.JSONField(_("变更内容"), default=list, blank=True)
    message = models.TextField(_("说明"), blank=True)

    territory_field = "region__code"

    class Meta:
        verbose_name = verbose_name_plural = _("名册导入记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status in (self.Status.CHECKED, self.Status.DONE):
            return 100
        if not self.total:
            return 0
        return min(99, int(self.processed * 100 / self.total))

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def file_expires_at(self) -> datetime | None:
        """When the retention rule will delete the uploaded file, the bad rows and the error file (None: not scheduled)."""
        days = settings.ROSTER_UPLOAD_RETENTION_DAYS
        if not (self.file or self.error_file or self.bad_rows) or self.file_expired_at or self.is_active or days <= 0:
            return None
        return (self.finished_at or self.created_at) + timedelta(days=days)


class WrittenBatch(models.Model):
    """One batch of an import job written, recorded in the batch's own transaction
    (rosters.actions.do_write_roster_batch): all of its rows and this row, or neither. A job whose
    worker died is resumed (rosters.tasks.run_import_job) past the batches recorded here, with their
    counts and their refused rows, and a job that fails says how far it got."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="written_batches")
    first_row = models.PositiveIntegerField()  # the file's row numbers of the batch's first and last line
    last_row = models.PositiveIntegerField()
    counts = models.JSONField(default=dict)  # new / updated / unchanged / bad, of the whole batch
    # The batch's refused rows as they were refused, [[file row, error code, reason], …] in file order: a
    # resumed job gives them again in its error file (the comparison with the database that refused some is
    # not run again, and the database may have changed since). Personal data (a reason may quote a phone):
    # deleted with the job's bad rows by the retention rule. NULL: a batch written before this was kept.
    refused = models.JSONField(null=True, default=None)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "first_row"], name="written_batch_once")]
        ordering = ["job", "first_row"]

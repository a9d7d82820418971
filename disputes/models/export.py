"""A big export written by a worker (disputes.exports): its progress, its file, and how long it is kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    """One export too big to write inside the request. Only its requester sees it and downloads it;
    the file is deleted at `expires_at` (disputes.tasks.exports.purge_expired_exports), the row is kept."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        EXPIRED = "expired", _("已过期删除")

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (.xlsx)"
        CSV = "csv", "CSV (.csv)"

    kind = models.CharField(_("导出内容"), max_length=16, default="cases")
    file_format = models.CharField(_("格式"), max_length=4, choices=Format.choices, default=Format.XLSX)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导出人"), on_delete=models.PROTECT,
                                   related_name="+")
    region_code = models.CharField(_("导出辖区"), max_length=15, blank=True)
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("文件保留至"), null=True, blank=True, db_index=True)
    total = models.PositiveIntegerField(_("行数"), null=True, blank=True)
    processed = models.PositiveIntegerField(_("已写行数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/%Y/%m/", blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "created_at"], name="export_job_user_created")]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, int(self.processed * 100 / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

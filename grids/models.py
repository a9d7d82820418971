"""Grid workers' visit and patrol log (走访/巡查)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.models import Region


class VisitKind(models.TextChoices):
    VISIT = "visit", _("入户走访")
    PATROL = "patrol", _("网格巡查")


def visit_photo_path(instance: "Visit", filename: str) -> str:
    """Always .jpg: photos are re-encoded to JPEG on the way in (governance.images); the uploader's
    name and extension are never kept."""
    return f"visits/{instance.grid_id}/{instance.at:%Y%m}/{instance.worker_id}-{instance.at:%d%H%M%S%f}.jpg"


class Visit(models.Model):
    grid = models.ForeignKey(Region, verbose_name=_("所属网格"), on_delete=models.PROTECT, related_name="visits")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("网格员"), null=True, on_delete=models.PROTECT, related_name="visits"
    )
    kind = models.CharField(_("类型"), max_length=8, choices=VisitKind.choices, default=VisitKind.VISIT)
    at = models.DateTimeField(_("时间"), db_index=True)
    house = models.ForeignKey(
        "parties.House", verbose_name=_("走访房屋"), null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    resident = models.ForeignKey(
        "parties.Resident", verbose_name=_("走访对象"), null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    unit = models.ForeignKey(
        "parties.Unit", verbose_name=_("走访单位"), null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    place = models.CharField(_("地点"), max_length=200, blank=True)
    findings = models.TextField(_("发现情况"))
    photo = models.ImageField(_("照片"), upload_to=visit_photo_path, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    territory_field = "grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("走访巡查记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["grid", "at"], name="visit_grid_at", opclasses=["varchar_pattern_ops", "timestamptz_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"

"""What the API keeps of its own: which cases came in through Open311 (their public token and
the media URL the requester gave). The requester's personal data (name, email, phone, device,
account) is neither stored nor published."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Open311Request(models.Model):
    case = models.OneToOneField("disputes.Case", on_delete=models.CASCADE, primary_key=True, related_name="open311")
    token = models.CharField(_("令牌"), max_length=32, unique=True)
    media_url = models.URLField(_("图片链接"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    territory_field = "case__grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("Open311 诉求")

    def __str__(self) -> str:
        return f"open311 {self.case_id}"

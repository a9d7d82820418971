"""Photo intake for cases: at most MAX_PHOTOS photos, each re-encoded by governance.images (size check,
decode check, a JPEG of at most 1600 px without EXIF — GPS included). The limits and `reencode` are
re-exported here for the callers that import them from disputes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from governance.images import MAX_BYTES, MAX_PIXELS, MAX_SIDE, reencode

__all__ = ["MAX_BYTES", "MAX_PHOTOS", "MAX_PIXELS", "MAX_SIDE", "clean_photos", "reencode"]

MAX_PHOTOS = 6


def clean_photos(files) -> list[tuple[ContentFile, int, int]]:
    files = list(files)
    if len(files) > MAX_PHOTOS:
        raise ValidationError(_("最多上传 %(MAX_PHOTOS)s 张照片。") % {"MAX_PHOTOS": MAX_PHOTOS})
    return [reencode(f) for f in files]

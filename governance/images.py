"""Photo intake, shared by every app that takes photos (grids' visits, disputes' cases): size check,
decode check, re-encode to JPEG (max 1600 px), which drops EXIF — the GPS position and the camera
included — and whatever else the file carried. The result is always a .jpg with a random name:
nothing of the uploader's file name or extension is kept (a "photo" named x.pdf or x.html would
otherwise be stored, and served, as one)."""

from __future__ import annotations

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 1600
MAX_PIXELS = 60_000_000  # decompression-bomb guard
CONTENT_TYPE = "image/jpeg"
EXTENSION = "jpg"


def reencode(upload) -> tuple[ContentFile, int, int]:
    """Return a clean JPEG for an uploaded file, or raise ValidationError with a Chinese message."""
    name = getattr(upload, "name", "照片")
    if upload.size > MAX_BYTES:
        raise ValidationError(_("照片“%(name)s”超过 10 MB，请压缩后再上传。") % {"name": name})
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as img:
            if img.width * img.height > MAX_PIXELS:
                raise ValidationError(_("照片“%(name)s”像素过大。") % {"name": name})
            img = ImageOps.exif_transpose(img)  # keep the orientation the camera meant, then drop EXIF
            if img.mode not in ("RGB", "L"):
                img = img.convert("RGBA").convert("RGB") if "A" in img.mode or img.mode == "P" else img.convert("RGB")
            img.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            img.save(out, format="JPEG", quality=85, optimize=True)  # no exif= argument: nothing carried over
            width, height = img.size
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("“%(name)s”不是可识别的图片，请上传 JPG、PNG 等格式的照片。") % {"name": name}) from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{EXTENSION}"), width, height

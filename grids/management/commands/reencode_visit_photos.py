"""Re-encode the visit photos stored before photos were re-encoded on the way in: each becomes a
.jpg without EXIF (GPS position, camera) and the original file is deleted. Photos already clean
(a .jpg without EXIF) are left alone, so the command can be stopped and run again.

    python manage.py reencode_visit_photos
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from PIL import Image, UnidentifiedImageError

from grids.actions import do_reencode_visit_photo
from grids.models import Visit


def _is_clean(visit: Visit) -> bool:
    if not visit.photo.name.lower().endswith(".jpg"):
        return False
    try:
        with visit.photo.open("rb") as handle, Image.open(handle) as img:
            return img.format == "JPEG" and not img.getexif() and "exif" not in img.info
    except (OSError, UnidentifiedImageError):
        return False


class Command(BaseCommand):
    help = "Re-encode stored visit photos to JPEG without EXIF (GPS); delete the originals."

    def handle(self, *args, **options):
        done = skipped = failed = 0
        for visit in Visit.objects.exclude(photo="").order_by("pk").iterator(chunk_size=500):
            if _is_clean(visit):
                skipped += 1
                continue
            try:
                done += do_reencode_visit_photo(actor=None, visit=visit)
            except (OSError, ValidationError) as error:
                failed += 1
                self.stderr.write(f"visit {visit.pk}: {error}")
        self.stdout.write(f"re-encoded {done}, already clean {skipped}, failed {failed}")

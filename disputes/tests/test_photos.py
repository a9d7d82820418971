"""Photo intake: size limit, non-images refused, re-encoded to JPEG at most 1600 px, EXIF (GPS) dropped."""

import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase
from PIL import Image

from disputes.photos import reencode
from disputes.tests.base import jpeg


def exif_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (40.0, 38.0, 24.0)
    gps[3], gps[4] = "E", (122.0, 12.0, 0.0)
    return exif.tobytes()


class ReencodeTestCase(SimpleTestCase):
    def test_it_drops_exif_including_the_gps_position(self):
        upload = jpeg(exif=exif_with_gps())
        with Image.open(io.BytesIO(upload.read())) as original:
            self.assertIn(0x8825, original.getexif())
        content, _, _ = reencode(upload)
        with Image.open(io.BytesIO(content.read())) as clean:
            self.assertEqual(clean.format, "JPEG")
            self.assertEqual(len(clean.getexif()), 0)

    def test_it_shrinks_large_photos_to_1600_px(self):
        content, width, height = reencode(jpeg(size=(4000, 3000)))
        self.assertEqual((width, height), (1600, 1200))

    def test_it_converts_a_png_with_transparency_to_jpeg(self):
        buf = io.BytesIO()
        Image.new("RGBA", (20, 20), (0, 0, 0, 0)).save(buf, "PNG")
        content, _, _ = reencode(SimpleUploadedFile("a.png", buf.getvalue(), content_type="image/png"))
        self.assertTrue(content.name.endswith(".jpg"))

    def test_it_refuses_a_file_over_10_mb(self):
        big = SimpleUploadedFile("big.jpg", b"\xff" * (10 * 1024 * 1024 + 1), content_type="image/jpeg")
        with self.assertRaisesMessage(ValidationError, "超过 10 MB"):
            reencode(big)

    def test_it_refuses_something_that_is_not_an_image(self):
        with self.assertRaisesMessage(ValidationError, "不是可识别的图片"):
            reencode(SimpleUploadedFile("x.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg"))

    def test_it_refuses_a_truncated_image(self):
        data = jpeg().read()[:200]
        with self.assertRaisesMessage(ValidationError, "不是可识别的图片"):
            reencode(SimpleUploadedFile("x.jpg", data, content_type="image/jpeg"))

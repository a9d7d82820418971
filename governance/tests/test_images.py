"""governance.images.reencode, the photo intake every app shares: a JPEG without EXIF, with a random
.jpg name whatever the upload was called."""

import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase
from PIL import Image

from governance.images import reencode


def upload(name: str, fmt: str = "JPEG", size=(64, 48)) -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[2] = (40.0, 38.0, 24.0)
    buf = io.BytesIO()
    Image.new("RGB", size, "red").save(buf, fmt, exif=exif.tobytes())
    return SimpleUploadedFile(name, buf.getvalue())


class ReencodeTestCase(SimpleTestCase):
    def test_it_drops_exif_and_the_uploaders_name_and_extension(self):
        content, width, height = reencode(upload("家里.pdf"))
        self.assertTrue(content.name.endswith(".jpg"))
        self.assertNotIn("家里", content.name)
        with Image.open(io.BytesIO(content.read())) as clean:
            self.assertEqual((clean.format, dict(clean.getexif()), (width, height)), ("JPEG", {}, (64, 48)))

    def test_it_shrinks_large_photos_and_refuses_what_is_not_an_image(self):
        self.assertEqual(reencode(upload("big.png", "PNG", (3200, 800)))[1:], (1600, 400))
        with self.assertRaisesMessage(ValidationError, "不是可识别的图片"):
            reencode(SimpleUploadedFile("x.jpg", b"%PDF-1.4 not a photo"))

"""/grids/visits/<pk>/photo/ and the photo of a new visit: re-encoded to a JPEG without EXIF (no GPS
position, no camera), stored as .jpg whatever the uploader called it, served as an image only when it
is one (nosniff) and never cached. reencode_visit_photos cleans the photos stored before."""

import io
import shutil
import tempfile

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from PIL import Image

from governance.models import AuditEvent
from grids.actions import do_log_visit
from grids.models import Visit
from parties.tests.base import RegisterTestCase

MEDIA = tempfile.mkdtemp(prefix="gridgov-test-visit-photos-")
GPS = 0x8825


def photo_bytes(fmt: str = "JPEG") -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    gps = exif.get_ifd(GPS)
    gps[1], gps[2] = "N", (40.0, 38.0, 24.0)
    gps[3], gps[4] = "E", (122.0, 12.0, 0.0)
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buf, fmt, exif=exif.tobytes())
    return buf.getvalue()


def exif_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as img:
        return dict(img.getexif())


@override_settings(MEDIA_ROOT=MEDIA)
class VisitPhotoTestCase(RegisterTestCase):
    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def log(self, name: str, data: bytes, content_type: str) -> Visit:
        self.client.force_login(self.carol)
        r = self.client.post("/grids/visits/new/", {"kind": "patrol", "grid": self.grid_a.code, "findings": "无异常",
                                                     "place": "3号楼北侧", "photo": SimpleUploadedFile(name, data, content_type)})
        self.assertEqual(r.status_code, 302, r.content.decode()[:500])
        return Visit.objects.latest("id")

    def stored_before(self, content: ContentFile, ext: str) -> Visit:
        """A visit whose photo was stored as uploaded, with the uploader's extension (before re-encoding)."""
        visit = do_log_visit(actor=self.carol, grid=self.grid_a, findings="无", place="路口")
        name = default_storage.save(f"visits/{self.grid_a.code}/old.{ext}", content)
        Visit.objects.filter(pk=visit.pk).update(photo=name)
        return Visit.objects.get(pk=visit.pk)

    def test_the_photo_loses_its_gps_position_and_camera(self):
        self.assertIn(GPS, exif_of(photo_bytes()))
        visit = self.log("现场.jpg", photo_bytes(), "image/jpeg")
        with visit.photo.open("rb") as f:
            stored = f.read()
        self.assertEqual(exif_of(stored), {})
        served = b"".join(self.client.get(f"/grids/visits/{visit.pk}/photo/").streaming_content)
        self.assertEqual(exif_of(served), {})
        self.assertNotIn(b"PhoneMaker", served)

    def test_a_photo_named_like_a_pdf_is_stored_and_served_as_a_jpeg_image(self):
        visit = self.log("x.pdf", photo_bytes(), "application/pdf")
        self.assertTrue(visit.photo.name.endswith(".jpg"), visit.photo.name)
        self.assertNotIn("x.pdf", visit.photo.name)
        r = self.client.get(f"/grids/visits/{visit.pk}/photo/")
        self.assertEqual(r["Content-Type"], "image/jpeg")
        self.assertEqual(r["X-Content-Type-Options"], "nosniff")
        self.assertTrue(r["Content-Disposition"].startswith("inline"))
        self.assertEqual(r["Cache-Control"], "private, no-store")

    def test_a_stored_file_that_is_no_image_type_is_a_download_never_shown_inline(self):
        visit = self.stored_before(ContentFile(b"<script>alert(1)</script>"), "html")
        self.client.force_login(self.carol)
        r = self.client.get(f"/grids/visits/{visit.pk}/photo/")
        self.assertEqual(r["Content-Type"], "application/octet-stream")
        self.assertTrue(r["Content-Disposition"].startswith("attachment"))
        self.assertEqual(r["X-Content-Type-Options"], "nosniff")

    def test_reencode_visit_photos_cleans_the_photos_stored_before_and_deletes_the_originals(self):
        visit = self.stored_before(ContentFile(photo_bytes("PNG")), "png")
        old = visit.photo.name
        out = io.StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("reencode_visit_photos", stdout=out)
        self.assertIn("re-encoded 1", out.getvalue())
        visit.refresh_from_db()
        self.assertTrue(visit.photo.name.endswith(".jpg"))
        with visit.photo.open("rb") as f:
            self.assertEqual(exif_of(f.read()), {})
        self.assertFalse(visit.photo.storage.exists(old))
        self.assertTrue(AuditEvent.objects.filter(action="visit.photo.reencode", target_id=str(visit.pk)).exists())
        again = io.StringIO()
        call_command("reencode_visit_photos", stdout=again)
        self.assertIn("re-encoded 0, already clean 1", again.getvalue())

    def test_the_visit_pages_are_never_cached(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get("/grids/visits/")["Cache-Control"], "no-store")
        self.assertEqual(self.client.get("/grids/visits/new/", {"resident": self.zhang.pk})["Cache-Control"], "no-store")

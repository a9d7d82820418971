import io
import shutil
import tempfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from governance.models import AuditEvent
from grids.models import Visit
from parties.tests.base import RegisterTestCase

URL = "/grids/visits/new/"
MEDIA = tempfile.mkdtemp(prefix="gridgov-test-media-")


def jpeg() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "JPEG")
    return SimpleUploadedFile("现场.jpg", buf.getvalue(), content_type="image/jpeg")


@override_settings(MEDIA_ROOT=MEDIA)
class VisitCreateTestCase(RegisterTestCase):
    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def test_a_grid_worker_logs_a_household_visit_with_a_photo_and_it_shows_on_the_resident_and_house(self):
        self.client.force_login(self.carol)
        self.assertContains(self.client.get(URL, {"resident": self.zhang.pk}), "张三")
        r = self.client.post(f"{URL}?resident={self.zhang.pk}", {"kind": "visit", "grid": self.grid_a.code,
                                                                "findings": "情绪稳定，按时报到", "photo": jpeg()})
        self.assertRedirects(r, f"/registers/residents/{self.zhang.pk}/")
        visit = Visit.objects.get()
        self.assertEqual((visit.worker, visit.resident, visit.house), (self.carol, self.zhang, self.house_a))
        self.assertTrue(visit.photo)
        self.assertTrue(AuditEvent.objects.filter(action="visit.visit", actor=self.carol).exists())
        self.assertContains(self.client.get(f"/registers/houses/{self.house_a.pk}/"), "情绪稳定，按时报到")
        photo = self.client.get(f"/grids/visits/{visit.pk}/photo/")
        self.assertEqual(photo.status_code, 200)
        # Another district's worker cannot fetch the photo.
        self.client.force_login(self.henry)
        self.assertEqual(self.client.get(f"/grids/visits/{visit.pk}/photo/").status_code, 404)

    def test_a_patrol_needs_a_place_or_an_object(self):
        self.client.force_login(self.carol)
        r = self.client.post(URL, {"kind": "patrol", "grid": self.grid_a.code, "findings": "无异常"})
        self.assertContains(r, "请选择走访的房屋、人员或单位，或填写巡查地点", status_code=400)
        r = self.client.post(URL, {"kind": "patrol", "grid": self.grid_a.code, "findings": "无异常", "place": "3号楼北侧"})
        self.assertEqual(r.status_code, 302)

    def test_a_file_that_is_not_an_image_is_refused(self):
        self.client.force_login(self.carol)
        bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
        r = self.client.post(URL, {"kind": "patrol", "grid": self.grid_a.code, "findings": "无", "place": "路口", "photo": bad})
        self.assertEqual(r.status_code, 400)
        self.assertFalse(Visit.objects.exists())

    def test_a_worker_cannot_log_a_visit_to_a_resident_of_another_grid(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get(URL, {"resident": self.wang.pk}).status_code, 404)
        self.assertEqual(self.client.get(URL, {"resident": "x"}).status_code, 400)

    def test_a_city_leader_cannot_log_visits(self):
        self.client.force_login(self.erin)
        self.assertEqual(self.client.get(URL).status_code, 403)

"""/cases/<id>/photos/<id>/: photos are served only to those who may see the case (no public /media URL)."""

import io

from PIL import Image

from disputes.tests.base import CaseTestCase, jpeg


class CasePhotoTestCase(CaseTestCase):
    def test_someone_in_scope_gets_the_clean_jpeg(self):
        case = self.file(photos=[jpeg(size=(2000, 1000))])
        photo = case.photos.get()
        self.client.force_login(self.alice)
        r = self.client.get(f"/cases/{case.pk}/photos/{photo.pk}/")
        self.assertEqual(r["Content-Type"], "image/jpeg")
        self.assertIn("private", r["Cache-Control"])
        with Image.open(io.BytesIO(b"".join(r.streaming_content))) as img:
            self.assertEqual(img.size, (1600, 800))

    def test_someone_outside_the_scope_gets_404(self):
        case = self.file(photos=[jpeg()])
        photo = case.photos.get()
        for user in (self.bob, self.gina, self.nobody):
            self.client.force_login(user)
            self.assertEqual(self.client.get(f"/cases/{case.pk}/photos/{photo.pk}/").status_code, 404)

    def test_a_photo_of_another_case_cannot_be_read_through_this_one(self):
        mine = self.file()
        other = self.file(actor=self.gina, grid=self.grid_a2, photos=[jpeg()])
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get(f"/cases/{mine.pk}/photos/{other.photos.get().pk}/").status_code, 404)

    def test_it_requires_sign_in(self):
        case = self.file(photos=[jpeg()])
        r = self.client.get(f"/cases/{case.pk}/photos/{case.photos.get().pk}/")
        self.assertEqual(r.status_code, 302)

    def test_photos_are_stored_outside_any_public_url(self):
        case = self.file(photos=[jpeg()])
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/media/" + case.photos.get().image.name).status_code, 404)

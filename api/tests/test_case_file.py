"""POST /api/v1/cases/: do_file_case (FILE_CASE on the grid), photos as multipart."""

from api.tests.base import ApiTestCase
from disputes.models import Case, CasePhoto
from disputes.tests.base import jpeg
from governance.models import AuditEvent

URL = "/api/v1/cases/"


class CaseFileApiTestCase(ApiTestCase):
    def data(self, **kw):
        return {"category": self.clutter.pk, "grid": self.grid_a.code, "title": "楼道堆物",
                "description": "3号楼楼道堆放纸箱。", **kw}

    def test_a_grid_worker_files_a_case_in_their_grid_with_json(self):
        r = self.post(self.carol, URL, self.data(lat=40.66, lng=122.23))
        self.assertEqual(r.status_code, 201, r.content)
        case = Case.objects.get(pk=r.json()["id"])
        self.assertEqual((case.filer, case.status, r.json()["version"]), (self.carol, "reported", 1))
        self.assertEqual(AuditEvent.objects.filter(action="case.file", target_id=str(case.pk)).count(), 1)
        self.assertEqual(r.json()["events"][0]["action"], "file")

    def test_photos_come_as_multipart(self):
        r = self.client.post(URL, {**self.data(), "photos": [jpeg(), jpeg(name="b.jpg")]}, **self.as_(self.carol))
        self.assertEqual(r.status_code, 201, r.content)
        case = Case.objects.get(pk=r.json()["id"])
        self.assertEqual(CasePhoto.objects.filter(case=case).count(), 2)
        photo = r.json()["photos"][0]["url"]
        got = self.client.get(photo, **self.as_(self.carol))
        self.assertEqual((got.status_code, got["Content-Type"]), (200, "image/jpeg"))
        self.assertError(self.get(self.bob, photo), 404)

    def test_a_grid_outside_the_scope_is_a_400_and_nothing_is_filed(self):
        body = self.assertError(self.post(self.carol, URL, self.data(grid=self.grid_b.code)), 400, "invalid")
        self.assertIn("grid", body["fields"])
        self.assertFalse(Case.objects.exists())

    def test_a_user_who_may_see_but_not_file_is_403(self):
        self.assertError(self.post(self.dave, URL, self.data()), 403, "permission_denied")  # district centre
        self.assertFalse(Case.objects.exists())

    def test_missing_fields_are_named(self):
        body = self.assertError(self.post(self.carol, URL, {"grid": self.grid_a.code}), 400, "invalid")
        self.assertTrue({"category", "title", "description"} <= set(body["fields"]))

    def test_self_handling_without_evidence_is_refused_with_the_actions_message(self):
        body = self.assertError(self.post(self.carol, URL, self.data(self_handle=True, evidence_note="已清理")), 400)
        self.assertIn("照片", body["message"])

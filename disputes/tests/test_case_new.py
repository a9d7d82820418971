"""/cases/new/: filing from a phone — short form, photos, clear Chinese errors."""

from unittest import mock

from disputes.models import Case, Status
from disputes.tests.base import CaseTestCase, jpeg
from disputes.tests.link_base import LinkTestCase
from governance.models import AuditEvent
from parties.pii import mask_id_number

MASKED_ID = mask_id_number("11010519491231002X")  # what a user who may not reveal sees


class CaseNewTestCase(CaseTestCase):
    def form(self, **extra):
        data = {
            "category": self.clutter.pk, "grid": self.grid_a.code, "urgency": "normal", "title": "楼道堆物",
            "description": "3号楼楼道堆放纸箱。", "address": "3号楼", "lat": "40.640100", "lng": "122.200200",
        }
        data.update(extra)
        return data

    def test_it_requires_sign_in(self):
        self.assertRedirects(self.client.get("/cases/new/"), "/login/?next=/cases/new/")

    def test_it_shows_the_form_with_the_workers_grid_and_the_taxonomy(self):
        self.client.force_login(self.carol)
        r = self.client.get("/cases/new/")
        self.assertContains(r, "五大门社区第1网格")
        self.assertNotContains(r, "五大门社区第2网格")
        self.assertContains(r, '<optgroup label="消防">')
        self.assertContains(r, 'capture="environment"')

    def test_a_grid_worker_files_a_case_with_a_photo(self):
        self.client.force_login(self.carol)
        r = self.client.post("/cases/new/", self.form(photos=[jpeg()]))
        case = Case.objects.get()
        self.assertRedirects(r, f"/cases/{case.pk}/")
        self.assertEqual((case.status, case.filer, case.photos.count()), (Status.REPORTED, self.carol, 1))
        self.assertEqual(str(case.lat), "40.640100")

    def test_a_grid_worker_self_handles_a_minor_case(self):
        self.client.force_login(self.carol)
        r = self.client.post("/cases/new/", self.form(self_handle="on", evidence_note="已清理", evidence=[jpeg()]))
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Case.objects.get().status, Status.CLOSED)

    def test_missing_fields_give_chinese_messages_and_a_400(self):
        self.client.force_login(self.carol)
        r = self.client.post("/cases/new/", self.form(title="", category=""))
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "请填写标题。", status_code=400)
        self.assertContains(r, "请选择事件类别。", status_code=400)
        self.assertFalse(Case.objects.exists())

    def test_a_file_that_is_not_an_image_is_refused_with_a_400(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.client.force_login(self.carol)
        bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
        r = self.client.post("/cases/new/", self.form(photos=[bad]))
        self.assertEqual(r.status_code, 400)
        self.assertFalse(Case.objects.exists())

    def test_a_grid_outside_the_workers_scope_is_refused(self):
        self.client.force_login(self.carol)
        r = self.client.post("/cases/new/", self.form(grid=self.grid_b.code))
        self.assertContains(r, "请选择您负责的网格。", status_code=400)

    def test_a_nonsense_location_is_refused(self):
        self.client.force_login(self.carol)
        r = self.client.post("/cases/new/", self.form(lat="999", lng="abc"))
        self.assertEqual(r.status_code, 400)
        self.assertFalse(Case.objects.exists())

    def test_a_self_handled_case_without_evidence_is_refused(self):
        self.client.force_login(self.carol)
        r = self.client.post("/cases/new/", self.form(self_handle="on", evidence_note="已清理"))
        self.assertContains(r, "至少一张处置照片", status_code=400)

    def test_someone_who_may_not_file_gets_403(self):
        self.client.force_login(self.erin)
        self.assertEqual(self.client.get("/cases/new/").status_code, 403)




class CaseNewRegisterLinkTestCase(LinkTestCase):
    """Picking registered residents / units of the case's grid on /cases/new/."""

    def form(self, **extra):
        data = {"category": self.clutter.pk, "grid": self.grid_a.code, "urgency": "normal", "title": "楼道堆物",
                "description": "3号楼楼道堆放纸箱。"}
        data.update(extra)
        return data

    def test_the_form_offers_search_pickers_and_lists_no_register_rows(self):
        # The residents and units are searched as one types (registers/tests/test_resident_search.py):
        # the page itself lists nobody, however big the filer's scope.
        self.client.force_login(self.carol)
        r = self.client.get("/cases/new/")
        self.assertContains(r, 'data-testid="residents"')
        self.assertContains(r, 'data-register-search="/registers/residents/search/"')
        self.assertContains(r, 'data-register-search="/registers/units/search/"')
        for name in ("张三", "五大门便民超市", "李五", "王六", "11010519491231002X"):
            self.assertNotContains(r, name)

    def test_a_refused_form_shows_the_picked_resident_again_masked(self):
        self.client.force_login(self.carol)
        r = self.client.post("/cases/new/", self.form(title="", residents=[self.zhang.pk]))
        self.assertContains(r, f"张三（{MASKED_ID}）", status_code=400)
        self.assertContains(r, f'<option value="{self.zhang.pk}" data-grid="{self.grid_a.code}" selected>', status_code=400)
        self.assertNotContains(r, "11010519491231002X", status_code=400)

    def test_a_refused_form_does_not_name_a_forged_resident_from_elsewhere(self):
        self.client.force_login(self.carol)
        r = self.client.post("/cases/new/", self.form(residents=[self.wang.pk]))
        self.assertEqual(r.status_code, 400)
        self.assertNotContains(r, "王六", status_code=400)

    def test_linking_a_resident_and_a_unit_in_scope_works(self):
        self.client.force_login(self.carol)
        r = self.client.post("/cases/new/", self.form(residents=[self.zhang.pk], units=[self.shop.pk],
                                                      involved="路过的外卖员"))
        case = Case.objects.get()
        self.assertRedirects(r, f"/cases/{case.pk}/")
        self.assertEqual(list(case.residents.all()), [self.zhang])
        self.assertEqual(list(case.units.all()), [self.shop])
        self.assertEqual(case.involved, "路过的外卖员")
        audit = AuditEvent.objects.get(action="case.file")
        self.assertEqual((audit.detail["residents"], audit.detail["units"]), ([self.zhang.pk], [self.shop.pk]))

    def test_linking_a_resident_of_another_district_is_refused_with_400_and_writes_nothing(self):
        self.client.force_login(self.carol)
        r = self.client.post("/cases/new/", self.form(residents=[self.zhang.pk, self.wang.pk]))
        self.assertContains(r, "所选人员不属于该网格或不在您的辖区内。", status_code=400)
        self.assertFalse(Case.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action__startswith="case.").exists())

    def test_linking_a_resident_of_another_grid_in_scope_is_refused(self):
        # alice (street officer) may see 李五's register entry, but he lives in grid_a2, not the case's grid.
        self.client.force_login(self.alice)
        r = self.client.post("/cases/new/", self.form(residents=[self.li.pk]))
        self.assertContains(r, "所选人员不属于该网格或不在您的辖区内。", status_code=400)
        self.assertFalse(Case.objects.exists())

    def test_a_unit_of_another_district_and_a_garbage_id_are_refused(self):
        self.client.force_login(self.carol)
        shop_b = self.shop.__class__.objects.create(grid=self.grid_b, name="渔市商店")
        r = self.client.post("/cases/new/", self.form(units=[shop_b.pk]))
        self.assertContains(r, "所选单位不属于该网格或不在您的辖区内。", status_code=400)
        r = self.client.post("/cases/new/", self.form(residents=["abc"]))
        self.assertContains(r, "所选人员不正确。", status_code=400)
        self.assertFalse(Case.objects.exists())




@mock.patch("governance.fields.PICKER_THRESHOLD", 1)
class CaseNewWithTheGridPickerTestCase(CaseTestCase):
    """alice (street officer, two grids) past a threshold of 1: the grid is a searchable text input."""

    def form(self, **extra):
        return {"category": self.clutter.pk, "grid": self.grid_a2.code, "urgency": "normal", "title": "楼道堆物",
                "description": "3号楼楼道堆放纸箱。", **extra}

    def test_the_form_offers_the_grid_search_for_filing(self):
        self.client.force_login(self.alice)
        r = self.client.get("/cases/new/")
        self.assertContains(r, 'data-grid-picker="/territory/grids/search/?cap=file_case"')
        self.assertNotContains(r, "五大门社区第2网格")

    def test_a_typed_grid_code_files_the_case_in_that_grid(self):
        self.client.force_login(self.alice)
        r = self.client.post("/cases/new/", self.form())
        case = Case.objects.get()
        self.assertRedirects(r, f"/cases/{case.pk}/")
        self.assertEqual(case.grid, self.grid_a2)

    def test_a_grid_code_of_the_other_district_is_refused_in_chinese(self):
        self.client.force_login(self.alice)
        r = self.client.post("/cases/new/", self.form(grid=self.grid_b.code))
        self.assertContains(r, "请选择您负责的网格。", status_code=400)
        r = self.client.post("/cases/new/", self.form(grid="1' OR 1=1"))
        self.assertContains(r, "请从候选列表中选择网格", status_code=400)
        self.assertFalse(Case.objects.exists())

from unittest import mock

from governance.models import AuditEvent
from parties.models import House, Resident
from parties.tests.base import ZHANG_ID, RegisterTestCase

URL = "/registers/residents/new/"


class ResidentCreateTestCase(RegisterTestCase):
    def data(self, **extra):
        return {"grid": self.grid_a.code, "name": "孙九", "id_number": "210802198505054322", "phone": "13700001234",
                "ethnicity": "满族", "political_status": "masses", "residency_type": "floating",
                "building": "3号楼", "unit_no": "2单元", "room": "302", **extra}

    def test_a_grid_worker_registers_a_resident_and_the_house_is_created(self):
        self.client.force_login(self.carol)
        self.assertContains(self.client.get(URL), "五大门社区第1网格")
        r = self.client.post(URL, self.data(tags=["disabled"]))
        resident = Resident.objects.get(name="孙九")
        self.assertRedirects(r, f"/registers/residents/{resident.pk}/")
        self.assertEqual(resident.house.address, "3号楼2单元302")
        self.assertEqual(resident.ethnicity, "满族")
        self.assertTrue(resident.tags.filter(tag="disabled").exists())
        self.assertTrue(AuditEvent.objects.filter(action="house.create", actor=self.carol).exists())

    def test_a_bad_id_number_gets_a_chinese_message_and_a_400(self):
        self.client.force_login(self.carol)
        r = self.client.post(URL, self.data(id_number="210802198505054321"))
        self.assertContains(r, "校验不通过，号码有误", status_code=400)
        self.assertNotContains(r, "应为 2", status_code=400)  # the character that would pass is never named
        self.assertFalse(Resident.objects.filter(name="孙九").exists())
        self.assertFalse(House.objects.filter(room="302").exists())  # nothing half-written

    def test_a_duplicate_id_number_is_refused(self):
        self.client.force_login(self.carol)
        self.assertContains(self.client.post(URL, self.data(id_number=ZHANG_ID)), "已登记在册", status_code=400)

    def test_a_grid_worker_cannot_choose_another_grid(self):
        self.client.force_login(self.carol)
        r = self.client.post(URL, self.data(grid=self.grid_b.code))
        self.assertEqual(r.status_code, 400)
        self.assertFalse(Resident.objects.filter(name="孙九").exists())

    def test_a_city_leader_without_the_change_capability_gets_403(self):
        self.client.force_login(self.erin)
        self.assertEqual(self.client.get(URL).status_code, 403)


@mock.patch("governance.fields.PICKER_THRESHOLD", 1)
class ResidentCreateWithTheGridPickerTestCase(RegisterTestCase):
    """A scope of more grids than PICKER_THRESHOLD (here 1; 50 in real life) gets a text input taking
    a grid code, which the type-ahead fills; without JavaScript the code is typed and checked here."""

    def data(self, **extra):
        return {"grid": self.grid_a2.code, "name": "孙九", "id_number": "210802198505054322", "ethnicity": "汉族",
                "political_status": "masses", "residency_type": "registered", **extra}

    def test_the_form_has_a_searchable_text_input_instead_of_listing_every_grid(self):
        self.client.force_login(self.alice)
        r = self.client.get(URL, {"grid": self.grid_a2.code})
        self.assertContains(r, 'data-grid-picker="/territory/grids/search/?cap=change_register"')
        self.assertContains(r, f'type="text" name="grid" value="{self.grid_a2.code}"')
        self.assertNotContains(r, "<option value=\"210802001001001\"")
        self.assertNotContains(r, "五大门社区第1网格")

    def test_a_typed_grid_code_in_scope_registers_the_resident_there(self):
        self.client.force_login(self.alice)
        r = self.client.post(URL, self.data(grid=f" {self.grid_a2.code} "))
        resident = Resident.objects.get(name="孙九")
        self.assertRedirects(r, f"/registers/residents/{resident.pk}/")
        self.assertEqual(resident.grid, self.grid_a2)

    def test_the_pickers_label_pasted_back_is_read_for_its_code(self):
        self.client.force_login(self.alice)
        r = self.client.post(URL, self.data(grid="五大门社区第2网格（210802001001002）"))
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Resident.objects.get(name="孙九").grid, self.grid_a2)

    def test_a_grid_code_outside_the_scope_is_a_chinese_form_error_not_a_leak(self):
        self.client.force_login(self.alice)
        for code in (self.grid_b.code, "210802001009009"):  # bob's grid; a grid that does not exist
            r = self.client.post(URL, self.data(grid=code))
            self.assertContains(r, f"网格编码“{code}”不存在或不在您的辖区内。", status_code=400)
            self.assertNotContains(r, "渔市", status_code=400)
        self.assertFalse(Resident.objects.filter(name="孙九").exists())

    def test_junk_or_a_missing_grid_is_a_chinese_form_error(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.post(URL, self.data(grid="五大门")), "请从候选列表中选择网格，或填写 15 位网格编码。",
                            status_code=400)
        self.assertContains(self.client.post(URL, self.data(grid="")), "请选择网格。", status_code=400)
        self.assertContains(self.client.post(URL, self.data(grid="x" * 500)), "请从候选列表中选择网格", status_code=400)
        self.assertFalse(Resident.objects.filter(name="孙九").exists())

    def test_a_user_without_any_grid_still_gets_a_403(self):
        self.client.force_login(self.erin)  # city leader: may read, not change, the registers
        self.assertEqual(self.client.get(URL).status_code, 403)

    def test_the_form_reads_a_bounded_number_of_rows_whatever_the_scope(self):
        self.client.force_login(self.alice)
        with self.assertNumQueries(7):  # session, user, scope (3), the first PICKER_THRESHOLD + 1 grids, notices
            self.client.get(URL)

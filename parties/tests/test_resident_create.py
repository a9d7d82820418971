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
        self.assertContains(r, "校验位错误：最后一位应为 2", status_code=400)
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

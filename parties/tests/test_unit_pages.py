"""Units: /registers/units/, /registers/units/<pk>/, …/new/, …/edit/, …/reveal/."""

from governance.models import AuditEvent
from parties.models import Unit
from parties.tests.base import SHOP_CODE, SHOP_PHONE, RegisterTestCase


class UnitListTestCase(RegisterTestCase):
    def test_units_are_listed_in_scope_with_masked_phones(self):
        self.client.force_login(self.carol)
        with self.assertNumQueries(9):
            r = self.client.get("/registers/units/")
        self.assertContains(r, "五大门便民超市")
        self.assertContains(r, "139****1111")
        self.assertNotContains(r, "渔市商店")
        self.assertMasked(r.content.decode())

    def test_search_by_credit_code(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.get("/registers/units/", {"credit_code": SHOP_CODE.lower()}), "五大门便民超市")


class UnitDetailTestCase(RegisterTestCase):
    def test_the_unit_page_masks_the_phone_and_is_404_outside_scope(self):
        self.client.force_login(self.carol)
        with self.assertNumQueries(17):  # 6 of them the other apps' sections: visits, cases (scope 2 + list 1 each)
            r = self.client.get(f"/registers/units/{self.shop.pk}/")
        self.assertContains(r, SHOP_CODE)
        self.assertMasked(r.content.decode())
        self.assertEqual(self.client.get(f"/registers/units/{self.shop_b.pk}/").status_code, 404)

    def test_a_reveal_shows_the_phone_and_is_recorded(self):
        self.client.force_login(self.grace)
        self.assertContains(self.client.post(f"/registers/units/{self.shop.pk}/reveal/"), SHOP_PHONE)
        self.assertTrue(AuditEvent.objects.filter(action="pii.reveal", target_type="parties.unit", actor=self.grace).exists())
        self.client.force_login(self.carol)
        self.assertEqual(self.client.post(f"/registers/units/{self.shop.pk}/reveal/").status_code, 403)


class UnitCreateTestCase(RegisterTestCase):
    def data(self, **extra):
        return {"grid": self.grid_a.code, "name": "营口某科技有限公司", "credit_code": "91110000600037341L", "kind": "enterprise",
                "contact_phone": "0417-2812345", **extra}

    def test_a_grid_worker_registers_a_unit(self):
        self.client.force_login(self.carol)
        r = self.client.post("/registers/units/new/", self.data())
        unit = Unit.objects.get(credit_code="91110000600037341L")
        self.assertRedirects(r, f"/registers/units/{unit.pk}/")
        self.assertEqual(unit.contact_phone, "0417-2812345")

    def test_a_bad_credit_code_is_called_wrong_without_naming_a_check_character_that_would_pass(self):
        self.client.force_login(self.carol)
        r = self.client.post("/registers/units/new/", self.data(credit_code="91110000600037341A"))
        self.assertContains(r, "校验不通过，代码有误", status_code=400)
        self.assertNotContains(r, "应为 L", status_code=400)

    def test_a_duplicate_credit_code_is_refused(self):
        self.client.force_login(self.carol)
        self.assertContains(self.client.post("/registers/units/new/", self.data(credit_code=SHOP_CODE)), "已登记", status_code=400)

    def test_editing_keeps_the_phone_when_left_blank(self):
        self.client.force_login(self.carol)
        r = self.client.post(f"/registers/units/{self.shop.pk}/edit/", {"name": "五大门便民超市（新）", "credit_code": SHOP_CODE,
                                                                       "kind": "shop", "contact_phone": ""})
        self.assertEqual(r.status_code, 302)
        self.shop.refresh_from_db()
        self.assertEqual((self.shop.name, self.shop.contact_phone), ("五大门便民超市（新）", SHOP_PHONE))


"""The rosters read and write tokens bound to their row (parties.pii.aad), as the register pages do:
a resident or unit written by the pages exports, and one imported by a roster reads on its page."""

import io

import openpyxl
from django.urls import reverse
from guardian.shortcuts import assign_perm

from governance.tests.base import make_user
from parties import actions as party_actions
from parties import pii
from parties.models import Resident, Unit
from parties.validators import credit_check_char
from rosters.tests.helpers import RosterTestCase, csv_bytes

UNREADABLE = str(pii.UNREADABLE)
HEADER = ["姓名", "公民身份号码", "联系电话", "网格编码"]
WANG_ID, WANG_PHONE = "210803198001020010", "13912345678"
GUO_ID, GUO_PHONE = "21080219950714211X", "19830573909"
CODE = "91210803MA0ABCDE1" + credit_check_char("91210803MA0ABCDE1")
UNIT_HEADER = ["单位名称", "统一社会信用代码", "单位类别", "网格编码", "联系电话"]


class RosterPiiBindingTests(RosterTestCase):
    def rows(self, response):
        return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))

    def clerk(self):
        """Someone who may import and read the register in 西市区 but not reveal."""
        user = make_user("clerk", "录入员")
        for cap in ("import_roster", "view_register"):
            assign_perm(f"governance.scope_{cap}", user, self.xishi)
        return user

    def export(self, user, kind="residents"):
        self.client.force_login(user)
        response = self.client.get(reverse("rosters:export", args=[kind]))
        self.assertEqual(response.status_code, 200)
        return self.rows(response)[1:]

    def test_a_resident_written_by_the_pages_is_exported_masked_or_in_full_as_the_user_may_see(self):
        party_actions.do_create_resident(actor=None, grid=self.grid_b, name="王芳", id_number=WANG_ID,
                                         phone=WANG_PHONE)
        self.assertTrue(Resident.objects.get().id_number_encrypted.startswith(pii.TOKEN_PREFIX))  # bound
        self.assertEqual([r[:3] for r in self.export(self.frank)], [("王芳", WANG_ID, WANG_PHONE)])
        self.assertEqual([r[:3] for r in self.export(self.clerk())],
                         [("王芳", pii.mask_id_number(WANG_ID), pii.mask_phone(WANG_PHONE))])

    def test_a_resident_imported_by_the_roster_reads_back_on_the_resident_page(self):
        self.run_roster("residents", self.write_file("r.csv", csv_bytes([
            HEADER, ["郭玉", GUO_ID, GUO_PHONE, "210803001001001"]])))
        guo = Resident.objects.get()
        self.assertTrue(guo.id_number_encrypted.startswith(pii.TOKEN_PREFIX))
        self.assertEqual((guo.id_number, guo.phone), (GUO_ID, GUO_PHONE))
        self.client.force_login(self.frank)
        page = self.client.get(reverse("parties:resident", args=[guo.pk]))
        self.assertContains(page, pii.mask_id_number(GUO_ID))
        self.assertNotContains(page, UNREADABLE)
        revealed = self.client.post(reverse("parties:resident-reveal", args=[guo.pk]))
        self.assertContains(revealed, GUO_ID)
        self.assertContains(revealed, GUO_PHONE)
        self.assertNotContains(revealed, UNREADABLE)

    def test_a_phone_changed_by_the_roster_stays_readable_beside_the_pages_id_number(self):
        wang = party_actions.do_create_resident(actor=None, grid=self.grid_b, name="王芳", id_number=WANG_ID,
                                                phone=WANG_PHONE)
        result = self.run_roster("residents", self.write_file("r.csv", csv_bytes([
            HEADER, ["王芳", WANG_ID, "13800001111", "210803001001001"]])))
        self.assertEqual(result.counts["updated"], 1)
        wang = Resident.objects.get(pk=wang.pk)
        self.assertEqual((wang.id_number, wang.phone), (WANG_ID, "13800001111"))
        self.assertEqual([r[:3] for r in self.export(self.frank)], [("王芳", WANG_ID, "13800001111")])

    def test_a_unit_written_by_the_pages_is_exported_and_one_imported_reads_back(self):
        party_actions.do_create_unit(actor=None, grid=self.grid_b, name="渔市便民超市", contact_phone="0417-2812345")
        self.run_roster("units", self.write_file("u.csv", csv_bytes([
            UNIT_HEADER, ["渔市商贸有限公司", CODE, "企业", "210803001001001", "13700002222"]])))
        imported = Unit.objects.get(credit_code=CODE)
        self.assertEqual(imported.contact_phone, "13700002222")
        self.assertTrue(imported.contact_phone_encrypted.startswith(pii.TOKEN_PREFIX))
        phones = {r[0]: r[7] for r in self.export(self.frank, "units")}
        self.assertEqual(phones, {"渔市便民超市": "0417-2812345", "渔市商贸有限公司": "13700002222"})
        phones = {r[0]: r[7] for r in self.export(self.clerk(), "units")}
        self.assertEqual(phones, {"渔市便民超市": pii.mask_phone("0417-2812345"),
                                  "渔市商贸有限公司": pii.mask_phone("13700002222")})

    def test_a_token_moved_to_another_row_exports_as_unreadable_instead_of_failing(self):
        wang = party_actions.do_create_resident(actor=None, grid=self.grid_b, name="王芳", id_number=WANG_ID)
        guo = party_actions.do_create_resident(actor=None, grid=self.grid_b, name="郭玉", id_number=GUO_ID)
        Resident.objects.filter(pk=guo.pk).update(id_number_encrypted=wang.id_number_encrypted)
        rows = {r[0]: r[1] for r in self.export(self.clerk())}
        self.assertEqual(rows, {"王芳": pii.mask_id_number(WANG_ID), "郭玉": UNREADABLE})

from governance.models import AuditEvent
from governance.tests.spreadsheets import csv_formulas
from parties import actions
from parties.tests.base import ZHANG_PHONE, RegisterTestCase

URL = "/registers/residents/export.csv"


class ResidentExportTestCase(RegisterTestCase):
    def body(self, response) -> str:
        return b"".join(response.streaming_content).decode("utf-8")

    def test_the_export_is_scoped_masked_and_recorded(self):
        self.client.force_login(self.carol)
        r = self.client.get(URL)
        self.assertEqual(r["Content-Type"], "text/csv; charset=utf-8")
        text = self.body(r)
        self.assertTrue(text.startswith("\ufeff姓名,公民身份号码,性别,出生年份"))
        self.assertIn("张三,110105************,女,1949,138****5678", text)
        self.assertNotIn("1949-12-31", text)
        self.assertIn("社区矫正人员", text)
        self.assertNotIn("李五", text)
        self.assertNotIn("王六", text)
        self.assertMasked(text)
        event = AuditEvent.objects.get(action="resident.export")
        self.assertEqual((event.actor, event.region_code), (self.carol, self.grid_a.code))

    def test_the_export_follows_the_search(self):
        self.client.force_login(self.alice)
        text = self.body(self.client.get(URL, {"name": "李"}))
        self.assertIn("李五", text)
        self.assertNotIn("张三", text)
        self.assertEqual(AuditEvent.objects.get(action="resident.export").detail, {"filters": {"name": "李"}, "rows": 1})

    def test_after_a_search_by_phone_the_export_finds_the_same_rows_and_its_audit_row_holds_a_flag_not_the_phone(self):
        self.client.force_login(self.alice)
        page = self.client.get(self.client.post("/registers/residents/", {"phone": ZHANG_PHONE})["Location"])
        export_url = f"{URL}?{page.context['query']}"
        self.assertNotIn(ZHANG_PHONE, export_url)
        self.assertNotIn("5678", export_url)
        text = self.body(self.client.get(export_url))
        self.assertIn("张三", text)
        self.assertNotIn("张四", text)
        event = AuditEvent.objects.get(action="resident.export")
        self.assertEqual(event.detail, {"filters": {"phone": "（精确）"}, "rows": 1})
        self.assertNotIn("5678", str(event.detail))

    def test_the_query_count_does_not_depend_on_the_rows(self):
        self.client.force_login(self.alice)
        with self.assertNumQueries(14):  # the row count; the audit row in its savepoint (do_record_export is atomic): 3, + the chain head
            self.body(self.client.get(URL))

    def test_a_user_without_register_access_gets_403(self):
        self.client.force_login(self.nobody)
        self.assertEqual(self.client.get(URL).status_code, 403)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(URL, {"id_number": "123"}).status_code, 400)
        self.assertEqual(self.client.get(URL, {"q": "G2.forged"}).status_code, 400)

    def test_a_hostile_name_is_exported_as_text_never_as_a_formula(self):
        actions.do_create_resident(actor=None, grid=self.grid_a, name='=HYPERLINK("http://x","点此")',
                                   id_number="110101199003074979")
        self.client.force_login(self.carol)
        text = self.body(self.client.get(URL))
        self.assertEqual(csv_formulas(text.lstrip("\ufeff")), [])
        self.assertIn("'=HYPERLINK", text)

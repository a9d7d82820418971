from governance.models import AuditEvent
from parties.tests.base import RegisterTestCase

URL = "/registers/residents/export.csv"


class ResidentExportTestCase(RegisterTestCase):
    def body(self, response) -> str:
        return b"".join(response.streaming_content).decode("utf-8")

    def test_the_export_is_scoped_masked_and_recorded(self):
        self.client.force_login(self.carol)
        r = self.client.get(URL)
        self.assertEqual(r["Content-Type"], "text/csv; charset=utf-8")
        text = self.body(r)
        self.assertTrue(text.startswith("\ufeff姓名,公民身份号码"))
        self.assertIn("张三,1101**********002X,女,1949-12-31,138****5678", text)
        self.assertIn("社区矫正人员", text)
        self.assertNotIn("李五", text)
        self.assertNotIn("王六", text)
        self.assertMasked(text)
        self.assertTrue(AuditEvent.objects.filter(action="resident.export", actor=self.carol).exists())

    def test_the_export_follows_the_search(self):
        self.client.force_login(self.alice)
        text = self.body(self.client.get(URL, {"name": "李"}))
        self.assertIn("李五", text)
        self.assertNotIn("张三", text)

    def test_the_query_count_does_not_depend_on_the_rows(self):
        self.client.force_login(self.alice)
        with self.assertNumQueries(10):
            self.body(self.client.get(URL))

    def test_a_user_without_register_access_gets_403(self):
        self.client.force_login(self.nobody)
        self.assertEqual(self.client.get(URL).status_code, 403)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(URL, {"id_number": "123"}).status_code, 400)

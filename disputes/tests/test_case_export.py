"""/cases/export.xlsx: Excel of exactly what the list shows — scoped and filtered, without personal data."""

import io

from openpyxl import load_workbook

from disputes.tests.base import CaseTestCase
from governance.roles import Role
from governance.tests.base import make_user
from governance.tests.spreadsheets import xlsx_formulas


class CaseExportTestCase(CaseTestCase):
    def rows(self, response):
        wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
        return [list(r) for r in wb.active.iter_rows(values_only=True)]

    def test_it_exports_the_scoped_filtered_list_with_chinese_headers(self):
        self.file(title="甲事件", involved="张三 13800000000")
        self.accepted(title="乙事件", category=self.road)
        other = make_user("wg", "网格员", Role.GRID_WORKER, self.grid_b)
        self.file(actor=other, grid=self.grid_b, title="西市区事件")
        self.client.force_login(self.alice)
        r = self.client.get(f"/cases/export.xlsx?category={self.fire.pk}")
        self.assertEqual(r["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertIn("attachment", r["Content-Disposition"])
        rows = self.rows(r)
        self.assertEqual(rows[0][:3], ["编号", "标题", "类别"])
        self.assertEqual([row[1] for row in rows[1:]], ["甲事件"])
        self.assertEqual(rows[1][2:4], ["消防", "楼道堆物"])
        flat = " ".join(str(c) for row in rows for c in row)
        self.assertNotIn("13800000000", flat)  # involved people are personal data: not exported

    def test_a_grid_worker_exports_only_their_grid(self):
        self.file(title="甲事件")
        self.file(actor=self.gina, grid=self.grid_a2, title="乙事件")
        self.client.force_login(self.gina)
        self.assertEqual([row[1] for row in self.rows(self.client.get("/cases/export.xlsx"))[1:]], ["乙事件"])

    def test_a_bad_filter_gives_a_400(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/cases/export.xlsx?to=yesterday").status_code, 400)

    def test_a_hostile_title_is_exported_as_text_never_as_a_formula(self):
        self.file(title='=HYPERLINK("http://evil.example","点此查看")', address="@SUM(A1)")
        self.client.force_login(self.alice)
        content = b"".join(self.client.get("/cases/export.xlsx").streaming_content)
        self.assertEqual(xlsx_formulas(content), [])
        self.assertIn('=HYPERLINK("http://evil.example","点此查看")', [row[1] for row in self.rows_of(content)])

    def rows_of(self, content: bytes):
        return [list(r) for r in load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True)]

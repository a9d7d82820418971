"""GET /cases/config/<table>/export.xlsx: a configuration table as an .xlsx in the import layout
(Chinese headers, labels not codes), city-wide tables for city admins, departments by scope."""

from __future__ import annotations

import tablib

from disputes.tests.config_base import ConfigTablesTestCase
from governance.models import AuditEvent, Department, DepartmentKind


def rows(content: bytes) -> tuple[list[str], list[tuple]]:
    data = tablib.Dataset().load(content, format="xlsx")
    return data.headers, [tuple("" if v is None else v for v in row) for row in data]


class ConfigExportTestCase(ConfigTablesTestCase):
    def test_a_city_admin_exports_the_categories_parents_first_with_chinese_headers(self):
        self.client.force_login(self.root)
        r = self.client.get("/cases/config/categories/export.xlsx")
        self.assertEqual(r["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertIn("attachment", r["Content-Disposition"])
        self.assertEqual(rows(r.content), (
            ["编码", "名称", "上级编码", "启用", "排序"],
            [("04", "消防", "", "是", 0), ("0402", "楼道堆物", "04", "是", 0), ("0603", "道路破损", "", "是", 0)],
        ))

    def test_time_limits_are_exported_with_the_stage_and_unit_in_words(self):
        self.client.force_login(self.root)
        self.assertEqual(rows(self.export("time-limits")), (
            ["类别编码", "环节", "时限", "单位"],
            [("04", "受理", 2, "工作小时"), ("04", "处置", 3, "工作日"), ("04", "核查", 1, "工作日")],
        ))

    def test_dispute_types_and_the_calendar_are_exported(self):
        self.client.force_login(self.root)
        self.assertEqual(rows(self.export("dispute-types"))[1],
                         [("02", "邻里纠纷", "是", 2), ("03", "物业纠纷", "否", 3)])
        self.assertEqual(rows(self.export("calendar")), (
            ["日期", "类型", "说明"], [("2026-10-01", "节假日", "国庆节"), ("2026-10-10", "调休上班", "调休")],
        ))

    def test_each_export_is_audited_once(self):
        self.client.force_login(self.root)
        audits = AuditEvent.objects.count()
        self.export("calendar")
        self.assertEqual(AuditEvent.objects.count(), audits + 1)
        audit = AuditEvent.objects.get(action="config.export.calendar")
        self.assertEqual((audit.actor, audit.detail), (self.root, {"rows": 2}))

    def test_a_district_admin_exports_only_the_departments_of_their_district(self):
        Department.objects.create(name="渔市社区卫生服务站", kind=DepartmentKind.HEALTH, region=self.yushi)
        self.client.force_login(self.frank)
        self.assertEqual(rows(self.export("departments")), (
            ["名称", "类别", "服务区域编码"],
            [("五台子派出所", "派出所", "210803001"), ("渔市社区卫生服务站", "卫健", "210803001001")],
        ))
        self.assertEqual(AuditEvent.objects.get(action="config.export.departments").region_code, "210803")
        self.client.force_login(self.root)
        names = [row[0] for row in rows(self.export("departments"))[1]]
        self.assertEqual(names, ["八田地派出所", "五台子派出所", "渔市社区卫生服务站"])

    def test_a_district_admin_may_not_export_a_city_wide_table(self):
        self.client.force_login(self.frank)
        for table in ("categories", "time-limits", "dispute-types", "calendar"):
            with self.subTest(table=table):
                r = self.client.get(f"/cases/config/{table}/export.xlsx")
                self.assertContains(r, "只有市级管理员", status_code=403)
        self.assertFalse(AuditEvent.objects.filter(action__startswith="config.export").exists())

    def test_a_street_officer_may_not_export_the_departments(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.get("/cases/config/departments/export.xlsx"), "您没有配置职能部门的权限。",
                            status_code=403)

    def test_an_unknown_table_is_404_and_a_post_is_405(self):
        self.client.force_login(self.root)
        self.assertEqual(self.client.get("/cases/config/residents/export.xlsx").status_code, 404)
        self.assertEqual(self.client.post("/cases/config/categories/export.xlsx").status_code, 405)

    def test_the_configuration_page_offers_each_user_the_tables_they_may_keep(self):
        self.client.force_login(self.root)
        page = self.client.get("/cases/config/")
        for table in ("categories", "time-limits", "dispute-types", "calendar", "departments"):
            self.assertContains(page, f'href="/cases/config/{table}/export.xlsx"')
            self.assertContains(page, f'action="/cases/config/{table}/import/"')
        self.client.force_login(self.frank)
        page = self.client.get("/cases/config/")
        self.assertContains(page, 'href="/cases/config/departments/export.xlsx"')
        self.assertNotContains(page, 'href="/cases/config/categories/export.xlsx"')
        self.client.force_login(self.carol)
        self.assertNotContains(self.client.get("/cases/config/"), "导出 Excel")

"""/rosters/<kind>/export/: the roster in the user's scope, PII masked unless they may reveal it."""

import io

import openpyxl
from django.urls import reverse

from governance.models import AuditEvent
from governance.tests.base import make_user
from governance.tests.spreadsheets import csv_formulas, xlsx_formulas
from parties import pii
from rosters.tests.helpers import RosterTestCase, csv_bytes

HEADER = ["姓名", "公民身份号码", "联系电话", "网格编码"]
HOSTILE = '=HYPERLINK("http://x","点此")'


class RosterExportTests(RosterTestCase):
    def setUp(self):
        super().setUp()
        self.run_roster("residents", self.write_file("r.csv", csv_bytes([
            HEADER, ["郭玉", "21080219950714211X", "19830573909", "210802001001001"],
            ["严轩", "210802194604082478", "13691682483", "210803001001001"]])))

    def rows(self, response):
        return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))

    def test_an_admin_exports_only_their_district_with_ids_revealed_to_their_role(self):
        self.client.force_login(self.frank)
        rows = self.rows(self.client.get(reverse("rosters:export", args=["residents"])))
        self.assertEqual(rows[0][:3], ("姓名", "公民身份号码", "联系电话"))
        self.assertEqual([(r[0], r[1], r[2]) for r in rows[1:]], [("严轩", "210802194604082478", "13691682483")])

    def test_someone_who_may_import_but_not_reveal_gets_masked_values(self):
        from guardian.shortcuts import assign_perm

        user = make_user("clerk", "录入员")
        for cap in ("import_roster", "view_register"):
            assign_perm(f"governance.scope_{cap}", user, self.zhanqian)
        self.client.force_login(user)
        rows = self.rows(self.client.get(reverse("rosters:export", args=["residents"])))
        self.assertEqual([(r[0], r[1], r[2]) for r in rows[1:]],
                         [("郭玉", pii.mask_id_number("21080219950714211X"), pii.mask_phone("19830573909"))])

    def test_someone_without_the_import_capability_gets_403(self):
        self.client.force_login(self.erin)
        self.assertEqual(self.client.get(reverse("rosters:export", args=["residents"])).status_code, 403)
        self.assertFalse(AuditEvent.objects.filter(action__startswith="roster.export.").exists())

    def test_each_export_leaves_one_audit_row_naming_the_kind_the_format_the_region_and_the_rows(self):
        self.client.force_login(self.frank)
        self.client.get(reverse("rosters:export", args=["residents"]))
        event = AuditEvent.objects.get(action__startswith="roster.export.")
        self.assertEqual((event.action, event.actor, event.region_code, event.detail),
                         ("roster.export.residents", self.frank, self.xishi.code,
                          {"format": "xlsx", "rows": 1, "scope": [self.xishi.code]}))
        b"".join(self.client.get(reverse("rosters:export", args=["units"]) + "?format=csv").streaming_content)
        self.assertEqual(AuditEvent.objects.get(action="roster.export.units").detail,
                         {"format": "csv", "rows": 0, "scope": [self.xishi.code]})

    def test_an_export_over_two_districts_records_their_common_prefix_and_every_row(self):
        from governance.models import RoleAssignment
        from governance.roles import Role

        RoleAssignment.objects.create(user=self.frank, role=Role.ADMIN, region=self.zhanqian)
        self.client.force_login(self.frank)
        rows = self.rows(self.client.get(reverse("rosters:export", args=["residents"])))
        event = AuditEvent.objects.get(action="roster.export.residents")
        self.assertEqual(len(rows) - 1, 2)
        self.assertEqual((event.region_code, event.detail["rows"], event.detail["scope"]),
                         (self.city.code, 2, [self.zhanqian.code, self.xishi.code]))

    def test_an_unknown_kind_is_404_and_leaves_no_audit_row(self):
        self.client.force_login(self.frank)
        self.assertEqual(self.client.get("/rosters/pets/export/").status_code, 404)
        self.assertFalse(AuditEvent.objects.filter(action__startswith="roster.export.").exists())

    def test_the_csv_export_streams_the_territory_in_scope(self):
        self.client.force_login(self.frank)
        response = self.client.get(reverse("rosters:export", args=["territory"]) + "?format=csv")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        self.assertIn("210803001001001", text)
        self.assertNotIn("210802001001001", text)


class RosterExportFormulaTests(RosterTestCase):
    """Issue 11 (4): what a resident's or a unit's name says is stored as text, never as a formula."""

    def setUp(self):
        super().setUp()
        residents = self.run_roster("residents", self.write_file("r.csv", csv_bytes([
            HEADER, [HOSTILE, "210802194604082478", "13691682483", "210803001001001"],
            ["-2+3", "21080219950714211X", "19830573909", "210803001001001"]])))
        units = self.run_roster("units", self.write_file("u.csv", csv_bytes([
            ["单位名称", "统一社会信用代码", "网格编码", "地址", "法定代表人"],
            ["@SUM(A1)", "91210802MA0P5X0Q47", "210803001001001", "+1+1", HOSTILE]])))
        assert (residents.counts["new"], units.counts["new"]) == (2, 1), (residents.bad_rows, units.bad_rows)
        self.client.force_login(self.frank)

    WRITTEN = {"residents": {HOSTILE, "-2+3"}, "units": {"@SUM(A1)", "+1+1", HOSTILE}}

    def export(self, kind: str, file_format: str):
        return self.client.get(reverse("rosters:export", args=[kind]), {"format": file_format})

    def test_the_xlsx_exports_hold_the_names_as_text_and_no_formula(self):
        for kind in ("residents", "units"):
            with self.subTest(kind=kind):
                content = self.export(kind, "xlsx").content
                self.assertEqual(xlsx_formulas(content), [])
                values = {v for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)
                          for v in row}
                self.assertLessEqual(self.WRITTEN[kind], values)  # unchanged: the file re-imports as it was

    def test_the_csv_exports_hold_nothing_a_spreadsheet_evaluates(self):
        for kind in ("residents", "units"):
            with self.subTest(kind=kind):
                text = b"".join(self.export(kind, "csv").streaming_content).decode("utf-8-sig")
                self.assertEqual(csv_formulas(text), [])
                self.assertIn("'" + ("=HYPERLINK" if kind == "residents" else "@SUM(A1)"), text)

"""/rosters/<kind>/export/: the roster in the user's scope, PII masked unless they may reveal it."""

import io

import openpyxl
from django.urls import reverse

from governance.models import AuditEvent
from governance.tests.base import make_user
from rosters.tests.helpers import RosterTestCase, csv_bytes

HEADER = ["姓名", "公民身份号码", "联系电话", "网格编码"]


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
        self.assertEqual([(r[0], r[1], r[2]) for r in rows[1:]], [("郭玉", "2108**********211X", "198****3909")])

    def test_someone_without_the_import_capability_gets_403(self):
        self.client.force_login(self.erin)
        self.assertEqual(self.client.get(reverse("rosters:export", args=["residents"])).status_code, 403)
        self.assertFalse(AuditEvent.objects.filter(action__startswith="roster.export.").exists())

    def test_each_export_leaves_one_audit_row_naming_the_kind_the_format_and_the_importers_territory(self):
        self.client.force_login(self.frank)
        self.client.get(reverse("rosters:export", args=["residents"]))
        event = AuditEvent.objects.get(action__startswith="roster.export.")
        self.assertEqual((event.action, event.actor, event.region_code, event.detail),
                         ("roster.export.residents", self.frank, self.xishi.code, {"format": "xlsx"}))
        b"".join(self.client.get(reverse("rosters:export", args=["units"]) + "?format=csv").streaming_content)
        self.assertEqual(AuditEvent.objects.get(action="roster.export.units").detail, {"format": "csv"})

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

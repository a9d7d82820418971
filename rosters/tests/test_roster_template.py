"""/rosters/<kind>/template/: a blank template per kind, xlsx or csv."""

import io

import openpyxl
from django.urls import reverse

from rosters.kinds import ROSTERS
from rosters.tests.helpers import RosterTestCase


class RosterTemplateTests(RosterTestCase):
    def test_every_kind_has_an_xlsx_template_whose_header_the_importer_reads(self):
        self.client.force_login(self.frank)
        for kind, roster in ROSTERS.items():
            response = self.client.get(reverse("rosters:template", args=[kind]))
            self.assertEqual(response.status_code, 200)
            header = next(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
            self.assertEqual(set(roster.match_header(header)), {c.key for c in roster.columns})

    def test_the_csv_template_has_a_bom_for_excel(self):
        self.client.force_login(self.frank)
        response = self.client.get(reverse("rosters:template", args=["residents"]) + "?format=csv")
        self.assertTrue(response.content.startswith(b"\xef\xbb\xbf\xe5\xa7\x93\xe5\x90\x8d"))  # BOM + 姓名

    def test_an_unknown_kind_is_404(self):
        self.client.force_login(self.frank)
        self.assertEqual(self.client.get(reverse("rosters:template", args=["aliens"])).status_code, 404)

    def test_the_residents_template_explains_that_an_import_never_removes_a_tag(self):
        self.client.force_login(self.frank)
        response = self.client.get(reverse("rosters:template", args=["residents"]))
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        self.assertEqual(workbook.sheetnames[0], "实有人口")  # the importer reads the first sheet
        notes = "".join(row[0] for row in workbook["填写说明"].iter_rows(values_only=True) if row[0])
        self.assertIn("人员标签只增不减", notes)
        self.assertIn("不会被删除", notes)

    def test_a_template_with_notes_still_imports_as_a_blank_roster(self):
        self.client.force_login(self.frank)
        response = self.client.get(reverse("rosters:template", args=["residents"]))
        path = self.write_file("template.xlsx", response.content)
        result = self.run_roster("residents", path, dry_run=True)
        self.assertEqual(result.rows_read, 1)  # the example row; the notes sheet is not read

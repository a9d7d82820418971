"""python manage.py import_roster KIND FILE [--dry-run] [--errors OUT.xlsx] [--user U]"""

import io

import openpyxl
from django.core.management import call_command
from django.core.management.base import CommandError

from governance.models import Region
from rosters.models import ImportJob
from rosters.tests.helpers import RosterTestCase, csv_bytes

ROWS = [["编码", "名称"], ["210802003", "新街道"], ["2108020040", "坏编码"]]


class ImportRosterCommandTests(RosterTestCase):
    def call(self, *args):
        out = io.StringIO()
        call_command("import_roster", *args, stdout=out)
        return out.getvalue()

    def test_a_dry_run_prints_the_counts_and_each_bad_row_and_exits_non_zero(self):
        path = self.write_file("t.csv", csv_bytes(ROWS))
        errors = self.tmp / "out.xlsx"
        out = io.StringIO()
        with self.assertRaises(SystemExit) as caught:
            call_command("import_roster", "territory", str(path), "--dry-run", "--errors", str(errors), stdout=out)
        self.assertEqual(caught.exception.code, 1)
        self.assertIn("预检：新增 1，更新 0，未变 0，错误 1", out.getvalue())
        self.assertIn("第 3 行 [bad_code]", out.getvalue())
        self.assertFalse(Region.objects.filter(code="210802003").exists())
        self.assertEqual(openpyxl.load_workbook(errors).active.max_row, 2)
        self.assertEqual(ImportJob.objects.get().source, "cli")

    def test_an_import_writes_the_good_rows_and_exits_zero(self):
        out = self.call("territory", str(self.write_file("t.csv", csv_bytes(ROWS))))
        self.assertIn("导入：新增 1", out)
        self.assertTrue(Region.objects.filter(code="210802003").exists())

    def test_a_user_imports_only_within_their_scope(self):
        out = self.call("territory", str(self.write_file("t.csv", csv_bytes(ROWS[:2]))), "--user", "frank")
        self.assertIn("不在您的管辖范围内", out)
        self.assertFalse(Region.objects.filter(code="210802003").exists())
        job = ImportJob.objects.get()
        self.assertEqual((job.created_by, job.region_id, job.source), (self.frank, "210803", "cli"))

    def test_a_broken_file_or_a_missing_one_is_a_clear_error(self):
        with self.assertRaisesMessage(CommandError, "截断"):
            self.call("territory", str(self.write_file("t.xlsx", b"PK\x03\x04broken")))
        with self.assertRaisesMessage(CommandError, "文件不存在"):
            self.call("territory", str(self.tmp / "nope.csv"))

"""The grid workers roster: a user and a grid_worker role per grid, idempotent, scoped."""

import openpyxl

from governance.models import RoleAssignment, User
from governance.roles import Role
from rosters.tests.helpers import RosterTestCase, csv_bytes, xlsx_bytes

HEADER = ["姓名", "手机号", "用户名", "网格编码"]


class GridWorkerRosterTests(RosterTestCase):
    def test_workers_are_created_with_one_role_per_grid_and_reimport_changes_nothing(self):
        path = self.write_file("w.xlsx", xlsx_bytes([
            HEADER,
            ["王 芳", "138 0000 0001", "", "210802001001001、210802001001002"],
            ["李强", "１３８００００００02", "liqiang", "210802002001001"],
        ]))
        result = self.run_roster("grid_workers", path)
        self.assertEqual(result.counts, {"new": 2, "updated": 0, "unchanged": 0, "bad": 0})
        wang = User.objects.get(username="13800000001")
        self.assertEqual((wang.name, wang.phone), ("王芳", "13800000001"))
        self.assertFalse(wang.has_usable_password())
        self.assertEqual(
            set(RoleAssignment.objects.filter(user=wang, role=Role.GRID_WORKER).values_list("region_id", flat=True)),
            {"210802001001001", "210802001001002"},
        )
        self.assertEqual(User.objects.get(username="liqiang").phone, "13800000002")
        again = self.run_roster("grid_workers", path)
        self.assertEqual(again.counts, {"new": 0, "updated": 0, "unchanged": 2, "bad": 0})
        self.assertEqual(RoleAssignment.objects.filter(role=Role.GRID_WORKER).count(), 4)  # carol + 3

    def test_a_new_grid_or_a_new_phone_updates_the_worker(self):
        path = self.write_file("w.csv", csv_bytes([
            ["网格员姓名", "联系电话", "账号", "所属网格编码"],
            ["卡萝", "13900000000", "carol", "210802001001002"],
        ]))
        result = self.run_roster("grid_workers", path, actor=self.dave.__class__.objects.get(username="dave"))
        # dave is district centre: no import capability at all
        self.assertEqual(result.counts["bad"], 1)
        result = self.run_roster("grid_workers", path)
        self.assertEqual(result.counts["updated"], 1)
        self.carol.refresh_from_db()
        self.assertEqual(self.carol.phone, "13900000000")
        self.assertEqual(RoleAssignment.objects.filter(user=self.carol, role=Role.GRID_WORKER).count(), 2)

    def test_bad_rows_are_reported_and_the_good_rows_are_written(self):
        errors = self.tmp / "errors.xlsx"
        path = self.write_file("w.xlsx", xlsx_bytes([
            HEADER,
            ["", "13800000001", "", "210802001001001"],
            ["张三", "12345", "", "210802001001001"],
            ["李四", "13800000003", "", "210802009009009"],
            ["赵五", "13800000004", "", "210803001001001"],
            ["钱六", "13800000005", "", "210802001001001"],
            ["钱六", "13800000005", "", "210802001001001"],
        ]))
        result = self.run_roster("grid_workers", path, actor=self.make_admin(), errors=errors)
        self.assertEqual(
            [(b["row"], b["code"]) for b in result.bad_rows],
            [(2, "missing_name"), (3, "bad_phone"), (4, "unknown_grid"), (5, "out_of_scope"), (7, "duplicate_in_file")],
        )
        self.assertEqual(result.counts["new"], 1)
        self.assertTrue(User.objects.filter(username="13800000005").exists())
        self.assertFalse(User.objects.filter(username__in=["13800000003", "13800000004"]).exists())
        sheet = openpyxl.load_workbook(errors).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0], ("姓名", "手机号", "用户名", "网格编码", "错误原因"))
        self.assertEqual(len(rows), 6)
        self.assertIn("第 3 行", rows[2][4])

    def test_an_account_held_outside_the_importers_scope_is_not_changed(self):
        path = self.write_file("w.csv", csv_bytes([HEADER, ["鲍勃", "13800000009", "bob", "210802001001001"]]))
        result = self.run_roster("grid_workers", path, actor=self.make_admin())
        self.assertEqual([b["code"] for b in result.bad_rows], ["out_of_scope"])
        self.bob.refresh_from_db()
        self.assertEqual(self.bob.name, "鲍勃")
        self.assertFalse(RoleAssignment.objects.filter(user=self.bob, role=Role.GRID_WORKER).exists())

    def make_admin(self):
        from governance.tests.base import make_user

        return make_user("zoe", "佐伊", Role.ADMIN, self.zhanqian)

"""The houses and units rosters: upsert on (building, unit, room) and on the credit code."""

from parties.models import House, HouseUse, Unit, UnitKind
from parties.validators import credit_check_char
from rosters.tests.helpers import RosterTestCase, csv_bytes, xlsx_bytes

CODE = "91210802MA0ABCDE1" + credit_check_char("91210802MA0ABCDE1")


class HouseRosterTests(RosterTestCase):
    def test_houses_are_created_then_updated_never_duplicated(self):
        rows = [["网格编码", "楼栋", "单元", "房号", "用途", "面积", "产权人"],
                ["210802001001001", "1号楼", "1单元", "101", "出租", "89.5", "张三"],
                ["210802001001001", "1号楼", "1单元", "102", "", "", ""],
                ["210802001001001", "1号楼", "1单元", "102", "", "", ""],
                ["210803001001001", "2号楼", "", "201", "", "", ""],
                ["210802001001001", "", "", "201", "别墅", "abc", ""]]
        result = self.run_roster("houses", self.write_file("h.xlsx", xlsx_bytes(rows)), actor=self.make_admin())
        self.assertEqual(result.counts["new"], 2)
        self.assertEqual([b["code"] for b in result.bad_rows], ["duplicate_in_file", "out_of_scope", "missing_building"])
        house = House.objects.get(room="101")
        self.assertEqual((house.use, str(house.area), house.owner_name), (HouseUse.RENTED, "89.50", "张三"))
        rows[1][4] = "空置"
        again = self.run_roster("houses", self.write_file("h.csv", csv_bytes(rows[:3])))
        self.assertEqual((again.counts["updated"], again.counts["unchanged"]), (1, 1))
        self.assertEqual(House.objects.count(), 2)
        self.assertEqual(House.objects.get(room="101").use, HouseUse.VACANT)

    def make_admin(self):
        from governance.roles import Role
        from governance.tests.base import make_user

        return make_user("zoe", "佐伊", Role.ADMIN, self.zhanqian)


class UnitRosterTests(RosterTestCase):
    def test_units_are_keyed_on_the_credit_code_and_checked(self):
        header = ["单位名称", "统一社会信用代码", "单位类别", "网格编码", "地址", "法定代表人", "联系人", "联系电话", "从业人数"]
        rows = [header,
                ["示例商贸有限公司", CODE.lower(), "企业", "210802001001001", "示例路1号", "张三", "李四", "0417-2812345", "12"],
                ["坏代码公司", CODE[:17] + ("0" if CODE[17] != "0" else "1"), "", "210802001001001", "", "", "", "", ""],
                ["", CODE, "", "210802001001001", "", "", "", "", ""]]
        result = self.run_roster("units", self.write_file("u.csv", csv_bytes(rows, "gbk")))
        self.assertEqual(result.counts["new"], 1)
        self.assertEqual([b["code"] for b in result.bad_rows], ["credit_code_checksum", "missing_name"])
        unit = Unit.objects.get()
        self.assertEqual((unit.credit_code, unit.kind, unit.contact_phone, unit.employees),
                         (CODE, UnitKind.ENTERPRISE, "0417-2812345", 12))
        rows[1][0] = "示例商贸（营口）有限公司"
        again = self.run_roster("units", self.write_file("u2.csv", csv_bytes(rows[:2])))
        self.assertEqual(again.counts["updated"], 1)
        self.assertEqual(Unit.objects.get().name, "示例商贸(营口)有限公司")

"""The residents roster on the shared sample files, and on the messy values real files have."""

import json

import openpyxl

from governance.roles import Role
from governance.tests.base import make_user
from parties import pii
from parties.models import Building, House, Resident, ResidentTag, TagKind
from rosters.tests.helpers import RosterTestCase, csv_bytes, shared_file, xlsx_bytes

HEADER = ["姓名", "公民身份号码", "联系电话", "民族", "政治面貌", "人口类型", "网格编码", "楼栋", "单元", "房号", "人员标签"]
GOOD_ID = "21080219950714211X"


class SampleResidentsTests(RosterTestCase):
    def setUp(self):
        super().setUp()
        self.expected = json.loads(shared_file("expected.json").read_text())
        self.run_roster("territory", shared_file("territory.xlsx"))

    def bad(self, result):
        return {str(b["row"]): b["code"] for b in result.bad_rows}

    def test_the_sample_xlsx_is_rejected_on_exactly_the_expected_rows(self):
        result = self.run_roster("residents", shared_file("residents.xlsx"), dry_run=True)
        self.assertEqual(self.bad(result), self.expected["bad"])
        self.assertEqual(result.counts, {"new": self.expected["good"], "updated": 0, "unchanged": 0,
                                         "bad": len(self.expected["bad"])})
        self.assertEqual(Resident.objects.count(), 0)

    def test_the_sample_gbk_csv_is_rejected_on_exactly_the_expected_rows(self):
        result = self.run_roster("residents", shared_file("residents_gbk.csv"), dry_run=True)
        self.assertEqual(self.bad(result), self.expected["csv_bad"])
        self.assertEqual(result.counts["new"], self.expected["good"])

    def test_the_good_rows_are_written_and_importing_again_changes_nothing(self):
        errors = self.tmp / "errors.xlsx"
        result = self.run_roster("residents", shared_file("residents.xlsx"), errors=errors)
        self.assertEqual(result.counts["new"], self.expected["good"])
        self.assertEqual(Resident.objects.count(), self.expected["good"])
        guo = Resident.objects.get(id_number_hash=pii.blind_index(GOOD_ID))
        self.assertEqual((guo.name, guo.id_number, guo.gender, guo.birth_date.isoformat()),
                         ("郭玉", GOOD_ID, "M", "1995-07-14"))
        self.assertEqual(guo.house.address, "38号楼4单元303")
        self.assertTrue(ResidentTag.objects.filter(tag=TagKind.RELEASED_PRISONER).exists())
        snapshot = list(Resident.objects.order_by("pk").values_list("pk", "name", "grid_id", "phone_hash", "house_id"))
        houses, tags = House.objects.count(), ResidentTag.objects.count()

        again = self.run_roster("residents", shared_file("residents.xlsx"))
        self.assertEqual(again.counts, {"new": 0, "updated": 0, "unchanged": self.expected["good"],
                                        "bad": len(self.expected["bad"])})
        also_csv = self.run_roster("residents", shared_file("residents_gbk.csv"))
        self.assertEqual(also_csv.counts["unchanged"], self.expected["good"])
        self.assertEqual(snapshot, list(Resident.objects.order_by("pk").values_list(
            "pk", "name", "grid_id", "phone_hash", "house_id")))
        self.assertEqual((House.objects.count(), ResidentTag.objects.count()), (houses, tags))

        rows = list(openpyxl.load_workbook(errors).active.iter_rows(values_only=True))
        self.assertEqual(rows[0][-1], "错误原因")
        self.assertEqual(len(rows) - 1, len(self.expected["bad"]))
        self.assertEqual(rows[2][1], "210802195902023000")  # the ID number stays text, ready to fix

    def test_the_error_file_fixed_and_imported_again_brings_in_the_fixed_rows(self):
        errors = self.tmp / "errors.xlsx"
        self.run_roster("residents", shared_file("residents.xlsx"), errors=errors)
        wb = openpyxl.load_workbook(errors)
        ws = wb.active
        ws.delete_rows(2, ws.max_row)  # keep the header (with its 错误原因 column, which is ignored)
        ws.append(["韦秀", "210802195902023008", "15919994920", "汉族", "群众", "户籍人口", "210802003001005",
                   "27号楼", "2单元", "103", None, "第 19 行：校验位错误"])
        wb.save(errors)
        result = self.run_roster("residents", errors)
        self.assertEqual(result.counts["new"], 1)

    def test_an_admin_of_district_a_cannot_import_residents_into_district_b(self):
        result = self.run_roster("residents", shared_file("residents.xlsx"), actor=self.frank)
        self.assertEqual(result.counts["new"] + result.counts["updated"], 0)
        self.assertIn("out_of_scope", set(self.bad(result).values()))
        self.assertEqual(Resident.objects.count(), 0)


class MessyResidentsTests(RosterTestCase):
    def test_full_width_digits_lowercase_x_spaces_and_aliases_are_normalised(self):
        path = self.write_file("r.xlsx", xlsx_bytes([
            ["站前区实有人口登记表"],
            ["姓名", "身份证号", "手机号码", "民族", "政治面貌", "人口类型", "所属网格编码", "楼栋", "单元", "房号", "标签"],
            [" 郭 玉 ", "２１０８０２１９９５０７１４２１１ｘ", " 198 3057 3909 ", "汉族", "党员", "户籍", "210802001001001 ",
             "38号楼", "4单元", "303", "低保户、残疾人"],
            [None] * 11,
        ]))
        result = self.run_roster("residents", path)
        self.assertEqual(result.counts, {"new": 1, "updated": 0, "unchanged": 0, "bad": 0})
        guo = Resident.objects.get()
        self.assertEqual((guo.name, guo.id_number, guo.phone, guo.political_status), ("郭玉", GOOD_ID, "19830573909",
                                                                                     "cpc_member"))
        self.assertEqual(set(guo.tags.values_list("tag", flat=True)), {TagKind.SUBSISTENCE, TagKind.DISABLED})

    def test_an_id_number_that_excel_turned_into_a_number_is_refused_with_a_format_hint(self):
        path = self.write_file("r.xlsx", xlsx_bytes([
            HEADER,
            ["郭玉", 210802199507142110, "", "", "", "", "210802001001001", "", "", "", ""],
            ["严轩", 2.10802194604082e17, "", "", "", "", "210802001001001", "", "", "", ""],
        ]))
        csv_path = self.write_file("r.csv", csv_bytes([
            HEADER, ["郭玉", "2.10802E+17", "", "", "", "", "210802001001001", "", "", "", ""]]))
        for p in (path, csv_path):
            result = self.run_roster("residents", p)
            self.assertEqual({b["code"] for b in result.bad_rows}, {"id_precision"})
            self.assertIn("文本", result.bad_rows[0]["reason"])
        self.assertEqual(Resident.objects.count(), 0)

    def test_bad_phones_missing_fields_and_unknown_tags_are_bad_rows(self):
        path = self.write_file("r.csv", csv_bytes([
            HEADER,
            ["郭玉", GOOD_ID, "1234", "", "", "", "210802001001001", "", "", "", ""],
            ["郭玉", "", "", "", "", "", "210802001001001", "", "", "", ""],
            ["郭玉", GOOD_ID, "", "", "", "", "", "", "", "", ""],
            ["郭玉", GOOD_ID, "", "", "", "", "210802001001001", "", "", "", "外星人"],
            ["郭玉", GOOD_ID, "", "", "", "", "210802001001001", "1号楼", "", "", ""],
        ], "gbk"))
        result = self.run_roster("residents", path)
        self.assertEqual([b["code"] for b in result.bad_rows],
                         ["bad_phone", "missing_id_number", "missing_grid", "bad_tag", "bad_house"])

    def test_a_changed_phone_or_house_updates_the_resident_in_place(self):
        row = ["郭玉", GOOD_ID, "19830573909", "汉族", "群众", "户籍人口", "210802001001001", "1号楼", "1单元", "101", ""]
        self.run_roster("residents", self.write_file("a.csv", csv_bytes([HEADER, row])))
        pk = Resident.objects.get().pk
        row[2], row[9] = "13800000000", "102"
        result = self.run_roster("residents", self.write_file("b.csv", csv_bytes([HEADER, row])))
        self.assertEqual(result.counts["updated"], 1)
        guo = Resident.objects.get()
        self.assertEqual((guo.pk, guo.phone, guo.house.room), (pk, "13800000000", "102"))
        self.assertEqual(Building.objects.count(), 1)

    def test_a_resident_registered_in_another_district_is_not_moved_by_this_districts_admin(self):
        row = ["郭玉", GOOD_ID, "", "", "", "", "210803001001001", "", "", "", ""]
        self.run_roster("residents", self.write_file("a.csv", csv_bytes([HEADER, row])))
        admin = make_user("zoe", "佐伊", Role.ADMIN, self.zhanqian)
        row[6] = "210802001001001"
        result = self.run_roster("residents", self.write_file("b.csv", csv_bytes([HEADER, row])), actor=admin)
        self.assertEqual([b["code"] for b in result.bad_rows], ["out_of_scope"])
        self.assertEqual(Resident.objects.get().grid_id, "210803001001001")


class ErrorFileColumnsTests(RosterTestCase):
    def test_the_error_file_types_the_id_number_and_phone_columns_as_text_wide_enough(self):
        errors = self.tmp / "errors.xlsx"
        self.run_roster("residents", shared_file("residents.xlsx"), errors=errors)
        ws = openpyxl.load_workbook(errors).active
        header = [c.value for c in ws[1]]
        id_col, phone_col = header.index("公民身份号码") + 1, header.index("联系电话") + 1
        letter = openpyxl.utils.get_column_letter
        self.assertGreaterEqual(ws.column_dimensions[letter(id_col)].width, 20)
        self.assertGreaterEqual(ws.column_dimensions[letter(phone_col)].width, 13)
        cell = ws.cell(row=2, column=id_col)
        self.assertEqual(cell.number_format, "@")
        self.assertIsInstance(cell.value, str)

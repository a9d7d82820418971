"""governance.resources on its own: reading an uploaded table, and DepartmentResource, the
territorial configuration table (only rows in the importer's CONFIGURE scope are read or written)."""

from __future__ import annotations

import tablib
from django.core.exceptions import ValidationError

from governance.models import Department, DepartmentKind
from governance.resources import (
    MAX_ROWS,
    DepartmentResource,
    common_region,
    import_counts,
    preview_rows,
    read_spreadsheet,
)
from governance.tests.base import TerritoryTestCase

HEADERS = ["名称", "类别", "服务区域编码"]


def dataset(*rows: list) -> tablib.Dataset:
    return read_spreadsheet(tablib.Dataset(*rows, headers=HEADERS).export("xlsx"))


class ReadSpreadsheetTestCase(TerritoryTestCase):
    def test_blank_rows_are_skipped_and_each_row_keeps_its_spreadsheet_row_number(self):
        data = read_spreadsheet("名称,类别\n\n八田地派出所, 派出所 \n,\n建设司法所,司法所\n".encode())
        self.assertEqual(data.headers, ["名称", "类别"])
        self.assertEqual(list(data), [("八田地派出所", "派出所"), ("建设司法所", "司法所")])
        self.assertEqual(data.row_numbers, [3, 5])

    def test_a_gbk_csv_is_read_and_a_binary_file_is_refused(self):
        self.assertEqual(list(read_spreadsheet("名称\n八田地派出所\n".encode("gbk"))), [("八田地派出所",)])
        with self.assertRaisesMessage(ValidationError, "文件不是有效的 .xlsx 或 .csv 文件。"):
            read_spreadsheet(b"\x00\x01\x02")

    def test_a_file_longer_than_a_configuration_table_is_refused_whole(self):
        content = ("名称\n" + "部门\n" * (MAX_ROWS + 1)).encode()
        with self.assertRaisesMessage(ValidationError, f"配置表最多 {MAX_ROWS} 行"):
            read_spreadsheet(content)


class DepartmentResourceTestCase(TerritoryTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.police_b = Department.objects.create(name="五台子派出所", kind=DepartmentKind.POLICE, region=cls.wutaizi)

    def test_the_export_holds_only_the_departments_in_the_users_scope(self):
        self.assertEqual(list(DepartmentResource(user=self.frank).export()), [("五台子派出所", "派出所", "210803001")])
        self.assertEqual(len(DepartmentResource(user=None).export()), 2)  # the system sees every department

    def test_a_row_in_another_district_is_invalid_and_nothing_of_it_is_written(self):
        resource = DepartmentResource(user=self.frank)
        data = dataset(["八田地司法所", "司法所", "210802001"], ["八田地派出所", "城管", "210802001"])
        result = resource.import_data(data, dry_run=False, raise_errors=False, rollback_on_validation_errors=True)
        self.assertEqual(import_counts(result), {"new": 0, "updated": 0, "unchanged": 0, "invalid": 2})
        self.assertEqual([r.errors for r in preview_rows(resource, result, data)],
                         [["服务区域“210802001”不在您的管辖范围内。"]] * 2)
        self.assertFalse(Department.objects.filter(name="八田地司法所").exists())
        self.police_a.refresh_from_db()
        self.assertEqual(self.police_a.kind, DepartmentKind.POLICE)

    def test_the_kind_is_read_as_its_label_or_its_value_and_a_bad_one_lists_the_kinds(self):
        resource = DepartmentResource(user=self.frank)
        data = dataset(["五台子派出所", "police", "210803001"], ["五台子城管中队", "城管", "210803001"],
                       ["五台子卫生院", "医院", "210803001"])
        result = resource.import_data(data, dry_run=True)
        rows = preview_rows(resource, result, data)
        self.assertEqual([r.label for r in rows], ["无变化", "新增", "有误"])
        self.assertEqual(rows[2].errors,
                         ["部门类别须为：派出所、司法所、城管、市场监管、应急管理、住建、卫健、民政、其他。"])
        self.assertFalse(Department.objects.filter(name="五台子城管中队").exists())  # a dry run

    def test_an_unknown_region_and_a_missing_name_are_named_in_chinese(self):
        resource = DepartmentResource(user=None)
        data = dataset(["某所", "其他", "210899"], ["", "其他", "210803"])
        rows = preview_rows(resource, resource.import_data(data, dry_run=True), data)
        self.assertEqual([r.errors for r in rows],
                         [["服务区域编码“210899”不存在。"], ["请填写部门名称（不超过 64 字）。"]])

    def test_a_file_without_the_key_columns_is_refused_before_any_row(self):
        with self.assertRaisesMessage(ValidationError, "文件缺少列：服务区域编码。"):
            DepartmentResource(user=self.frank).check_headers(tablib.Dataset(headers=["名称", "类别"]))

    def test_the_audit_region_is_the_deepest_node_above_every_code(self):
        self.assertEqual(common_region(["210803001", "210803001001"]), "210803001")
        self.assertEqual(common_region(["210802001", "210803001"]), "2108")
        self.assertEqual(common_region(["210802001", "210802002001"]), "210802")
        self.assertEqual(common_region([]), "")

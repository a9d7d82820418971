"""POST /cases/config/<table>/import/ (the preview) and /cases/config/<table>/import/confirm/:
configuration tables from Excel — previewed by a dry run, confirmed all or nothing, audited once."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from disputes.configuration_tables import TABLES
from disputes.models import CalendarDay, Category, DisputeType, TimeLimit
from disputes.tests.config_base import ConfigTablesTestCase, csv_text, xlsx
from disputes.views.configuration import sign_upload
from governance.models import AuditEvent, Department, DepartmentKind
from governance.roles import Role
from governance.tests.base import make_user

CATEGORY_HEADERS = ["编码", "名称", "上级编码", "启用", "排序"]
LIMIT_HEADERS = ["类别编码", "环节", "时限", "单位"]
DEPARTMENT_HEADERS = ["名称", "类别", "服务区域编码"]
CITY_WIDE_TABLES = ("categories", "time-limits", "dispute-types", "calendar")


def snapshot() -> dict[str, list]:
    """Every configuration row as values, to compare before and after an import."""
    return {
        "categories": list(Category.objects.order_by("code").values_list("code", "name", "parent_id", "is_active",
                                                                          "sort")),
        "limits": list(TimeLimit.objects.order_by("category_id", "stage").values_list("category_id", "stage",
                                                                                        "amount", "unit")),
        "types": list(DisputeType.objects.order_by("code").values_list("code", "name", "is_active", "sort")),
        "days": list(CalendarDay.objects.order_by("date").values_list("date", "kind", "note")),
        "departments": list(Department.objects.order_by("pk").values_list("name", "kind", "region_id")),
    }


class ConfigImportTestCase(ConfigTablesTestCase):
    def categories_file(self) -> bytes:
        return xlsx(
            CATEGORY_HEADERS,
            ["04", "消防", "", "是", 0],  # as it is
            ["0402", "楼道杂物堆放", "04", "是", 0],  # renamed
            ["0405", "消防栓损坏", "04", "", ""],  # new; blank 启用 / 排序 take the defaults
        )

    # ---------------------------------------------------------------- preview and confirm

    def test_the_preview_shows_new_updated_and_unchanged_rows_and_changes_nothing(self):
        self.client.force_login(self.root)
        before, audits = snapshot(), AuditEvent.objects.count()
        r = self.upload("categories", self.categories_file())
        self.assertEqual(r.status_code, 200)
        self.assertEqual(self.counts(r), {"new": 1, "updated": 1, "unchanged": 1, "invalid": 0})
        self.assertEqual([(row.number, row.label) for row in r.context["rows"]],
                         [(2, "无变化"), (3, "更新"), (4, "新增")])
        self.assertContains(r, "消防栓损坏")
        self.assertContains(r, "确认导入")
        self.assertEqual(snapshot(), before)
        self.assertEqual(AuditEvent.objects.count(), audits)

    def test_confirming_writes_the_rows_and_audits_the_import_once(self):
        self.client.force_login(self.root)
        preview = self.upload("categories", self.categories_file())
        audits = AuditEvent.objects.count()
        r = self.confirm("categories", preview)
        self.assertRedirects(r, "/cases/config/", fetch_redirect_response=False)
        self.clutter.refresh_from_db()
        self.assertEqual(self.clutter.name, "楼道杂物堆放")
        added = Category.objects.get(code="0405")
        self.assertEqual((added.parent, added.is_active, added.sort), (self.fire, True, 999))
        self.assertEqual(AuditEvent.objects.count(), audits + 1)
        audit = AuditEvent.objects.get(action="config.import.categories")
        self.assertEqual(audit.actor, self.root)
        self.assertEqual(audit.detail, {"new": 1, "updated": 1, "unchanged": 1, "rows": 3})
        page = self.client.get("/cases/config/")
        self.assertContains(page, "事件类别已导入：新增 1 行，更新 1 行，无变化 1 行。")

    def test_re_importing_an_export_changes_nothing(self):
        self.client.force_login(self.root)
        before = snapshot()
        for table in (*CITY_WIDE_TABLES, "departments"):
            with self.subTest(table=table):
                preview = self.upload(table, self.export(table))
                counts = self.counts(preview)
                self.assertEqual((counts["new"], counts["updated"], counts["invalid"]), (0, 0, 0))
                self.assertGreater(counts["unchanged"], 0)
                self.assertRedirects(self.confirm(table, preview), "/cases/config/")
        self.assertEqual(snapshot(), before)

    def test_a_sub_category_may_follow_its_new_parent_in_the_same_file(self):
        self.client.force_login(self.root)
        preview = self.upload("categories", xlsx(CATEGORY_HEADERS, ["08", "环境卫生", "", "是", 8],
                                                 ["0801", "垃圾乱倒", "08", "是", 1]))
        self.assertEqual(self.counts(preview)["new"], 2)
        self.confirm("categories", preview)
        self.assertEqual(Category.objects.get(code="0801").parent, Category.objects.get(code="08"))

    def test_a_stage_and_a_unit_may_be_given_as_their_chinese_label_or_their_value(self):
        self.client.force_login(self.root)
        preview = self.upload("time-limits", xlsx(LIMIT_HEADERS, ["0603", "处置", 5, "工作日"],
                                                  ["0603", "accept", "8", "hours"]))
        self.assertEqual(self.counts(preview)["new"], 2)
        self.confirm("time-limits", preview)
        self.assertEqual(
            set(TimeLimit.objects.filter(category=self.road).values_list("stage", "amount", "unit")),
            {("handle", 5, "days"), ("accept", 8, "hours")},
        )

    # ---------------------------------------------------------------- invalid rows: nothing is written

    def test_an_invalid_row_blocks_the_whole_import_with_a_chinese_message_and_a_400(self):
        self.client.force_login(self.root)
        content = xlsx(LIMIT_HEADERS, ["0603", "处置", 5, "工作日"], ["0402", "受理", 500, "工作小时"])
        preview = self.upload("time-limits", content)
        self.assertContains(preview, "时限须为 1–240 个工作小时或 1–60 个工作日。", status_code=400)
        self.assertContains(preview, "有 1 行有误", status_code=400)
        self.assertEqual(self.counts(preview), {"new": 1, "updated": 0, "unchanged": 0, "invalid": 1})
        self.assertEqual(preview.context["payload"], "")
        self.assertNotContains(preview, "确认导入", status_code=400)
        # Confirming that very file anyway (a hand-made request) is refused whole.
        audits = AuditEvent.objects.count()
        r = self.client.post("/cases/config/time-limits/import/confirm/",
                             {"payload": sign_upload(preview.context["table"], self.root.pk, "x.xlsx", content)})
        self.assertContains(r, "有 1 行有误，没有导入任何一行", status_code=400)
        self.assertFalse(TimeLimit.objects.filter(category=self.road).exists())
        self.assertEqual(AuditEvent.objects.count(), audits)

    def test_a_row_that_became_invalid_after_the_preview_blocks_the_confirm(self):
        self.client.force_login(self.root)
        preview = self.upload("categories", xlsx(CATEGORY_HEADERS, ["0901", "新增子类", "0603", "是", 1],
                                                 ["0604", "路灯损坏", "", "是", 2]))
        self.assertEqual(self.counts(preview)["new"], 2)
        Category.objects.filter(pk=self.road.pk).update(parent=self.fire)  # meanwhile, 0603 became a sub-category
        r = self.confirm("categories", preview)
        self.assertContains(r, "事件类别最多两级。", status_code=400)
        self.assertFalse(Category.objects.filter(code__in=["0901", "0604"]).exists())
        self.assertFalse(AuditEvent.objects.filter(action="config.import.categories").exists())

    def test_a_third_level_of_categories_is_refused(self):
        self.client.force_login(self.root)
        r = self.upload("categories", xlsx(CATEGORY_HEADERS, ["040201", "三级", "0402", "是", 0]))
        self.assertContains(r, "事件类别最多两级。", status_code=400)

    def test_the_same_key_twice_in_one_file_is_refused(self):
        self.client.force_login(self.root)
        r = self.upload("dispute-types", xlsx(["编码", "名称"], ["09", "劳动争议"], ["09", "劳资纠纷"]))
        self.assertContains(r, "与第 2 行重复。", status_code=400)
        self.assertEqual([row.errors for row in r.context["rows"]], [[], ["与第 2 行重复。"]])

    def test_every_bad_value_of_a_row_is_named_in_chinese(self):
        self.client.force_login(self.root)
        r = self.upload("categories", xlsx(CATEGORY_HEADERS, ["x1", "", "99", "也许", -1]))
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.context["rows"][0].errors, [
            "类别编码只能由数字组成。", "请填写类别名称（不超过 32 字）。",
            "上级编码“99”不存在（上级类别须已在系统中，或在文件中写在它的子类之前）。",
            "启用须填“是”或“否”。", "排序须为 0–32767 的整数。",
        ])

    # ---------------------------------------------------------------- the signed file

    def test_a_tampered_payload_is_refused_with_a_400(self):
        self.client.force_login(self.root)
        before = snapshot()
        payload = self.upload("categories", self.categories_file()).context["payload"]
        value, signature = payload.rsplit(":", 1)
        for tampered in (value[:-1] + ("A" if value[-1] != "A" else "B") + ":" + signature, "", "garbage"):
            r = self.client.post("/cases/config/categories/import/confirm/", {"payload": tampered})
            self.assertContains(r, "文件校验失败（内容可能被改动），请重新上传文件。", status_code=400)
        self.assertEqual(snapshot(), before)

    def test_a_payload_signed_for_another_table_or_another_user_is_refused(self):
        self.client.force_login(self.root)
        payload = self.upload("dispute-types", xlsx(["编码", "名称"], ["09", "劳动争议"])).context["payload"]
        r = self.client.post("/cases/config/categories/import/confirm/", {"payload": payload})
        self.assertContains(r, "文件校验失败", status_code=400)
        other = make_user("root2", "另一位市管理员", Role.ADMIN, self.city)
        self.client.force_login(other)
        r = self.client.post("/cases/config/dispute-types/import/confirm/", {"payload": payload})
        self.assertContains(r, "文件校验失败", status_code=400)
        self.assertFalse(DisputeType.objects.filter(code="09").exists())

    # ---------------------------------------------------------------- who may

    def test_a_district_admin_may_not_import_a_city_wide_table(self):
        self.client.force_login(self.frank)
        content = xlsx(["编码", "名称"], ["09", "劳动争议"])
        for table in CITY_WIDE_TABLES:
            r = self.upload(table, content)
            self.assertContains(r, "只有市级管理员", status_code=403)
        # Even a well-signed file of his own is refused: the confirm checks who may, again.
        payload = sign_upload(TABLES["dispute-types"], self.frank.pk, "x.xlsx", content)
        r = self.client.post("/cases/config/dispute-types/import/confirm/", {"payload": payload})
        self.assertEqual(r.status_code, 403)
        self.assertFalse(DisputeType.objects.filter(code="09").exists())

    def test_a_street_officer_may_import_no_table_at_all(self):
        self.client.force_login(self.alice)
        r = self.upload("departments", xlsx(DEPARTMENT_HEADERS, ["八田地司法所", "司法所", "210802001"]))
        self.assertContains(r, "您没有配置职能部门的权限。", status_code=403)
        self.assertFalse(Department.objects.filter(name="八田地司法所").exists())

    def test_a_district_admin_may_not_import_a_department_of_another_district(self):
        self.client.force_login(self.frank)  # ADMIN of 西市区; 八田地街道 (210802001) lies in 站前区
        content = xlsx(
            DEPARTMENT_HEADERS,
            ["八田地司法所", "司法所", "210802001"],  # a new department in the other district
            ["八田地派出所", "城管", "210802001"],  # an existing one of the other district, changed
            ["五台子司法所", "司法所", "210803001"],  # his own district: fine, but the file is refused whole
        )
        preview = self.upload("departments", content)
        self.assertEqual(preview.status_code, 400)
        self.assertEqual([(row.number, row.label) for row in preview.context["rows"]],
                         [(2, "有误"), (3, "有误"), (4, "新增")])
        self.assertEqual(preview.context["rows"][0].errors, ["服务区域“210802001”不在您的管辖范围内。"])
        r = self.client.post("/cases/config/departments/import/confirm/",
                             {"payload": sign_upload(preview.context["table"], self.frank.pk, "x.xlsx", content)})
        self.assertContains(r, "有 2 行有误", status_code=400)
        self.assertFalse(Department.objects.filter(name__in=["八田地司法所", "五台子司法所"]).exists())
        self.police_a.refresh_from_db()
        self.assertEqual(self.police_a.kind, DepartmentKind.POLICE)

    def test_a_district_admin_imports_the_departments_of_their_own_district(self):
        self.client.force_login(self.frank)
        preview = self.upload("departments", xlsx(DEPARTMENT_HEADERS, ["五台子派出所", "派出所", "210803001"],
                                                  ["五台子司法所", "justice", "210803001"],
                                                  ["渔市社区卫生服务站", "卫健", "210803001001"]))
        self.assertEqual(self.counts(preview), {"new": 2, "updated": 0, "unchanged": 1, "invalid": 0})
        self.assertRedirects(self.confirm("departments", preview), "/cases/config/")
        self.assertEqual(Department.objects.get(name="五台子司法所").region, self.wutaizi)
        self.assertEqual(Department.objects.get(name="渔市社区卫生服务站").kind, DepartmentKind.HEALTH)
        audit = AuditEvent.objects.get(action="config.import.departments")
        self.assertEqual(audit.region_code, "210803001")

    # ---------------------------------------------------------------- the file itself

    def test_a_broken_file_is_a_chinese_400_and_nothing_else(self):
        self.client.force_login(self.root)
        before = snapshot()
        cases = [
            (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "文件不是有效的 .xlsx 或 .csv 文件。"),
            (b"PK\x03\x04 not really a workbook", "文件不是有效的 Excel (.xlsx) 文件，请重新保存后上传。"),
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "不支持旧版 Excel (.xls) 文件"),
            ("编码,名称\n".encode("utf-16"), "文件不是有效的 .xlsx 或 .csv 文件。"),
            (b"\x81\x30\xff\xfe,\xa0\n", "无法识别 CSV 文件的编码"),
            ("名称,备注\n消防,x\n".encode(), "文件缺少列：编码。第一行须为列名：编码、名称、上级编码、启用、排序。"),
            ("编码,名称,名称\n04,消防,消防\n".encode(), "列名重复：名称。"),
            (b"x" * (1024 * 1024 + 1), "文件不能超过 1 MB。"),
        ]
        for content, message in cases:
            with self.subTest(message=message):
                self.assertContains(self.upload("categories", content, "配置.xlsx"), message, status_code=400)
        r = self.client.post("/cases/config/categories/import/", {})
        self.assertContains(r, "请选择要导入的文件（.xlsx 或 .csv）。", status_code=400)
        self.assertEqual(snapshot(), before)

    def test_a_gbk_csv_as_excel_saves_it_is_read(self):
        self.client.force_login(self.root)
        content = csv_text(["日期", "类型", "说明"], ["2027-01-01", "节假日", "元旦"],
                           ["", "", ""], ["2027/2/7", "调休上班", "春节调休"]).encode("gbk")
        preview = self.upload("calendar", content, "工作日历.csv")
        self.assertEqual(self.counts(preview), {"new": 2, "updated": 0, "unchanged": 0, "invalid": 0})
        self.assertEqual([row.number for row in preview.context["rows"]], [2, 4])  # the blank row 3 is skipped
        self.confirm("calendar", preview)
        self.assertEqual(CalendarDay.objects.get(date=date(2027, 1, 1)).note, "元旦")
        self.assertEqual(CalendarDay.objects.get(date=date(2027, 2, 7)).kind, "workday")

    def test_a_utf8_csv_with_a_byte_order_mark_is_read(self):
        self.client.force_login(self.root)
        content = csv_text(["编码", "名称", "启用"], ["02", "邻里纠纷", "否"]).encode("utf-8-sig")
        preview = self.upload("dispute-types", content, "纠纷类型.csv")
        self.assertEqual(self.counts(preview)["updated"], 1)
        self.confirm("dispute-types", preview)
        self.neighbour.refresh_from_db()
        self.assertEqual((self.neighbour.is_active, self.neighbour.sort), (False, 2))  # blank 排序 kept

    def test_an_unknown_table_is_404_and_a_get_is_405(self):
        self.client.force_login(self.root)
        self.assertEqual(self.upload("residents", b"x").status_code, 404)
        self.assertEqual(self.client.get("/cases/config/categories/import/").status_code, 405)
        self.assertEqual(self.client.get("/cases/config/categories/import/confirm/").status_code, 405)

    def test_an_anonymous_upload_is_sent_to_sign_in(self):
        r = self.client.post("/cases/config/categories/import/",
                             {"file": SimpleUploadedFile("a.xlsx", self.categories_file())})
        self.assertEqual(r.status_code, 302)
        self.assertIn("login", r["Location"])

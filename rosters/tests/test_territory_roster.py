"""The territory roster: regions and grids from territory.xlsx, idempotent, scoped."""

from governance.models import GridType, Region
from governance.roles import Level, Role
from governance.tests.base import make_user
from rosters.tests.helpers import RosterTestCase, shared_file, xlsx_bytes

HEADER = ["编码", "名称", "层级", "上级编码", "网格类型"]


class TerritoryRosterTests(RosterTestCase):
    def test_the_sample_territory_imports_all_78_rows_and_60_grids(self):
        expected = __import__("json").loads(shared_file("expected.json").read_text())
        result = self.run_roster("territory", shared_file("territory.xlsx"))
        self.assertEqual(result.counts["bad"], 0)
        self.assertEqual(result.total, expected["territory_rows"])
        grids = Region.objects.filter(level=Level.GRID, code__startswith="210802")
        self.assertEqual(grids.count(), expected["grids"])
        self.assertEqual(Region.objects.get(code="210802004003005").grid_type, GridType.ENTERPRISE)

    def test_importing_the_same_file_again_changes_nothing(self):
        path = shared_file("territory.xlsx")
        self.run_roster("territory", path)
        before = list(Region.objects.values_list("code", "name", "grid_type", "parent_id", "level"))
        again = self.run_roster("territory", path)
        self.assertEqual(again.counts, {"new": 0, "updated": 0, "unchanged": 78, "bad": 0})
        self.assertEqual(before, list(Region.objects.values_list("code", "name", "grid_type", "parent_id", "level")))

    def test_a_dry_run_writes_nothing(self):
        count = Region.objects.count()
        result = self.run_roster("territory", shared_file("territory.xlsx"), dry_run=True)
        self.assertGreater(result.counts["new"], 0)
        self.assertEqual(Region.objects.count(), count)

    def test_an_admin_of_another_district_gets_every_row_refused_as_out_of_scope(self):
        count = Region.objects.count()
        result = self.run_roster("territory", shared_file("territory.xlsx"), actor=self.frank)
        self.assertEqual(result.counts["bad"], 78)
        self.assertEqual({b["code"] for b in result.bad_rows}, {"out_of_scope"})
        self.assertIn("不在您的管辖范围内", result.bad_rows[0]["reason"])
        self.assertEqual(Region.objects.count(), count)

    def test_a_district_admin_imports_below_their_district_but_not_the_city_row(self):
        admin = make_user("zoe", "佐伊", Role.ADMIN, self.zhanqian)
        result = self.run_roster("territory", shared_file("territory.xlsx"), actor=admin)
        self.assertEqual([(b["row"], b["code"]) for b in result.bad_rows], [(2, "out_of_scope")])
        self.assertTrue(Region.objects.filter(code="210802004003005").exists())

    def test_a_changed_name_updates_the_node_and_messy_values_are_normalised(self):
        path = self.write_file("t.xlsx", xlsx_bytes([
            ["营口市区划表（2026 年）"],  # a merged title row above the header
            ["区划编码", " 名称 ", "级别", "上级编码", "类型"],
            ["２１０８０２００１００１００１", "五大门 第一网格 ", "网格", "", "学校"],
            [None, None, None, None, None],
            ["210802001001009", "新网格", "网格", "210802001001", ""],
        ]))
        result = self.run_roster("territory", path)
        self.assertEqual(result.counts, {"new": 1, "updated": 1, "unchanged": 0, "bad": 0})
        grid = Region.objects.get(code="210802001001001")
        self.assertEqual((grid.name, grid.grid_type), ("五大门 第一网格", GridType.SCHOOL))
        self.assertEqual(Region.objects.get(code="210802001001009").parent_id, "210802001001")

    def test_bad_codes_levels_types_and_parents_are_bad_rows_with_reasons(self):
        path = self.write_file("t.xlsx", xlsx_bytes([
            HEADER,
            ["2108020010010", "错位", "", "", ""],
            ["210802001001003", "层级错", "社区", "", ""],
            ["210802001001004", "类型错", "网格", "", "菜市场"],
            ["210802009001", "无上级", "社区", "210802009", ""],
            ["", "无编码", "", "", ""],
            ["210802001002", "", "社区", "", ""],
        ]))
        result = self.run_roster("territory", path)
        codes = [(b["row"], b["code"]) for b in result.bad_rows]
        self.assertEqual(codes, [(2, "bad_code"), (3, "bad_level"), (4, "bad_grid_type"), (5, "unknown_parent"),
                                 (6, "missing_code"), (7, "missing_name")])
        self.assertEqual(result.counts["new"], 0)

    def test_a_parent_earlier_in_the_same_file_is_enough(self):
        path = self.write_file("t.xlsx", xlsx_bytes([
            HEADER,
            ["210802003", "新街道", "街道", "210802", ""],
            ["210802003001", "新社区", "社区", "210802003", ""],
            ["210802003001001", "新社区第1网格", "网格", "210802003001", "综合网格"],
        ]))
        result = self.run_roster("territory", path)
        self.assertEqual(result.counts["new"], 3)
        self.assertEqual(Region.objects.get(code="210802003001001").level, Level.GRID)

"""The territory roster: regions and grids from territory.xlsx, idempotent, scoped."""

from governance.models import GridType, Region
from governance.roles import Level, Role
from governance.tests.base import make_user
from rosters.actions import run_import
from rosters.engine import context_for
from rosters.kinds import get_roster
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


class TerritoryRowOrderTests(RosterTestCase):
    """Whatever the row order of a territory file, children never fail for coming before their parent."""

    def street_rows(self) -> list[list]:
        rows = [["210803002", "新街道", "街道", "210803", ""]]
        for c in range(1, 4):
            community = f"210803002{c:03d}"
            rows.append([community, f"新社区{c}", "社区", "", ""])
            rows += [[f"{community}{g:03d}", f"新社区{c}第{g}网格", "网格", community, "综合网格"] for g in range(1, 6)]
        return rows

    def shuffled_file(self, seed: int):
        import random

        rows = self.street_rows()
        random.Random(seed).shuffle(rows)
        return self.write_file(f"shuffled-{seed}.xlsx", xlsx_bytes([HEADER, *rows]))

    def test_a_shuffled_file_imports_every_row_with_children_before_parents(self):
        path = self.shuffled_file(7)
        dry = self.run_roster("territory", path, actor=self.frank, dry_run=True)
        self.assertEqual(dry.counts, {"new": 19, "updated": 0, "unchanged": 0, "bad": 0})
        result = self.run_roster("territory", path, actor=self.frank)
        self.assertEqual(result.counts, {"new": 19, "updated": 0, "unchanged": 0, "bad": 0})
        self.assertEqual(Region.objects.get(code="210803002003005").parent_id, "210803002003")
        self.assertEqual(Region.objects.get(code="210803002003").parent.parent_id, "210803")

    def test_a_file_in_reverse_order_is_the_same_as_a_sorted_one(self):
        path = self.write_file("reverse.xlsx", xlsx_bytes([HEADER, *reversed(self.street_rows())]))
        result = self.run_roster("territory", path, actor=self.frank)
        self.assertEqual(result.counts["bad"], 0)
        self.assertEqual(Region.objects.filter(code__startswith="210803002", level=Level.GRID).count(), 15)

    def test_a_child_of_a_bad_parent_row_is_reported_whatever_the_order(self):
        path = self.write_file("t.xlsx", xlsx_bytes([
            HEADER,
            ["210803002001001", "孙", "网格", "", ""],
            ["210803002001", "子", "社区", "", ""],
            ["210803002", "", "街道", "", ""],  # no name: a bad row, so its children have no parent
        ]))
        result = self.run_roster("territory", path, actor=self.frank)
        self.assertEqual([(b["row"], b["code"]) for b in result.bad_rows],
                         [(2, "unknown_parent"), (3, "unknown_parent"), (4, "missing_name")])
        self.assertFalse(Region.objects.filter(code__startswith="210803002").exists())

    def test_one_batch_holds_a_whole_city_territory_file(self):
        self.assertGreaterEqual(get_roster("territory").batch_size, 25_000)

    def test_a_parent_in_an_earlier_batch_is_known_in_a_dry_run_too(self):
        roster = get_roster("territory")
        roster.batch_size = 4  # several batches; parents sorted in each
        rows = self.street_rows()
        path = self.write_file("batches.xlsx", xlsx_bytes([HEADER, *rows]))
        result = run_import(roster, path, ctx=context_for(self.frank, True), filename=path.name)
        self.assertEqual(result.counts, {"new": 19, "updated": 0, "unchanged": 0, "bad": 0})

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from governance.models import Region, validate_region_code
from governance.roles import Level


class RegionCodeTestCase(SimpleTestCase):
    def test_it_derives_the_level_from_the_length(self):
        self.assertEqual(validate_region_code("2108"), Level.CITY)
        self.assertEqual(validate_region_code("210802", "2108"), Level.DISTRICT)
        self.assertEqual(validate_region_code("210802001", "210802"), Level.STREET)
        self.assertEqual(validate_region_code("210802001001", "210802001"), Level.COMMUNITY)
        self.assertEqual(validate_region_code("210802001001003", "210802001001"), Level.GRID)

    def assertRejected(self, code, parent, fragment):
        with self.assertRaises(ValidationError) as cm:
            validate_region_code(code, parent)
        self.assertIn(fragment, " ".join(cm.exception.messages))

    def test_it_rejects_letters(self):
        self.assertRejected("2108a2", "2108", "只能由数字组成")

    def test_it_rejects_full_width_digits(self):
        self.assertRejected("２１０８", None, "只能由数字组成")

    def test_it_rejects_a_wrong_length(self):
        self.assertRejected("21080", "2108", "市 4 位、区县 6 位")

    def test_it_rejects_a_code_that_does_not_extend_its_parent(self):
        self.assertRejected("210902", "2108", "应以上级编码“2108”开头")

    def test_it_rejects_a_parent_two_levels_up(self):
        self.assertRejected("210802001", "2108", "街道乡镇的上级应为区县")

    def test_it_rejects_an_orphan_below_city_level(self):
        self.assertRejected("210802", None, "必须有上级编码")

    def test_it_rejects_an_all_zero_serial(self):
        self.assertRejected("210802000", "210802", "不能全为 0")

    def test_a_region_lists_its_ancestor_codes(self):
        grid = Region(code="210802001001003", level=Level.GRID)
        self.assertEqual(grid.ancestor_codes(), ["2108", "210802", "210802001", "210802001001"])

"""seed_demo's banner of demo logins says where each login works as seed_demo_city assigns it,
and the README's table of logins says the same (issue 18.10: the banner gave the demo grid worker
one grid, the README two)."""

import re
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import SimpleTestCase, TestCase

from governance.models import RoleAssignment
from portal.management.commands.seed_demo import join_names


class DemoBannerTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.output = StringIO()
        call_command("seed_demo", stdout=cls.output)

    def banner_line(self, username: str) -> str:
        return next(line for line in self.output.getvalue().splitlines() if line.strip().startswith(username + " "))

    def seeded_grids(self) -> list[str]:
        return list(RoleAssignment.objects.filter(user__username="grid_worker").order_by("region_id")
                    .values_list("region__name", flat=True))

    def test_the_banner_names_every_grid_the_demo_grid_worker_is_assigned(self):
        grids = self.seeded_grids()
        self.assertEqual(grids, ["五大门社区第1网格", "五大门社区第2网格"])
        self.assertIn("网格员 · 五大门社区第1、2网格", self.banner_line("grid_worker"))

    def test_the_readme_names_the_same_grids_as_the_banner(self):
        readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
        row = re.search(r"^\| `grid_worker` \| [^|]+ \| ([^|]+) \|", readme, re.M)
        self.assertIsNotNone(row)
        self.assertEqual(row.group(1).strip(), join_names(self.seeded_grids()))

    def test_a_login_on_one_node_keeps_its_name(self):
        self.assertIn("社区工作人员 · 五大门社区", self.banner_line("community_staff"))
        self.assertIn("八田地街道（八田地派出所）", self.banner_line("dept_handler"))


class JoinNamesTestCase(SimpleTestCase):
    def test_grids_of_one_community_share_their_name(self):
        self.assertEqual(join_names(["五大门社区第1网格", "五大门社区第2网格"]), "五大门社区第1、2网格")

    def test_unrelated_names_are_listed_whole(self):
        self.assertEqual(join_names(["五大门社区第1网格", "渔市社区第1网格"]), "五大门社区第1网格、渔市社区第1网格")
        self.assertEqual(join_names(["营口市"]), "营口市")

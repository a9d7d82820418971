"""The registers at a glance (reports.registers): counted by grid, added up every level, read in one query."""

from __future__ import annotations

from parties import actions
from parties.models import InServiceMember, PartyBranch
from parties.tests.base import RegisterTestCase
from reports.models import RegisterTally
from reports.registers import count_registers, roll_up, tallies_of


class RegisterTallyTestCase(RegisterTestCase):
    def setUp(self) -> None:
        super().setUp()
        PartyBranch.objects.create(grid=self.grid_a, name="五大门社区第1网格党支部")
        InServiceMember.objects.create(community=self.wudamen, name="在职党员", employer="市教育局", registered_on="2026-10-01")
        count_registers()

    def test_every_level_adds_up_the_grids_below_it(self):
        for node, residents, houses, units in ((self.grid_a, 2, 1, 1), (self.wudamen, 3, 2, 1), (self.batiandi, 3, 2, 1),
                                               (self.zhanqian, 3, 2, 1), (self.xishi, 1, 1, 1), (self.city, 4, 3, 2)):
            t = tallies_of(node)
            with self.subTest(node=node.code):
                self.assertEqual((t.get("residents"), t.get("houses"), t.get("units")), (residents, houses, units))

    def test_key_persons_are_counted_by_tag_and_party_work_by_community(self):
        t = tallies_of(self.wudamen)
        self.assertEqual(t.get("key_persons"), 1)
        self.assertEqual([(key, n) for key, _label, n in t.tags()], [("community_correction", 1)])
        self.assertEqual((t.get("party_branches"), t.get("in_service_members")), (1, 1))
        self.assertEqual(tallies_of(self.batiandi).get("in_service_members"), 1)
        self.assertEqual(tallies_of(self.grid_a).get("in_service_members"), 0)  # a community's, not a grid's

    def test_one_query_reads_a_node_and_its_children(self):
        with self.assertNumQueries(1):
            t = tallies_of(self.wudamen)
        self.assertEqual(t.children[self.grid_a.code]["residents"], 2)
        self.assertIsNotNone(t.counted_at)

    def test_a_recount_replaces_the_tallies(self):
        actions.do_create_resident(actor=None, grid=self.grid_a2, name="赵七", id_number="210802199001011251",
                                   house=self.house_a2)
        self.assertEqual(tallies_of(self.wudamen).get("residents"), 3)  # until the next count
        count_registers()
        self.assertEqual(tallies_of(self.wudamen).get("residents"), 4)
        self.assertFalse(RegisterTally.objects.filter(value=0).exists())

    def test_roll_up_adds_each_code_to_every_level_above_it(self):
        self.assertEqual(roll_up({"210802001001001": 2, "210802001001": 1}),
                         {"2108": 3, "210802": 3, "210802001": 3, "210802001001": 3, "210802001001001": 2})

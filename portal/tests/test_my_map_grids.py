"""GET /grids/mine/map/grids.geojson: the boundaries of every grid a grid worker covers, coloured by a KPI;
no territory in the URL, nothing beyond their grids, a fixed number of queries."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from disputes.models import Case
from governance.models import RoleAssignment
from governance.roles import Role
from governance.tests.base import make_region
from portal import map_selectors
from portal.tests.map_base import MapTestCase, cell

URL = "/grids/mine/map/grids.geojson"


class MyMapGridsTestCase(MapTestCase):
    def setUp(self) -> None:
        super().setUp()
        # carol covers both 五大门 grids (as the demo's grid_worker does); gina still covers the second.
        RoleAssignment.objects.create(user=self.carol, role=Role.GRID_WORKER, region=self.grid_a2)

    def codes(self, fc: dict) -> list[str]:
        return [f["properties"]["code"] for f in fc["features"]]

    def test_it_requires_sign_in(self):
        self.assertEqual(self.client.get(URL).status_code, 302)

    def test_a_worker_with_two_grids_gets_both_with_their_boundaries(self):
        self.client.force_login(self.carol)
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "application/geo+json; charset=utf-8")
        self.assertEqual(r["Cache-Control"], "private, no-store")
        fc = r.json()
        self.assertEqual(self.codes(fc), [self.grid_a.code, self.grid_a2.code])
        self.assertEqual([f["geometry"] for f in fc["features"]], [self.grid_a.boundary, self.grid_a2.boundary])
        self.assertEqual(set(fc["features"][0]["properties"]),
                         {"code", "name", "value", "label", "colour", "band", "url", "approximate"})
        self.assertEqual(fc["outlines"], [])  # not the community's: she may not see it
        self.assertEqual(fc["kpi"], "closure_rate")

    def test_both_grids_are_coloured_by_the_kpi(self):
        for _ in range(5):
            self.file(actor=self.carol, grid=self.grid_a)
        self.client.force_login(self.carol)
        by_code = {f["properties"]["code"]: f["properties"] for f in self.client.get(URL, {"kpi": "closure_rate"}).json()["features"]}
        # Five filed, none closed: 0 %, red; the second grid has no case: 样本不足, grey.
        self.assertEqual(by_code[self.grid_a.code]["value"], 0)
        self.assertEqual(by_code[self.grid_a.code]["colour"], map_selectors.COLOURS["red"])
        self.assertIsNone(by_code[self.grid_a2.code]["value"])
        self.assertEqual(by_code[self.grid_a2.code]["colour"], map_selectors.COLOURS[""])

    def test_a_one_grid_worker_gets_only_her_grid(self):
        self.client.force_login(self.gina)
        self.assertEqual(self.codes(self.client.get(URL).json()), [self.grid_a2.code])

    def test_another_workers_grid_next_door_is_not_drawn(self):
        RoleAssignment.objects.create(user=self.gina, role=Role.GRID_WORKER, region=self.grid_c)
        self.client.force_login(self.carol)
        self.assertNotIn(self.grid_c.code, self.codes(self.client.get(URL).json()))

    def test_the_parent_community_and_the_next_grid_stay_404_for_a_worker(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get(f"/territory/{self.wudamen.code}/map/grids.geojson").status_code, 404)
        self.assertEqual(self.client.get(f"/territory/{self.grid_c.code}/map/grids.geojson").status_code, 404)

    def test_a_query_naming_other_grids_changes_nothing(self):
        self.client.force_login(self.carol)
        fc = self.client.get(URL, {"grids": f"{self.grid_c.code},{self.grid_b.code}", "code": self.wudamen.code}).json()
        self.assertEqual(self.codes(fc), [self.grid_a.code, self.grid_a2.code])

    def test_grid_roles_other_than_grid_worker_do_not_count(self):
        # A street officer (alice) covers every grid of her street, but she has no "my grid": 404.
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(URL).status_code, 404)

    def test_it_is_404_for_someone_who_covers_no_grid(self):
        self.client.force_login(self.nobody)
        self.assertEqual(self.client.get(URL).status_code, 404)

    def test_an_unknown_kpi_or_period_is_a_400_with_a_message(self):
        self.client.force_login(self.carol)
        r = self.client.get(URL, {"kpi": "nonsense"})
        self.assertEqual(r.status_code, 400)
        self.assertTrue(r.json()["error"])
        self.assertEqual(self.client.get(URL, {"period": "2026-13"}).status_code, 400)
        self.assertEqual(self.client.get(URL, {"period": "2099-01"}).status_code, 400)

    def test_switching_the_kpi_reuses_the_values_computed_a_moment_ago(self):
        self.client.force_login(self.carol)
        self.client.get(URL, {"kpi": "closure_rate"})
        with self.assertNumQueries(6):  # session, user, scope (3), her grids: no KPI query
            fc = self.client.get(URL, {"kpi": "overdue_open"}).json()
        self.assertEqual(fc["kpi"], "overdue_open")

    def test_the_query_count_does_not_grow_with_the_number_of_her_grids(self):
        ContentType.objects.get_for_model(Case)
        self.client.force_login(self.carol)
        with self.assertNumQueries(QUERIES):
            self.client.get(URL)
        for i in range(3, 9):
            grid = make_region(f"210802001001{i:03d}", f"五大门社区第{i}网格", self.wudamen,
                               boundary=cell(40.6480 + i * 0.003, 122.2050))
            RoleAssignment.objects.create(user=self.carol, role=Role.GRID_WORKER, region=grid)
        with self.assertNumQueries(QUERIES):
            fc = self.client.get(URL).json()
        self.assertEqual(len(fc["features"]), 8)


QUERIES = 14  # session, user, scope (3), her grids, and the KPI values of them all at once (8)

"""GET /territory/<code>/map/grids.geojson: the boundaries below a node coloured by a KPI, in scope only, bounded."""

from __future__ import annotations

from unittest import mock

from django.contrib.contenttypes.models import ContentType

from disputes.models import Case
from governance.models import Region
from governance.roles import Level
from governance.tests.base import make_region
from portal import map_selectors
from portal.tests.map_base import MapTestCase, cell


class RegionMapGridsTestCase(MapTestCase):
    def get(self, code: str, **params):
        return self.client.get(f"/territory/{code}/map/grids.geojson", params)

    def test_it_requires_sign_in(self):
        self.assertEqual(self.get("210802001").status_code, 302)

    def test_a_street_officer_gets_her_grids_with_their_boundaries(self):
        self.client.force_login(self.alice)
        r = self.get("210802001")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "application/geo+json; charset=utf-8")
        fc = r.json()
        self.assertEqual(fc["type"], "FeatureCollection")
        self.assertEqual([f["properties"]["code"] for f in fc["features"]], [self.grid_a.code, self.grid_a2.code])
        props = fc["features"][0]["properties"]
        self.assertEqual(set(props), {"code", "name", "value", "label", "colour", "band", "url", "approximate"})
        self.assertEqual(props["url"], f"/territory/{self.grid_a.code}/")
        self.assertEqual(fc["features"][0]["geometry"]["type"], "Polygon")
        self.assertEqual(fc["kpi"], "closure_rate")

    def test_it_returns_404_for_a_street_in_the_other_district(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.get("210803001").status_code, 404)

    def test_it_returns_404_for_the_district_above(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.get("210802").status_code, 404)

    def test_a_grid_worker_gets_only_her_grid_and_404_for_the_next_one(self):
        self.client.force_login(self.carol)
        fc = self.get(self.grid_a.code).json()
        self.assertEqual([f["properties"]["code"] for f in fc["features"]], [self.grid_a.code])
        self.assertEqual(self.get(self.grid_a2.code).status_code, 404)
        self.assertEqual(self.get(self.wudamen.code).status_code, 404)

    def test_grids_are_coloured_by_the_kpi_of_the_drawn_nodes(self):
        for _ in range(5):
            self.file(actor=self.carol, grid=self.grid_a)
        self.client.force_login(self.alice)
        fc = self.get("210802001", kpi="closure_rate").json()
        by_code = {f["properties"]["code"]: f["properties"] for f in fc["features"]}
        # Five filed, none closed: 0 %, a red band; the other grid has no case: 样本不足, grey.
        self.assertEqual(by_code[self.grid_a.code]["value"], 0)
        self.assertEqual(by_code[self.grid_a.code]["band"], "red")
        self.assertEqual(by_code[self.grid_a.code]["colour"], map_selectors.COLOURS["red"])
        self.assertIsNone(by_code[self.grid_a2.code]["value"])
        self.assertEqual(by_code[self.grid_a2.code]["colour"], map_selectors.COLOURS[""])

    def test_an_unknown_kpi_or_period_is_a_400_with_a_message(self):
        self.client.force_login(self.alice)
        r = self.get("210802001", kpi="nonsense")
        self.assertEqual(r.status_code, 400)
        self.assertIn("error", r.json())
        self.assertEqual(self.get("210802001", period="2026-13").status_code, 400)
        self.assertEqual(self.get("210802001", period="2099-01").status_code, 400)

    def test_above_the_threshold_it_draws_the_childrens_boundaries_instead_of_grids(self):
        self.client.force_login(self.dave)
        with mock.patch.object(map_selectors, "MAX_BOUNDARIES", 2):
            fc = self.get("210802").json()
        # Three grids and two communities below 站前区: the communities are drawn, as boxes around
        # their grids' centres since they have no boundary of their own.
        self.assertEqual([f["properties"]["code"] for f in fc["features"]], [self.wudamen.code, self.huayuan.code])
        self.assertTrue(all(f["properties"]["approximate"] for f in fc["features"]))
        self.assertEqual(fc["level"], str(Level.COMMUNITY.label))

    def test_a_node_with_its_own_boundary_is_drawn_with_it(self):
        Region.objects.filter(pk=self.wudamen.pk).update(boundary=cell(40.6480, 122.2050))
        self.client.force_login(self.dave)
        with mock.patch.object(map_selectors, "MAX_BOUNDARIES", 2):
            fc = self.get("210802").json()
        wudamen = fc["features"][0]
        self.assertFalse(wudamen["properties"]["approximate"])
        self.assertEqual(wudamen["geometry"], cell(40.6480, 122.2050))

    def test_a_deeper_level_comes_with_the_childrens_outlines(self):
        Region.objects.filter(pk=self.wudamen.pk).update(boundary=cell(40.6480, 122.2050))
        self.client.force_login(self.alice)
        fc = self.get("210802001").json()
        self.assertEqual(len(fc["features"]), 2)  # the grids
        self.assertEqual([o["properties"]["code"] for o in fc["outlines"]], [self.wudamen.code])
        # A community draws its grids; no level lies between.
        self.assertEqual(self.get(self.wudamen.code).json()["outlines"], [])

    def test_switching_the_kpi_reuses_the_values_computed_a_moment_ago(self):
        self.client.force_login(self.dave)
        self.get("210802", kpi="closure_rate")
        with self.assertNumQueries(9):  # session, user, scope (3), the node, level counts, nodes, outlines: no KPI query
            fc = self.get("210802", kpi="overdue_open").json()
        self.assertEqual(fc["kpi"], "overdue_open")
        self.assertEqual(len(fc["features"]), 3)

    def test_the_query_count_does_not_grow_with_the_number_of_grids(self):
        ContentType.objects.get_for_model(Case)
        self.client.force_login(self.dave)
        with self.assertNumQueries(17):
            self.get("210802")
        for i in range(3, 13):
            street = make_region(f"210802{i:03d}", f"街道{i}", self.zhanqian)
            community = make_region(f"{street.code}001", f"社区{i}", street)
            for g in range(1, 4):
                make_region(f"{community.code}{g:03d}", f"网格{i}-{g}", community, boundary=cell(40.66 + i * 0.003, 122.2))
        with self.assertNumQueries(17):
            fc = self.get("210802").json()
        self.assertEqual(len(fc["features"]), 33)

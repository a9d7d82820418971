"""/territory/<code>/map/: the full-size map page; the territory page carries the same map."""

from __future__ import annotations

from django.test import override_settings

from portal.tests.map_base import MapTestCase


class RegionMapPageTestCase(MapTestCase):
    def test_it_shows_the_map_with_its_feeds_and_no_tiles_by_default(self):
        self.client.force_login(self.alice)
        r = self.client.get("/territory/210802001/map/")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, 'data-grids-url="/territory/210802001/map/grids.geojson"')
        self.assertContains(r, 'data-cases-url="/territory/210802001/map/cases.geojson"')
        self.assertContains(r, 'data-tile-url=""')
        self.assertContains(r, 'data-tile-crs="wgs84"')
        self.assertContains(r, "vendor/leaflet/leaflet.js")
        self.assertContains(r, "vendor/leaflet.markercluster/leaflet.markercluster.js")
        self.assertContains(r, "js/map.js")

    def test_the_page_has_no_inline_script_or_style(self):
        self.client.force_login(self.alice)
        html = self.client.get("/territory/210802001/map/").content.decode()
        self.assertNotIn("<style", html)
        self.assertNotIn(' style="', html)
        for chunk in html.split("<script")[1:]:
            self.assertIn(" src=", chunk.split(">")[0])

    @override_settings(MAP_TILE_URL="https://tiles.example.gov.cn/{z}/{x}/{y}.png", MAP_TILE_CRS="gcj02",
                       MAP_TILE_SUBDOMAINS="abc", MAP_TILE_ATTRIBUTION="某市测绘院")
    def test_a_configured_tile_source_and_its_coordinate_system_reach_the_map(self):
        self.client.force_login(self.alice)
        r = self.client.get("/territory/210802001/map/")
        self.assertContains(r, 'data-tile-url="https://tiles.example.gov.cn/{z}/{x}/{y}.png"')
        self.assertContains(r, 'data-tile-crs="gcj02"')
        self.assertContains(r, 'data-subdomains="abc"')
        self.assertContains(r, 'data-attribution="某市测绘院"')

    def test_it_returns_404_outside_the_scope(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/territory/210803001/map/").status_code, 404)
        self.assertEqual(self.client.get("/territory/210802/map/").status_code, 404)

    def test_the_territory_page_shows_the_map_instead_of_coordinates(self):
        self.client.force_login(self.alice)
        r = self.client.get("/territory/210802001/")
        self.assertContains(r, 'data-testid="territory-map"')
        self.assertContains(r, 'href="/territory/210802001/map/"')
        self.assertContains(r, 'class="gg-map-fullscreen"')

    def test_the_page_itself_runs_a_fixed_handful_of_queries(self):
        self.client.force_login(self.dave)
        self.client.get("/territory/210802/map/")
        with self.assertNumQueries(8):  # session, user, scope (3), the node, its ancestors, unread notices
            self.client.get("/territory/210802/map/")

    def test_the_partial_centres_on_a_given_point_for_my_grid(self):
        from django.template.loader import render_to_string

        html = render_to_string("portal/_map.html", {"region": self.grid_a, "kpi": "overdue_open", "near": "40.649350,122.206750"})
        self.assertIn('data-near="40.649350,122.206750"', html)
        self.assertIn('<option value="overdue_open" selected>', html)
        self.assertIn(f'data-grids-url="/territory/{self.grid_a.code}/map/grids.geojson"', html)
        self.assertNotIn("style=", html)

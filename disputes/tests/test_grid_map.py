"""/cases/grid-map/<code>/: the grid boundary on a Leaflet picker (static/js/map.js) for picking a point;
tiles only when configured."""

import json
import re

from django.test import override_settings

from disputes.tests.base import CaseTestCase
from governance.models import Region


class GridMapTestCase(CaseTestCase):
    def setUp(self):
        ring = [[122.1986, 40.6381], [122.2014, 40.6381], [122.2014, 40.6419], [122.1986, 40.6419], [122.1986, 40.6381]]
        Region.objects.filter(code=self.grid_a.code).update(boundary={"type": "Polygon", "coordinates": [ring]})

    def test_it_hands_the_boundary_to_the_map_picker(self):
        self.client.force_login(self.carol)
        r = self.client.get(f"/cases/grid-map/{self.grid_a.code}/")
        self.assertContains(r, 'class="gg-map gg-map-picker"')
        self.assertContains(r, 'data-tolerance="200"')
        self.assertContains(r, 'data-tile-url=""')
        raw = re.search(r'data-boundary-json="([^"]*)"', r.content.decode()).group(1).replace("&quot;", '"')
        self.assertEqual(json.loads(raw)["coordinates"][0][0], [122.1986, 40.6381])

    @override_settings(MAP_TILE_URL="https://tiles.example.gov.cn/{z}/{x}/{y}.png", MAP_TILE_CRS="gcj02")
    def test_it_tells_the_picker_the_tiles_coordinate_system(self):
        self.client.force_login(self.carol)
        r = self.client.get(f"/cases/grid-map/{self.grid_a.code}/")
        self.assertContains(r, 'data-tile-crs="gcj02"')

    def test_a_grid_without_a_boundary_says_so(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(f"/cases/grid-map/{self.grid_a2.code}/"), "尚未绘制边界")

    def test_a_grid_outside_the_scope_is_404(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get(f"/cases/grid-map/{self.grid_b.code}/").status_code, 404)

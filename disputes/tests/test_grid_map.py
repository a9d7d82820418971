"""/cases/grid-map/<code>/: the grid boundary as an inline SVG for picking a point (no map tiles)."""

from disputes.tests.base import CaseTestCase
from governance.models import Region


class GridMapTestCase(CaseTestCase):
    def setUp(self):
        ring = [[122.1986, 40.6381], [122.2014, 40.6381], [122.2014, 40.6419], [122.1986, 40.6419], [122.1986, 40.6381]]
        Region.objects.filter(code=self.grid_a.code).update(boundary={"type": "Polygon", "coordinates": [ring]})

    def test_it_draws_the_boundary_as_an_svg_polygon(self):
        self.client.force_login(self.carol)
        r = self.client.get(f"/cases/grid-map/{self.grid_a.code}/")
        self.assertContains(r, "<svg")
        self.assertContains(r, "<polygon")
        self.assertContains(r, 'data-min-lng="122.198')

    def test_a_grid_without_a_boundary_says_so(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(f"/cases/grid-map/{self.grid_a2.code}/"), "尚未绘制边界")

    def test_a_grid_outside_the_scope_is_404(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get(f"/cases/grid-map/{self.grid_b.code}/").status_code, 404)

"""GET /grids/mine/map/: the full-size map of every grid a grid worker covers (its feeds: test_my_map_grids,
test_my_map_cases)."""

from __future__ import annotations

from governance.models import RoleAssignment
from governance.roles import Role
from portal.tests.map_base import MapTestCase

URL = "/grids/mine/map/"


class MyMapTestCase(MapTestCase):
    def test_it_requires_sign_in(self):
        self.assertEqual(self.client.get(URL).status_code, 302)

    def test_a_worker_with_two_grids_gets_the_map_of_both(self):
        RoleAssignment.objects.create(user=self.carol, role=Role.GRID_WORKER, region=self.grid_a2)
        self.client.force_login(self.carol)
        with self.assertNumQueries(7):  # session, user, scope (3), her grids, the unread notices (base.html)
            r = self.client.get(URL)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, 'data-grids-url="/grids/mine/map/grids.geojson"')
        self.assertContains(r, 'data-cases-url="/grids/mine/map/cases.geojson"')
        self.assertContains(r, "五大门社区第1网格、五大门社区第2网格")
        self.assertContains(r, 'value="overdue_open" selected')
        self.assertNotContains(r, ">大地图<")  # it is the big map
        self.assertContains(r, "/static/js/map.js")

    def test_it_is_404_for_someone_who_covers_no_grid(self):
        self.client.force_login(self.dave)
        self.assertEqual(self.client.get(URL).status_code, 404)

    def test_an_unknown_kpi_falls_back_to_the_default(self):
        self.client.force_login(self.carol)
        r = self.client.get(URL, {"kpi": "nonsense"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, 'value="closure_rate" selected')

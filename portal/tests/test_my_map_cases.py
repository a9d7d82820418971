"""GET /grids/mine/map/cases.geojson: the case points of every grid a grid worker covers, as she may see
them; nothing beyond her grids, bounded, a fixed number of queries."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from disputes.models import Case
from governance.models import RoleAssignment
from governance.roles import Role
from governance.scope import forget_scope
from governance.tests.base import make_region
from portal.tests.map_base import MapTestCase, cell

URL = "/grids/mine/map/cases.geojson"


class MyMapCasesTestCase(MapTestCase):
    def setUp(self) -> None:
        super().setUp()
        RoleAssignment.objects.create(user=self.carol, role=Role.GRID_WORKER, region=self.grid_a2)
        # ivan (community staff of 五大门) also works 花园社区's grid.
        RoleAssignment.objects.create(user=self.ivan, role=Role.GRID_WORKER, region=self.grid_c)

    def ids(self, **params) -> list[int]:
        return [f["properties"]["id"] for f in self.client.get(URL, params).json()["features"]]

    def test_it_requires_sign_in(self):
        self.assertEqual(self.client.get(URL).status_code, 302)

    def test_a_worker_with_two_grids_gets_the_open_cases_of_both(self):
        one = self.file(actor=self.carol, grid=self.grid_a, lat=self.in_a[0], lng=self.in_a[1])
        two = self.file(actor=self.gina, grid=self.grid_a2, lat=self.in_a2[0], lng=self.in_a2[1])
        self.file(actor=self.carol, grid=self.grid_a)  # no point: not on the map
        self.client.force_login(self.carol)
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "application/geo+json; charset=utf-8")
        fc = r.json()
        self.assertEqual([f["properties"]["id"] for f in fc["features"]], [two.pk, one.pk])  # newest first
        self.assertEqual(fc["features"][1]["geometry"], {"type": "Point", "coordinates": [122.20675, 40.64935]})
        self.assertFalse(fc["truncated"])

    def test_a_case_in_another_workers_grid_is_absent(self):
        self.file(actor=self.ivan, grid=self.grid_c, lat="40.652050", lng="122.206750")
        mine = self.file(actor=self.carol, grid=self.grid_a, lat=self.in_a[0], lng=self.in_a[1])
        self.client.force_login(self.carol)
        self.assertEqual(self.ids(status="all"), [mine.pk])
        # ivan sees carol's grid as community staff, but his map is of the grid he works: hers is not on it.
        self.client.force_login(self.ivan)
        self.assertNotIn(mine.pk, self.ids())

    def test_the_parent_community_stays_404_for_a_worker(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get(f"/territory/{self.wudamen.code}/map/cases.geojson").status_code, 404)
        self.assertEqual(self.client.get(f"/territory/{self.grid_c.code}/map/cases.geojson").status_code, 404)

    def test_closed_cases_are_shown_only_with_status_all(self):
        from disputes.actions import cases as actions

        case = self.file(actor=self.carol, grid=self.grid_a2, lat=self.in_a2[0], lng=self.in_a2[1])
        actions.do_reject_case(actor=self.alice, case=case, version=case.version, reason="不属于受理范围。")
        self.client.force_login(self.carol)
        self.assertEqual(self.ids(), [])
        self.assertEqual(self.ids(status="all"), [case.pk])

    def test_it_is_404_for_someone_who_covers_no_grid(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(URL).status_code, 404)

    def test_a_bad_bbox_or_status_is_a_400_with_a_message(self):
        self.client.force_login(self.carol)
        for params in ({"bbox": "1,2,3"}, {"bbox": "10,50,5,40"}, {"status": "closed"}):
            r = self.client.get(URL, params)
            self.assertEqual(r.status_code, 400, params)
            self.assertTrue(r.json()["error"])

    def test_the_bbox_keeps_only_the_points_inside_it(self):
        one = self.file(actor=self.carol, grid=self.grid_a, lat=self.in_a[0], lng=self.in_a[1])
        self.file(actor=self.gina, grid=self.grid_a2, lat=self.in_a2[0], lng=self.in_a2[1])
        self.client.force_login(self.carol)
        self.assertEqual(self.ids(bbox="122.2050,40.6480,122.2085,40.6507"), [one.pk])

    def test_the_query_count_does_not_grow_with_her_grids_or_their_cases(self):
        ContentType.objects.get_for_model(Case)
        self.file(actor=self.carol, grid=self.grid_a, lat=self.in_a[0], lng=self.in_a[1])
        self.client.force_login(self.carol)
        with self.assertNumQueries(QUERIES):
            self.client.get(URL)
        for i in range(3, 9):
            grid = make_region(f"210802001001{i:03d}", f"五大门社区第{i}网格", self.wudamen,
                               boundary=cell(40.6480 + i * 0.003, 122.2050))
            RoleAssignment.objects.create(user=self.carol, role=Role.GRID_WORKER, region=grid)
            forget_scope(self.carol)
            self.file(actor=self.carol, grid=grid, lat=f"{40.6490 + i * 0.003:.6f}", lng="122.206000")
        with self.assertNumQueries(QUERIES):
            fc = self.client.get(URL).json()
        self.assertEqual(len(fc["features"]), 7)


QUERIES = 9  # session, user, scope (3), her grids, object grants on cases (2), the points

"""GET /territory/<code>/map/cases.geojson: case points under a node, as the user may see them, bounded."""

from __future__ import annotations

from unittest import mock

from django.contrib.contenttypes.models import ContentType

from disputes.actions import cases as actions
from disputes.models import Case
from portal import map_selectors
from portal.tests.map_base import MapTestCase


class RegionMapCasesTestCase(MapTestCase):
    def get(self, code: str, **params):
        return self.client.get(f"/territory/{code}/map/cases.geojson", params)

    def test_it_requires_sign_in(self):
        self.assertEqual(self.get("210802001").status_code, 302)

    def test_a_street_officer_gets_the_open_cases_as_wgs84_points(self):
        case = self.file(actor=self.carol, lat=self.in_a[0], lng=self.in_a[1])
        self.file(actor=self.carol)  # no point: not on the map
        self.client.force_login(self.alice)
        r = self.get("210802001")
        self.assertEqual(r.status_code, 200)
        fc = r.json()
        self.assertEqual(len(fc["features"]), 1)
        f = fc["features"][0]
        self.assertEqual(f["geometry"], {"type": "Point", "coordinates": [122.20675, 40.64935]})
        self.assertEqual(f["properties"], {"id": case.pk, "status": "reported", "status_label": "已上报",
                                           "title": case.title, "url": f"/cases/{case.pk}/"})
        self.assertFalse(fc["truncated"])

    def test_closed_cases_are_shown_only_with_status_all(self):
        case = self.file(actor=self.carol, lat=self.in_a[0], lng=self.in_a[1])
        actions.do_reject_case(actor=self.alice, case=case, version=case.version, reason="不属于受理范围。")
        self.client.force_login(self.alice)
        self.assertEqual(self.get("210802001").json()["features"], [])
        self.assertEqual(len(self.get("210802001", status="all").json()["features"]), 1)

    def test_it_returns_404_for_a_street_in_the_other_district(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.get("210803001").status_code, 404)

    def test_a_grid_worker_sees_only_her_grids_points_and_404_for_the_next_grid(self):
        self.file(actor=self.carol, lat=self.in_a[0], lng=self.in_a[1])
        self.file(actor=self.gina, grid=self.grid_a2, lat=self.in_a2[0], lng=self.in_a2[1])
        self.client.force_login(self.carol)
        self.assertEqual(len(self.get(self.grid_a.code).json()["features"]), 1)
        self.assertEqual(self.get(self.grid_a2.code).status_code, 404)

    def test_a_department_handler_sees_only_the_cases_dispatched_to_her(self):
        mine = self.file(actor=self.carol, lat=self.in_a[0], lng=self.in_a[1])
        mine = actions.do_accept_case(actor=self.alice, case=mine, version=mine.version)
        actions.do_assign_case(actor=self.alice, case=mine, version=mine.version, department=self.police_a)
        self.file(actor=self.carol, lat=self.in_a[0], lng=self.in_a[1])  # not dispatched
        self.client.force_login(self.heidi)
        fc = self.get("210802001").json()
        self.assertEqual([f["properties"]["id"] for f in fc["features"]], [mine.pk])

    def test_the_bbox_keeps_only_the_points_inside_it(self):
        self.file(actor=self.carol, lat=self.in_a[0], lng=self.in_a[1])
        self.file(actor=self.gina, grid=self.grid_a2, lat=self.in_a2[0], lng=self.in_a2[1])
        self.client.force_login(self.alice)
        fc = self.get("210802001", bbox="122.2050,40.6480,122.2085,40.6507").json()
        self.assertEqual([f["geometry"]["coordinates"] for f in fc["features"]], [[122.20675, 40.64935]])

    def test_a_bad_bbox_or_status_is_a_400_with_a_message(self):
        self.client.force_login(self.alice)
        for params in ({"bbox": "1,2,3"}, {"bbox": "a,b,c,d"}, {"bbox": "10,50,5,40"}, {"bbox": "0,0,200,10"},
                       {"bbox": "nan,0,1,1"}, {"status": "closed"}):
            r = self.get("210802001", **params)
            self.assertEqual(r.status_code, 400, params)
            self.assertTrue(r.json()["error"])

    def test_the_points_are_bounded_newest_first_and_say_so(self):
        for _ in range(4):
            self.file(actor=self.carol, lat=self.in_a[0], lng=self.in_a[1])
        newest = Case.objects.order_by("-created_at", "-id").values_list("pk", flat=True)[:3]
        self.client.force_login(self.alice)
        with mock.patch.object(map_selectors, "MAX_POINTS", 3):
            fc = self.get("210802001").json()
        self.assertEqual([f["properties"]["id"] for f in fc["features"]], list(newest))
        self.assertTrue(fc["truncated"])

    def test_the_query_count_does_not_grow_with_the_number_of_cases(self):
        ContentType.objects.get_for_model(Case)
        self.file(actor=self.carol, lat=self.in_a[0], lng=self.in_a[1])
        self.client.force_login(self.dave)
        with self.assertNumQueries(9):
            self.get("210802")
        for _ in range(10):
            self.file(actor=self.gina, grid=self.grid_a2, lat=self.in_a2[0], lng=self.in_a2[1])
        with self.assertNumQueries(9):
            fc = self.get("210802").json()
        self.assertEqual(len(fc["features"]), 11)

"""Filing with a picked or GPS point (issue 18.6, 14.3): the point must lie in the chosen grid or
within disputes.location.NEAR_GRID_M (200 m) of its boundary; otherwise the filing is refused with
a 400, a Chinese message naming the distance and the grid, and the form shown again as typed."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from disputes.location import NEAR_GRID_M, check_point_in_grid, format_distance
from disputes.models import Case
from governance.models import Region
from portal.tests.map_base import MapTestCase

# grid_a (map_base): 40.6480–40.6507 N, 122.2050–122.2085 E.


class CaseLocationTestCase(MapTestCase):
    def form(self, lat, lng, grid=None, **extra):
        data = {
            "category": self.clutter.pk, "grid": (grid or self.grid_a).code, "urgency": "normal",
            "title": "楼道堆物", "description": "3号楼楼道堆放纸箱。", "address": "3号楼", "lat": lat, "lng": lng,
        }
        data.update(extra)
        return data

    def post(self, *args, **kwargs):
        self.client.force_login(self.carol)
        return self.client.post("/cases/new/", self.form(*args, **kwargs))

    def test_a_point_inside_the_grid_is_accepted(self):
        r = self.post(*self.in_a)
        case = Case.objects.get()
        self.assertRedirects(r, f"/cases/{case.pk}/")

    def test_a_point_just_outside_the_boundary_is_accepted_as_gps_error(self):
        # 0.0009° north of the grid's top edge: about 100 m.
        self.assertEqual(self.post("40.651600", "122.206750").status_code, 302)
        self.assertEqual(Case.objects.count(), 1)

    def test_a_point_400_km_away_is_refused_naming_the_distance_and_the_grid(self):
        # Beijing (about 500 km from 营口): a worker's phone still on a trip, or a wrong pick.
        r = self.post("39.904200", "116.407400")
        self.assertEqual(r.status_code, 400)
        self.assertEqual(Case.objects.count(), 0)
        self.assertContains(r, "五大门社区第1网格", status_code=400)
        self.assertContains(r, "公里", status_code=400)
        self.assertContains(r, "不在该网格内", status_code=400)
        # The form is not lost: what was typed and the point are shown again.
        self.assertContains(r, 'value="楼道堆物"', status_code=400)
        self.assertContains(r, 'value="39.904200"', status_code=400)

    def test_a_point_half_a_kilometre_outside_is_refused_in_metres(self):
        # 0.0045° north of the top edge: about 500 m.
        r = self.post("40.655200", "122.206750")
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "米", status_code=400)
        self.assertEqual(Case.objects.count(), 0)

    def test_a_point_in_the_next_grid_is_refused_for_this_one(self):
        r = self.post("40.649350", "122.215000")  # well inside no grid of carol's, 500 m east
        self.assertEqual(r.status_code, 400)

    def test_the_action_refuses_it_too_whoever_calls_it(self):
        with self.assertRaises(ValidationError) as raised:
            self.file(actor=self.carol, lat="39.9042", lng="116.4074")
        self.assertIn("五大门社区第1网格", raised.exception.messages[0])
        self.assertEqual(Case.objects.count(), 0)

    def test_a_grid_without_a_boundary_is_checked_against_its_centre(self):
        Region.objects.filter(pk=self.grid_a.pk).update(boundary=None)
        grid = Region.objects.get(pk=self.grid_a.pk)
        check_point_in_grid(grid, "40.660000", "122.206750")  # about 1.2 km from the centre: near enough
        with self.assertRaises(ValidationError):
            check_point_in_grid(grid, "40.700000", "122.206750")  # 5.7 km

    def test_a_grid_with_neither_boundary_nor_centre_is_not_checked(self):
        Region.objects.filter(pk=self.grid_a.pk).update(boundary=None, centre_lat=None, centre_lng=None)
        self.assertEqual(self.post("39.904200", "116.407400").status_code, 302)

    def test_a_case_without_a_point_is_not_checked(self):
        self.assertEqual(self.post("", "").status_code, 302)

    def test_distances_read_as_people_say_them(self):
        self.assertEqual(format_distance(NEAR_GRID_M + 149.6), "350 米")
        self.assertEqual(format_distance(12_345), "12.3 公里")
        self.assertEqual(format_distance(412_000), "412 公里")

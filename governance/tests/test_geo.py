"""governance.geo: coordinate systems against published reference points, round trips, boundaries.

Reference points:
- wandergis/coordtransform, README.md ("result" block of the Node example), input (116.404, 39.915) as lng, lat:
  wgs84togcj02 → [116.41024449916938, 39.91640428150164], gcj02tobd09 → [116.41036949371029, 39.92133699351021],
  bd09togcj02 → [116.39762729119315, 39.90865673957631], gcj02towgs84 → [116.39775550083061, 39.91359571849836].
  The last two are that library's one-step approximate inverses; ours iterate, so they agree to well under a metre.
- googollee/eviltransform, python/test.py, TESTS (wgsLat, wgsLng, gcjLat, gcjLng) for Shanghai, Shenzhen and
  Beijing; its test asserts wgs2gcj to 6 decimals and gcj2wgs_exact to within 0.5 m, as we do.
"""

from __future__ import annotations

import random
import unittest

from governance import geo

COORDTRANSFORM_IN = (39.915, 116.404)
EVILTRANSFORM_TESTS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # beijing
]
SQUARE = {"type": "Polygon", "coordinates": [[[122.0, 40.0], [122.01, 40.0], [122.01, 40.01], [122.0, 40.01], [122.0, 40.0]]]}


class ReferencePointTests(unittest.TestCase):
    def test_wgs84_to_gcj02_matches_coordtransform(self):
        lat, lng = geo.wgs84_to_gcj02(*COORDTRANSFORM_IN)
        self.assertAlmostEqual(lat, 39.91640428150164, places=9)
        self.assertAlmostEqual(lng, 116.41024449916938, places=9)

    def test_gcj02_to_bd09_matches_coordtransform(self):
        lat, lng = geo.gcj02_to_bd09(*COORDTRANSFORM_IN)
        self.assertAlmostEqual(lat, 39.92133699351021, places=9)
        self.assertAlmostEqual(lng, 116.41036949371029, places=9)

    def test_the_inverses_agree_with_coordtransforms_approximations_to_under_a_metre(self):
        self.assertLess(geo.distance_m(*geo.bd09_to_gcj02(*COORDTRANSFORM_IN), 39.90865673957631, 116.39762729119315), 1)
        self.assertLess(geo.distance_m(*geo.gcj02_to_wgs84(*COORDTRANSFORM_IN), 39.91359571849836, 116.39775550083061), 1)

    def test_wgs84_to_gcj02_matches_eviltransform_to_six_decimals(self):
        for wgs_lat, wgs_lng, gcj_lat, gcj_lng in EVILTRANSFORM_TESTS:
            lat, lng = geo.wgs84_to_gcj02(wgs_lat, wgs_lng)
            self.assertAlmostEqual(lat, gcj_lat, places=6)
            self.assertAlmostEqual(lng, gcj_lng, places=6)

    def test_gcj02_to_wgs84_finds_eviltransforms_points_within_half_a_metre(self):
        for wgs_lat, wgs_lng, gcj_lat, gcj_lng in EVILTRANSFORM_TESTS:
            self.assertLess(geo.distance_m(*geo.gcj02_to_wgs84(gcj_lat, gcj_lng), wgs_lat, wgs_lng), 0.5)

    def test_the_offset_in_yingkou_is_a_few_hundred_metres(self):
        lat, lng = 40.6670, 122.2350
        self.assertTrue(100 < geo.distance_m(lat, lng, *geo.wgs84_to_gcj02(lat, lng)) < 1000)
        self.assertTrue(500 < geo.distance_m(lat, lng, *geo.wgs84_to_bd09(lat, lng)) < 2000)


class RoundTripTests(unittest.TestCase):
    def test_round_trips_across_china_are_good_to_half_a_metre(self):
        rng = random.Random(2026)
        worst = 0.0
        for _ in range(2000):
            lat, lng = rng.uniform(18.0, 53.0), rng.uniform(74.0, 134.5)
            for there, back in ((geo.wgs84_to_gcj02, geo.gcj02_to_wgs84), (geo.wgs84_to_bd09, geo.bd09_to_wgs84),
                                (geo.gcj02_to_bd09, geo.bd09_to_gcj02)):
                worst = max(worst, geo.distance_m(lat, lng, *back(*there(lat, lng))))
        self.assertLess(worst, 0.5)
        self.assertLess(worst, 0.01)  # in fact millimetres

    def test_from_and_to_each_system_are_inverse(self):
        for system in geo.SYSTEMS:
            back = geo.to_wgs84(*geo.from_wgs84(41.8, 123.4, system), system)
            self.assertLess(geo.distance_m(41.8, 123.4, *back), 0.5)

    def test_cgcs2000_and_wgs84_need_no_conversion(self):
        self.assertEqual(geo.from_wgs84(40.66, 122.23, geo.CGCS2000), (40.66, 122.23))
        self.assertEqual(geo.from_wgs84(40.66, 122.23, geo.WGS84), (40.66, 122.23))


class OutsideChinaTests(unittest.TestCase):
    def test_points_outside_china_are_not_offset(self):
        for lat, lng in [(51.5074, -0.1278), (40.7128, -74.006), (-33.86, 151.21), (1.29, 103.85), (64.1, -21.9)]:
            self.assertEqual(geo.wgs84_to_gcj02(lat, lng), (lat, lng))
            self.assertEqual(geo.gcj02_to_wgs84(lat, lng), (lat, lng))
            self.assertEqual(geo.wgs84_to_bd09(lat, lng), (lat, lng))
            self.assertEqual(geo.bd09_to_wgs84(lat, lng), (lat, lng))


class BoundaryTests(unittest.TestCase):
    def test_a_point_inside_a_square_is_in_it(self):
        self.assertTrue(geo.point_in_boundary(40.005, 122.005, SQUARE))
        self.assertFalse(geo.point_in_boundary(40.02, 122.005, SQUARE))

    def test_a_point_in_a_hole_is_not_in_the_polygon(self):
        hole = [[122.004, 40.004], [122.006, 40.004], [122.006, 40.006], [122.004, 40.006], [122.004, 40.004]]
        donut = {"type": "Polygon", "coordinates": [SQUARE["coordinates"][0], hole]}
        self.assertFalse(geo.point_in_boundary(40.005, 122.005, donut))
        self.assertTrue(geo.point_in_boundary(40.002, 122.002, donut))
        self.assertAlmostEqual(geo.distance_outside_m(40.005, 122.005, donut), 85.2, delta=0.5)  # 0.001° of longitude

    def test_a_multipolygon_holds_a_point_in_any_of_its_parts(self):
        far = [[123.0, 41.0], [123.01, 41.0], [123.01, 41.01], [123.0, 41.0]]
        multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"], [far]]}
        self.assertTrue(geo.point_in_boundary(40.005, 122.005, multi))
        self.assertTrue(geo.point_in_boundary(41.002, 123.005, multi))
        self.assertFalse(geo.point_in_boundary(40.5, 122.5, multi))

    def test_the_distance_to_the_boundary_is_in_metres(self):
        # 0.001° of latitude north of the square's top edge: 111 m.
        self.assertAlmostEqual(geo.distance_to_boundary_m(40.011, 122.005, SQUARE), 111.2, delta=0.5)
        self.assertAlmostEqual(geo.distance_outside_m(40.011, 122.005, SQUARE), 111.2, delta=0.5)
        self.assertEqual(geo.distance_outside_m(40.005, 122.005, SQUARE), 0.0)
        # Inside, the distance to the nearest edge: 0.001° of longitude at 40° N is 85 m.
        self.assertAlmostEqual(geo.distance_to_boundary_m(40.005, 122.001, SQUARE), 85.2, delta=0.5)

    def test_a_point_400_km_away_is_about_400_km_from_the_boundary(self):
        # Shenyang's centre to a Yingkou square: roughly 170 km; Beijing: roughly 560 km.
        d = geo.distance_outside_m(39.9042, 116.4074, SQUARE)
        self.assertAlmostEqual(d / 1000, geo.distance_m(39.9042, 116.4074, 40.0, 122.0) / 1000, delta=15)

    def test_malformed_geojson_has_no_area(self):
        for bad in (None, {}, {"type": "Point", "coordinates": [1, 2]}, {"type": "Polygon", "coordinates": "x"},
                    {"type": "Polygon", "coordinates": [[[1, 2], ["a", None]]]}):
            self.assertFalse(geo.has_area(bad))
            self.assertFalse(geo.point_in_boundary(40, 122, bad))
            self.assertIsNone(geo.distance_outside_m(40, 122, bad))

    def test_bbox_and_rectangle(self):
        self.assertEqual(geo.bbox(SQUARE), (40.0, 122.0, 40.01, 122.01))
        self.assertTrue(geo.point_in_boundary(40.005, 122.005, geo.rectangle(40.0, 122.0, 40.01, 122.01)))

    def test_decimals_from_the_database_are_accepted(self):
        from decimal import Decimal

        self.assertTrue(geo.point_in_boundary(Decimal("40.005000"), Decimal("122.005000"), SQUARE))
        self.assertEqual(geo.distance_outside_m(Decimal("40.005"), Decimal("122.005"), SQUARE), 0.0)

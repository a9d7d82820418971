"""Coordinates: China's map coordinate systems, points in grid boundaries, distances in metres.

Plain functions, no Django: every app may use them (governance is the bottom floor).

Points are stored as WGS-84, what a phone's GPS gives. CGCS2000 (天地图 and most government
tile servers) differs from WGS-84 by centimetres and is treated as WGS-84. Tiles from AMap,
Tencent and Google China are GCJ-02 (国测局 / "Mars" coordinates: WGS-84 plus a published
non-linear offset of a few hundred metres); Baidu's are BD-09 (GCJ-02 with Baidu's own
rotation and shift on top). Outside China no offset applies (the same rectangle as the widely
used coordtransform library). The inverse conversions iterate the forward one until it comes
back to within 1e-9 degrees (about 0.1 mm), so a round trip is good to far less than 0.5 m.

Argument order is (lat, lng) everywhere here; GeoJSON positions are [lng, lat].
``static/js/map.js`` implements the same conversions for display (a test compares the two).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

WGS84, GCJ02, BD09, CGCS2000 = "wgs84", "gcj02", "bd09", "cgcs2000"
SYSTEMS = (WGS84, GCJ02, BD09, CGCS2000)

# GCJ-02 parameters: the Krasovsky 1940 ellipsoid's semi-major axis and first eccentricity squared.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
EARTH_RADIUS_M = 6371008.8  # mean radius, for distances
_INVERSE_TOLERANCE = 1e-9
_INVERSE_STEPS = 30

Point = tuple[float, float]  # (lat, lng)


def out_of_china(lat: float, lng: float) -> bool:
    """True outside the rectangle in which the GCJ-02 offset is applied."""
    return not (73.66 < lng < 135.05 and 3.86 < lat < 53.55)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lat: float, lng: float) -> Point:
    if out_of_china(lat, lng):
        return lat, lng
    dlat = _transform_lat(lng - 105.0, lat - 35.0)
    dlng = _transform_lng(lng - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return lat + dlat, lng + dlng


def _gcj02_to_bd09_raw(lat: float, lng: float) -> Point:
    z = math.hypot(lng, lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def _bd09_to_gcj02_raw(lat: float, lng: float) -> Point:
    x, y = lng - 0.0065, lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.sin(theta), z * math.cos(theta)


def gcj02_to_bd09(lat: float, lng: float) -> Point:
    if out_of_china(lat, lng):
        return lat, lng
    return _gcj02_to_bd09_raw(lat, lng)


def _invert(forward, lat: float, lng: float, start: Point) -> Point:
    """The point p with forward(p) == (lat, lng), by fixed-point iteration from `start`
    (the forward offsets change slowly, so each step gains several digits)."""
    guess_lat, guess_lng = start
    for _step in range(_INVERSE_STEPS):
        f_lat, f_lng = forward(guess_lat, guess_lng)
        d_lat, d_lng = lat - f_lat, lng - f_lng
        guess_lat, guess_lng = guess_lat + d_lat, guess_lng + d_lng
        if abs(d_lat) < _INVERSE_TOLERANCE and abs(d_lng) < _INVERSE_TOLERANCE:
            break
    return guess_lat, guess_lng


def gcj02_to_wgs84(lat: float, lng: float) -> Point:
    if out_of_china(lat, lng):
        return lat, lng
    return _invert(wgs84_to_gcj02, lat, lng, (lat, lng))


def bd09_to_gcj02(lat: float, lng: float) -> Point:
    if out_of_china(lat, lng):
        return lat, lng
    return _invert(gcj02_to_bd09, lat, lng, _bd09_to_gcj02_raw(lat, lng))


def wgs84_to_bd09(lat: float, lng: float) -> Point:
    return gcj02_to_bd09(*wgs84_to_gcj02(lat, lng))


def bd09_to_wgs84(lat: float, lng: float) -> Point:
    return _invert(wgs84_to_bd09, lat, lng, gcj02_to_wgs84(*bd09_to_gcj02(lat, lng)))


def from_wgs84(lat: float, lng: float, system: str) -> Point:
    """A WGS-84 point in `system` (what a tile source of that system needs for display)."""
    if system == GCJ02:
        return wgs84_to_gcj02(lat, lng)
    if system == BD09:
        return wgs84_to_bd09(lat, lng)
    return lat, lng  # wgs84, cgcs2000


def to_wgs84(lat: float, lng: float, system: str) -> Point:
    """A point picked on tiles of `system`, as WGS-84 (how it is stored)."""
    if system == GCJ02:
        return gcj02_to_wgs84(lat, lng)
    if system == BD09:
        return bd09_to_wgs84(lat, lng)
    return lat, lng


# ---------------------------------------------------------------- distances and boundaries


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine on the mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _ring(raw) -> list[Point]:
    """A GeoJSON ring ([[lng, lat], …]) as (lat, lng) floats; positions that are not two finite numbers are skipped."""
    ring: list[Point] = []
    if not isinstance(raw, (list, tuple)):
        return ring
    for pos in raw:
        if not isinstance(pos, (list, tuple)) or len(pos) < 2:
            continue
        try:
            lng, lat = float(pos[0]), float(pos[1])
        except (TypeError, ValueError):
            continue
        if math.isfinite(lat) and math.isfinite(lng):
            ring.append((lat, lng))
    return ring


def polygons(geojson) -> list[list[list[Point]]]:
    """A GeoJSON Polygon or MultiPolygon (or a Feature holding one) as polygons, each a list of
    rings (outer first, then holes) of (lat, lng); rings with fewer than 3 positions are dropped.
    Anything else gives []."""
    if not isinstance(geojson, dict):
        return []
    if geojson.get("type") == "Feature":
        geojson = geojson.get("geometry") or {}
    kind, coords = geojson.get("type"), geojson.get("coordinates")
    if not isinstance(coords, list):
        return []
    raw_polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    result = []
    for raw in raw_polygons:
        if not isinstance(raw, list):
            continue
        rings = [r for r in (_ring(x) for x in raw) if len(r) >= 3]
        if rings:
            result.append(rings)
    return result


def has_area(geojson) -> bool:
    return bool(polygons(geojson))


def _in_ring(lat: float, lng: float, ring: list[Point]) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        yi, xi = ring[i]
        yj, xj = ring[j]
        if (yi > lat) != (yj > lat) and lng < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def point_in_boundary(lat: float, lng: float, geojson) -> bool:
    """Whether the point lies inside the Polygon / MultiPolygon (inside an outer ring and in none
    of its holes). A point exactly on an edge may fall either way: callers that care allow a
    tolerance with distance_outside_m."""
    lat, lng = float(lat), float(lng)  # Decimal from the database works too
    for rings in polygons(geojson):
        outer, holes = rings[0], rings[1:]
        if _in_ring(lat, lng, outer) and not any(_in_ring(lat, lng, h) for h in holes):
            return True
    return False


def _segments(geojson) -> Iterable[tuple[Point, Point]]:
    for rings in polygons(geojson):
        for ring in rings:
            for i in range(len(ring)):
                yield ring[i - 1], ring[i]


def distance_to_boundary_m(lat: float, lng: float, geojson) -> float | None:
    """Metres from the point to the nearest edge of the boundary (inside or out), or None when
    the GeoJSON holds no polygon. Each edge is measured in a plane tangent at the point, which
    is exact to well under a metre at grid and city sizes; far away (hundreds of kilometres) it
    is the nearest edge's great-circle distance to within a few per cent."""
    lat, lng = float(lat), float(lng)  # Decimal from the database works too
    best = None
    cos_lat = math.cos(math.radians(lat))
    k = math.pi / 180 * EARTH_RADIUS_M
    for (lat_a, lng_a), (lat_b, lng_b) in _segments(geojson):
        ax, ay = (lng_a - lng) * cos_lat * k, (lat_a - lat) * k
        bx, by = (lng_b - lng) * cos_lat * k, (lat_b - lat) * k
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
        near_lat, near_lng = lat_a + t * (lat_b - lat_a), lng_a + t * (lng_b - lng_a)
        d = distance_m(lat, lng, near_lat, near_lng)
        if best is None or d < best:
            best = d
    return best


def distance_outside_m(lat: float, lng: float, geojson) -> float | None:
    """0 for a point inside the boundary, else metres to its nearest edge; None without a polygon."""
    lat, lng = float(lat), float(lng)  # Decimal from the database works too
    if not has_area(geojson):
        return None
    if point_in_boundary(lat, lng, geojson):
        return 0.0
    return distance_to_boundary_m(lat, lng, geojson)


def bbox(geojson) -> tuple[float, float, float, float] | None:
    """(south, west, north, east) of the boundary, or None without a polygon."""
    points = [p for rings in polygons(geojson) for ring in rings for p in ring]
    if not points:
        return None
    lats, lngs = [p[0] for p in points], [p[1] for p in points]
    return min(lats), min(lngs), max(lats), max(lngs)


def rectangle(south: float, west: float, north: float, east: float) -> dict:
    """A GeoJSON Polygon for a latitude/longitude box."""
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}

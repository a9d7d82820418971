"""Which grid a point lies in (WGS-84 longitude/latitude against the GeoJSON boundaries in
governance.Region.boundary). A small even-odd ray cast, enough for grid polygons; the candidates
are the grids of the user's scope whose centre lies within ~0.05° of the point, so no request
reads a whole city's 20,000 boundaries. (governance/geo.py, from the map work, may replace it.)"""

from __future__ import annotations

from decimal import Decimal

from governance.models import Region, User
from governance.roles import Level
from governance.scope import scoped

NEAR = Decimal("0.05")
CANDIDATES = 200


def _in_ring(lng: float, lat: float, ring) -> bool:
    inside = False
    points = [p for p in ring if isinstance(p, (list, tuple)) and len(p) >= 2]
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=False):
        x1, y1, x2, y2 = float(x1), float(y1), float(x2), float(y2)
        if (y1 > lat) != (y2 > lat) and lng < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def point_in_boundary(lng: float, lat: float, boundary) -> bool:
    if not isinstance(boundary, dict):
        return False
    coords = boundary.get("coordinates") or []
    polygons = [coords] if boundary.get("type") == "Polygon" else coords if boundary.get("type") == "MultiPolygon" else []
    for polygon in polygons:
        if not polygon or not isinstance(polygon, list):
            continue
        outer, holes = polygon[0], polygon[1:]
        if _in_ring(lng, lat, outer) and not any(_in_ring(lng, lat, h) for h in holes):
            return True
    return False


def grid_at(user: User, cap: str, lat: float, lng: float) -> Region | None:
    """The grid of `user`'s scope (capability `cap`) containing the point, or None."""
    lat_d, lng_d = Decimal(str(lat)), Decimal(str(lng))
    near = scoped(Region.objects.filter(level=Level.GRID, boundary__isnull=False), user, cap).filter(
        centre_lat__range=(lat_d - NEAR, lat_d + NEAR), centre_lng__range=(lng_d - NEAR, lng_d + NEAR),
    ).only("code", "name", "boundary")[:CANDIDATES]
    for grid in near:
        if point_in_boundary(lng, lat, grid.boundary):
            return grid
    return None

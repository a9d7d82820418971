"""Which grid a point lies in, for Open311 (WGS-84 latitude/longitude against the GeoJSON boundaries
in governance.Region.boundary, tested by governance.geo.point_in_boundary). The candidates are the
grids of the user's scope whose centre lies within ~0.05° of the point, so no request reads a whole
city's 20,000 boundaries."""

from __future__ import annotations

from decimal import Decimal

from governance.geo import point_in_boundary
from governance.models import Region, User
from governance.roles import Level
from governance.scope import scoped

NEAR = Decimal("0.05")
CANDIDATES = 200


def grid_at(user: User, cap: str, lat: float, lng: float) -> Region | None:
    """The grid of `user`'s scope (capability `cap`) containing the point, or None."""
    lat_d, lng_d = Decimal(str(lat)), Decimal(str(lng))
    near = scoped(Region.objects.filter(level=Level.GRID, boundary__isnull=False), user, cap).filter(
        centre_lat__range=(lat_d - NEAR, lat_d + NEAR), centre_lng__range=(lng_d - NEAR, lng_d + NEAR),
    ).only("code", "name", "boundary")[:CANDIDATES]
    for grid in near:
        if point_in_boundary(lat, lng, grid.boundary):
            return grid
    return None

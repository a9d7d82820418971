"""Where a case is: the check that a picked or GPS point lies in (or near) the case's grid.

A phone's fix is good to tens of metres and a boundary drawn by hand is rarely better, so a
point up to NEAR_GRID_M outside the boundary is accepted; beyond that the filing is refused with
the distance and the grid's name (the form is shown again with everything entered). A grid
without a drawn boundary is checked against its centre with a wider radius; a grid with neither
is not checked.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from governance import geo
from governance.models import Region

NEAR_GRID_M = 200
NEAR_CENTRE_M = 3000


def format_distance(metres: float) -> str:
    if metres < 1000:
        return _("%(n)s 米") % {"n": int(round(metres))}
    if metres < 100_000:
        return _("%(n)s 公里") % {"n": f"{metres / 1000:.1f}"}
    return _("%(n)s 公里") % {"n": f"{metres / 1000:,.0f}"}


def distance_from_grid_m(grid: Region, lat, lng) -> tuple[float | None, bool]:
    """(metres outside the grid's boundary, True) or (metres from its centre, False) when it has no
    boundary, or (None, False) when it has neither. One query (the grid's shape)."""
    row = Region.objects.filter(pk=grid.pk).values("boundary", "centre_lat", "centre_lng").first() or {}
    lat, lng = float(lat), float(lng)
    outside = geo.distance_outside_m(lat, lng, row.get("boundary"))
    if outside is not None:
        return outside, True
    if row.get("centre_lat") is not None and row.get("centre_lng") is not None:
        return geo.distance_m(lat, lng, float(row["centre_lat"]), float(row["centre_lng"])), False
    return None, False


def check_point_in_grid(grid: Region, lat, lng) -> None:
    """Raise a ValidationError (Chinese, naming the distance and the grid) when the point lies
    more than NEAR_GRID_M outside the grid's boundary (NEAR_CENTRE_M from its centre without one)."""
    if lat is None or lng is None:
        return
    distance, by_boundary = distance_from_grid_m(grid, lat, lng)
    if distance is None:
        return
    if by_boundary and distance > NEAR_GRID_M:
        raise ValidationError(
            _("所选位置在“%(grid)s”边界外约 %(distance)s，不在该网格内（允许误差 %(tolerance)s 米）。"
              "请在地图上重新选取位置，或改选所在的网格。")
            % {"grid": grid.name, "distance": format_distance(distance), "tolerance": NEAR_GRID_M},
            code="outside_grid",
        )
    if not by_boundary and distance > NEAR_CENTRE_M:
        raise ValidationError(
            _("所选位置距“%(grid)s”中心约 %(distance)s，不在该网格附近。请重新选取位置，或改选所在的网格。")
            % {"grid": grid.name, "distance": format_distance(distance)},
            code="outside_grid",
        )


def map_tiles() -> dict:
    """The tile source for the case maps' data-* attributes (settings.MAP_TILE_*; none by default)."""
    return {
        "tile_url": settings.MAP_TILE_URL,
        "tile_crs": settings.MAP_TILE_CRS,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "max_zoom": settings.MAP_TILE_MAX_ZOOM,
        "subdomains": settings.MAP_TILE_SUBDOMAINS,
    }

"""{% case_place case as place %}: where a case is, for the case page (its grid's boundary, the
point, how far outside the grid the point lies) and the map's tile settings; no query."""

from __future__ import annotations

from django import template
from django.conf import settings

from disputes.location import format_distance
from governance import geo

register = template.Library()


@register.simple_tag
def case_place(case) -> dict:
    grid = case.grid
    boundary = grid.boundary if geo.has_area(grid.boundary) else None
    has_point = case.lat is not None and case.lng is not None
    outside = geo.distance_outside_m(float(case.lat), float(case.lng), boundary) if has_point and boundary else None
    return {
        "boundary": boundary,
        "has_point": has_point,
        "show_map": bool(boundary or has_point),
        "inside": outside is not None and outside == 0,
        "outside": format_distance(outside) if outside else "",
        "tile_url": settings.MAP_TILE_URL,
        "tile_crs": settings.MAP_TILE_CRS,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "max_zoom": settings.MAP_TILE_MAX_ZOOM,
        "subdomains": settings.MAP_TILE_SUBDOMAINS,
    }

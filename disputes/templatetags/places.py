"""{% case_place case as place %}: where a case is, for the case page (its grid's boundary, the
point, how far outside the grid the point lies) and the map's tile settings; no query."""

from __future__ import annotations

from django import template

from disputes.location import format_distance, map_tiles
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
        **map_tiles(),
    }

"""{% map_settings as m %}: what templates/portal/_map.html puts in its data-* attributes."""

from __future__ import annotations

from django import template
from django.conf import settings

from portal.map_selectors import kpi_choices, period_choices

register = template.Library()


@register.simple_tag
def map_settings() -> dict:
    return {
        "tile_url": settings.MAP_TILE_URL,
        "tile_crs": settings.MAP_TILE_CRS,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "max_zoom": settings.MAP_TILE_MAX_ZOOM,
        "subdomains": settings.MAP_TILE_SUBDOMAINS,
        "kpis": kpi_choices(),
        "periods": period_choices(),
    }

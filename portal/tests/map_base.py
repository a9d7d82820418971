"""Territory with boundaries for the map tests: the two 五大门 grids side by side (about 300 m each)
and 花园社区's grid, on TerritoryTestCase's named users; cases filed through the actions."""

from __future__ import annotations

from django.core.cache import cache

from disputes.tests.base import CaseTestCase
from governance import geo
from governance.models import Region


def cell(south: float, west: float) -> dict:
    return geo.rectangle(south, west, south + 0.0027, west + 0.0035)


class MapTestCase(CaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        for region, (south, west) in ((cls.grid_a, (40.6480, 122.2050)), (cls.grid_a2, (40.6480, 122.2085)),
                                      (cls.grid_c, (40.6507, 122.2050)), (cls.grid_b, (40.7000, 122.3000))):
            Region.objects.filter(pk=region.pk).update(
                boundary=cell(south, west), centre_lat=round(south + 0.00135, 6), centre_lng=round(west + 0.00175, 6)
            )
            region.refresh_from_db()
        # A point in the middle of each grid.
        cls.in_a = ("40.649350", "122.206750")
        cls.in_a2 = ("40.649350", "122.210250")

    def setUp(self) -> None:
        super().setUp()
        cache.clear()  # the map keeps KPI values for a while (portal.map_selectors.VALUES_TTL)

"""A territory for the Open311 tests: one grid with a boundary (a square round 122.23 E, 40.66 N), a
12345 hotline account filing cases there, and the categories as services."""

from __future__ import annotations

from disputes.models import Category
from governance.actions import do_issue_api_token
from governance.roles import Role
from governance.tests.base import make_region, make_territory, make_user

LNG, LAT = 122.23, 40.66


def square(lng: float, lat: float, half: float = 0.005) -> dict:
    ring = [[lng - half, lat - half], [lng + half, lat - half], [lng + half, lat + half], [lng - half, lat + half],
            [lng - half, lat - half]]
    return {"type": "Polygon", "coordinates": [ring]}


def open311_world() -> dict:
    city, district, street, community, grid = make_territory()
    grid.boundary, grid.centre_lat, grid.centre_lng = square(LNG, LAT), LAT, LNG
    grid.save()
    other = make_region("210802001001002", "五大门社区第2网格", community, boundary=square(LNG + 0.02, LAT),
                        centre_lat=LAT, centre_lng=LNG + 0.02)
    hotline = make_user("hotline", "12345 热线", Role.STREET_OFFICER, street)
    officer = make_user("officer", "街道干部", Role.STREET_OFFICER, street)
    fire = Category.objects.create(code="04", name="消防")
    clutter = Category.objects.create(code="0402", name="楼道堆物", parent=fire)
    return {"grid": grid, "other": other, "hotline": hotline, "officer": officer, "clutter": clutter,
            "key": do_issue_api_token(actor=None, user=hotline, name="12345")[1]}

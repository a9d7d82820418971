"""Named users in two districts, set up once for every test class that needs them.

    2108 营口市
      210802 站前区 ─ 210802001 八田地街道 ─ 210802001001 五大门社区 ─ grids 001, 002
                    └ 210802002 建设街道   ─ 210802002001 花园社区   ─ grid 001
      210803 西市区 ─ 210803001 五台子街道 ─ 210803001001 渔市社区   ─ grid 001

alice  street officer, 八田地街道          bob    street officer, 五台子街道 (other district)
carol  grid worker, 五大门 grid 001        dave   district centre, 站前区
erin   city leader, 营口市                  frank  admin, 西市区
"""

from __future__ import annotations

from django.test import TestCase

from governance.models import Department, DepartmentKind, Region, RoleAssignment, User
from governance.roles import Level, Role


def make_region(code: str, name: str, parent: Region | None = None, **extra) -> Region:
    level = {4: Level.CITY, 6: Level.DISTRICT, 9: Level.STREET, 12: Level.COMMUNITY, 15: Level.GRID}[len(code)]
    if level == Level.GRID:
        extra.setdefault("grid_type", "comprehensive")
    return Region.objects.create(code=code, name=name, level=level, parent=parent, **extra)


def make_territory() -> tuple[Region, Region, Region, Region, Region]:
    """营口市 › 站前区 › 八田地街道 › 五大门社区 › its first grid: (city, district, street, community, grid)."""
    city = make_region("2108", "营口市")
    district = make_region("210802", "站前区", city)
    street = make_region("210802001", "八田地街道", district)
    community = make_region("210802001001", "五大门社区", street)
    grid = make_region("210802001001001", "五大门社区第1网格", community)
    return city, district, street, community, grid


def make_user(username: str, name: str, role: str | None = None, region: Region | None = None, **extra) -> User:
    user = User.objects.create_user(username=username, password="password", name=name)
    if role:
        RoleAssignment.objects.create(user=user, role=role, region=region, **extra)
    return user


class TerritoryTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.city = make_region("2108", "营口市")
        cls.zhanqian = make_region("210802", "站前区", cls.city)
        cls.batiandi = make_region("210802001", "八田地街道", cls.zhanqian)
        cls.wudamen = make_region("210802001001", "五大门社区", cls.batiandi)
        cls.grid_a = make_region("210802001001001", "五大门社区第1网格", cls.wudamen)
        cls.grid_a2 = make_region("210802001001002", "五大门社区第2网格", cls.wudamen)
        cls.jianshe = make_region("210802002", "建设街道", cls.zhanqian)
        cls.huayuan = make_region("210802002001", "花园社区", cls.jianshe)
        cls.grid_c = make_region("210802002001001", "花园社区第1网格", cls.huayuan)
        cls.xishi = make_region("210803", "西市区", cls.city)
        cls.wutaizi = make_region("210803001", "五台子街道", cls.xishi)
        cls.yushi = make_region("210803001001", "渔市社区", cls.wutaizi)
        cls.grid_b = make_region("210803001001001", "渔市社区第1网格", cls.yushi)

        cls.police_a = Department.objects.create(name="八田地派出所", kind=DepartmentKind.POLICE, region=cls.batiandi)

        cls.alice = make_user("alice", "艾丽", Role.STREET_OFFICER, cls.batiandi)
        cls.bob = make_user("bob", "鲍勃", Role.STREET_OFFICER, cls.wutaizi)
        cls.carol = make_user("carol", "卡萝", Role.GRID_WORKER, cls.grid_a)
        cls.dave = make_user("dave", "戴维", Role.DISTRICT_CENTRE, cls.zhanqian)
        cls.erin = make_user("erin", "艾琳", Role.CITY_LEADER, cls.city)
        cls.frank = make_user("frank", "弗兰克", Role.ADMIN, cls.xishi)
        cls.nobody = make_user("nobody", "无角色")

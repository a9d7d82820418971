"""The demo city: 营口市站前区 as the seed article describes it (279 grids, 550 grid workers).

Codes and names of the first four streets match the sample rosters in shared/data,
so an admin can import those files into the demo city.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from governance.actions import record_audit
from governance.models import Department, DepartmentKind, GridType, Region, RoleAssignment, User
from governance.roles import Level, Role

CITY = ("2108", "营口市")
DISTRICT = ("210802", "站前区")
STREETS: list[tuple[str, list[str]]] = [
    ("八田地街道", ["五大门社区", "民兴社区", "新兴社区", "渤海社区", "胜利社区"]),
    ("建设街道", ["花园社区", "盛世社区", "金港社区", "建设社区", "长征社区"]),
    ("跃进街道", ["光明社区", "东升社区", "南湖社区", "跃进社区", "团结社区"]),
    ("东风街道", ["北山社区", "西苑社区", "春华社区", "东风社区", "和平社区"]),
    ("新兴街道", ["新华社区", "振兴社区", "育才社区", "民主社区", "繁荣社区"]),
    ("新建街道", ["新建社区", "红旗社区", "友谊社区", "解放社区", "前进社区"]),
    ("渔市街道", ["渔市社区", "海港社区", "盼盼社区", "学府社区", "东盛社区"]),
    ("站前街道", ["站前社区", "站北社区", "怡园社区", "青年社区", "盛和社区"]),
]
GRIDS_PER_COMMUNITY = 7
TOTAL_GRIDS = 279  # the last community has one grid fewer
TOTAL_GRID_WORKERS = 550
DEDICATED_TYPES = [GridType.HOSPITAL, GridType.SCHOOL, GridType.ENTERPRISE, GridType.MARKET]

# The common surnames, most common first (the demo's grid workers and residents draw from them).
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文关"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国玉梅红志文春燕海波鹏辉宇晨欣颖浩然子轩梓涵俊博雪婷佳琪"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    role: str
    region_code: str
    department: str = ""


DEMO_LOGINS = [
    DemoLogin("admin", "系统管理员", Role.ADMIN, "2108"),
    DemoLogin("security_admin", "安全管理员", Role.SECURITY_ADMIN, "2108"),
    DemoLogin("audit_admin", "审计管理员", Role.AUDIT_ADMIN, "2108"),
    DemoLogin("city_leader", "刘建国", Role.CITY_LEADER, "2108"),
    DemoLogin("district_centre", "陈立新", Role.DISTRICT_CENTRE, "210802"),
    DemoLogin("street_officer", "王海涛", Role.STREET_OFFICER, "210802001"),
    DemoLogin("community_staff", "李秀英", Role.COMMUNITY_STAFF, "210802001001"),
    DemoLogin("party_secretary", "赵淑芬", Role.PARTY_SECRETARY, "210802001001"),
    DemoLogin("grid_worker", "张丽", Role.GRID_WORKER, "210802001001001"),
    DemoLogin("dept_handler", "孙志强", Role.DEPT_HANDLER, "210802001", "八田地派出所"),
    DemoLogin("mediator", "周桂兰", Role.MEDIATOR, "210802001"),
]
# The demo grid worker covers a second grid too: a worker may cover several.
DEMO_WORKER_EXTRA_GRID = "210802001001002"


# The demo's geography (WGS-84, in 营口市站前区): grids are cells of about 300 m × 300 m; a community
# is 4 × 2 cells (7 grids: the last one takes the two north-east cells), a street 2 × 3
# communities (5: the north-east slot left out), the district 4 × 2 streets, about 9.5 km × 3.2 km.
ORIGIN_LAT, ORIGIN_LNG = 40.6480, 122.2050  # the district's south-west corner
CELL_LAT, CELL_LNG = 0.0027, 0.0035
COMMUNITY_COLS, COMMUNITY_ROWS = 4, 2
STREET_SLOTS = [(0, 0), (1, 0), (0, 1), (1, 1), (0, 2)]  # communities' (column, row) in a street
STREET_COLS = 4  # streets per row of the district


def _cell_origin(s: int, c: int) -> tuple[int, int]:
    """(column, row) of a community's south-west cell in the district."""
    col, row = STREET_SLOTS[c]
    return ((s % STREET_COLS) * 2 * COMMUNITY_COLS + col * COMMUNITY_COLS,
            (s // STREET_COLS) * 3 * COMMUNITY_ROWS + row * COMMUNITY_ROWS)


def _polygon(cells: list[tuple[float, float]]) -> dict:
    """A GeoJSON Polygon from a closed ring of (column, row) cell corners."""
    ring = [[round(ORIGIN_LNG + x * CELL_LNG, 6), round(ORIGIN_LAT + y * CELL_LAT, 6)] for x, y in cells]
    return {"type": "Polygon", "coordinates": [ring]}


def _grid_shape(col: int, row: int, width: int = 1) -> tuple[dict, float, float]:
    shape = _polygon([(col, row), (col + width, row), (col + width, row + 1), (col, row + 1), (col, row)])
    return shape, ORIGIN_LAT + (row + 0.5) * CELL_LAT, ORIGIN_LNG + (col + width / 2) * CELL_LNG


def _community_shape(col: int, row: int) -> dict:
    w, h = COMMUNITY_COLS, COMMUNITY_ROWS
    return _polygon([(col + x, row + y) for x, y in [(0, 0), (w, 0), (w, h), (0, h), (0, 0)]])


def _street_shape(s: int) -> dict:
    col, row = (s % STREET_COLS) * 2 * COMMUNITY_COLS, (s // STREET_COLS) * 3 * COMMUNITY_ROWS
    w, h = 2 * COMMUNITY_COLS, 3 * COMMUNITY_ROWS
    ring = [(0, 0), (w, 0), (w, 2 * COMMUNITY_ROWS), (COMMUNITY_COLS, 2 * COMMUNITY_ROWS), (COMMUNITY_COLS, h), (0, h), (0, 0)]
    return _polygon([(col + x, row + y) for x, y in ring])


def _regions() -> list[Region]:
    city = Region(code=CITY[0], name=CITY[1], level=Level.CITY)
    cols, rows = STREET_COLS * 2 * COMMUNITY_COLS, (len(STREETS) + STREET_COLS - 1) // STREET_COLS * 3 * COMMUNITY_ROWS
    district = Region(code=DISTRICT[0], name=DISTRICT[1], level=Level.DISTRICT, parent_id=city.code,
                      boundary=_polygon([(0, 0), (cols, 0), (cols, rows), (0, rows), (0, 0)]))
    regions = [city, district]
    grid_count = 0
    for s, (street_name, communities) in enumerate(STREETS):
        street = Region(code=f"{district.code}{s + 1:03d}", name=street_name, level=Level.STREET, parent_id=district.code,
                        boundary=_street_shape(s))
        regions.append(street)
        for c, community_name in enumerate(communities):
            base_col, base_row = _cell_origin(s, c)
            grids_here = min(GRIDS_PER_COMMUNITY, TOTAL_GRIDS - grid_count)
            community = Region(
                code=f"{street.code}{c + 1:03d}", name=community_name, level=Level.COMMUNITY, parent_id=street.code,
                boundary=_community_shape(base_col, base_row),
            )
            regions.append(community)
            for g in range(grids_here):
                grid_count += 1
                # The last grid of a community stretches to its east edge (a school, a park, a market).
                col, row = g % COMMUNITY_COLS, g // COMMUNITY_COLS
                width = COMMUNITY_COLS - col if g == grids_here - 1 else 1
                shape, lat, lng = _grid_shape(base_col + col, base_row + row, width)
                grid_type = DEDICATED_TYPES[(s + c) % len(DEDICATED_TYPES)] if g == 4 else GridType.COMPREHENSIVE
                regions.append(
                    Region(
                        code=f"{community.code}{g + 1:03d}",
                        name=f"{community_name}第{g + 1}网格",
                        level=Level.GRID,
                        parent_id=community.code,
                        grid_type=grid_type,
                        centre_lat=round(lat, 6),
                        centre_lng=round(lng, 6),
                        boundary=shape,
                    )
                )
    return regions


def _departments() -> list[Department]:
    departments = []
    for s, (street_name, _) in enumerate(STREETS):
        code = f"{DISTRICT[0]}{s + 1:03d}"
        short = street_name.removesuffix("街道")
        departments.append(Department(name=f"{short}派出所", kind=DepartmentKind.POLICE, region_id=code))
        departments.append(Department(name=f"{short}司法所", kind=DepartmentKind.JUSTICE, region_id=code))
    for name, kind in [
        ("站前区城市管理综合行政执法局", DepartmentKind.URBAN),
        ("站前区市场监督管理局", DepartmentKind.MARKET),
        ("站前区应急管理局", DepartmentKind.EMERGENCY),
        ("站前区住房和城乡建设局", DepartmentKind.HOUSING),
        ("站前区民政局", DepartmentKind.CIVIL),
    ]:
        departments.append(Department(name=name, kind=kind, region_id=DISTRICT[0]))
    return departments


def _worker_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


@transaction.atomic
def seed_demo_city() -> dict[str, int]:
    """Create what is missing of the demo city. Running it again creates nothing new."""
    before = {
        "regions": Region.objects.count(),
        "users": User.objects.count(),
        "assignments": RoleAssignment.objects.count(),
    }
    regions = _regions()
    Region.objects.bulk_create(regions, ignore_conflicts=True, batch_size=500)
    Department.objects.bulk_create(_departments(), ignore_conflicts=True)
    departments = {d.name: d for d in Department.objects.filter(region__code__startswith=DISTRICT[0])}

    password = make_password(settings.DEMO_PASSWORD)  # hashed once: 550 users share the demo password
    rng = random.Random(2108)
    grids = [r.code for r in regions if r.level == Level.GRID]
    wanted_users = {login.username: login.name for login in DEMO_LOGINS}
    worker_usernames = ["grid_worker"] + [f"wg{i:04d}" for i in range(2, TOTAL_GRID_WORKERS + 1)]
    for username in worker_usernames[1:]:
        wanted_users[username] = _worker_name(rng)
    existing = set(User.objects.filter(username__in=wanted_users).values_list("username", flat=True))
    User.objects.bulk_create(
        [User(username=u, name=n, password=password) for u, n in wanted_users.items() if u not in existing],
        batch_size=500,
    )
    user_ids = dict(User.objects.filter(username__in=wanted_users).values_list("username", "id"))

    assignments = [
        RoleAssignment(
            user_id=user_ids[login.username],
            role=login.role,
            region_id=login.region_code,
            department=departments.get(login.department),
        )
        for login in DEMO_LOGINS
    ]
    assignments.append(
        RoleAssignment(user_id=user_ids["grid_worker"], role=Role.GRID_WORKER, region_id=DEMO_WORKER_EXTRA_GRID)
    )
    # Every grid gets one worker; the rest of the 550 become second workers of the first grids.
    for i, username in enumerate(worker_usernames[1:], start=1):
        assignments.append(
            RoleAssignment(user_id=user_ids[username], role=Role.GRID_WORKER, region_id=grids[i % len(grids)])
        )
    RoleAssignment.objects.bulk_create(assignments, ignore_conflicts=True, batch_size=1000)

    created = {
        "regions": Region.objects.count() - before["regions"],
        "users": User.objects.count() - before["users"],
        "assignments": RoleAssignment.objects.count() - before["assignments"],
    }
    if any(created.values()):
        city = Region.objects.get(code=CITY[0])
        record_audit(actor=None, action="demo.seed", target=city, region_code=city.code, detail=created)
    return created

"""Demo data for the grid log: the demo grid worker's visits and patrols in their two grids,
about the residents and buildings parties.demo registered there (run after it)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from governance.actions import record_audit
from governance.models import Region, User
from grids.models import Visit, VisitKind
from parties.demo import DEMO_GRIDS
from parties.models import Building, Resident

VISITS_PER_GRID = 40
VISIT_FINDINGS = ["家中情况正常", "老人独居，身体尚可，留下联系电话", "反映楼上漏水，已协调物业", "出租房新增租户 2 人，已登记"]
PATROL_FINDINGS = ["无异常", "楼道堆放杂物，已提醒清理", "路灯不亮，已上报"]


@transaction.atomic
def seed_demo_visits(grid_codes=DEMO_GRIDS, per_grid: int = VISITS_PER_GRID) -> int:
    """Visits and patrols of the last 90 days (every fourth a patrol) in each demo grid that has
    registered residents and no visit yet; returns how many were written."""
    worker = User.objects.filter(username="grid_worker").first()
    now = timezone.now()
    made = 0
    for n, grid in enumerate(Region.objects.filter(code__in=grid_codes).order_by("code")):
        residents = list(Resident.objects.filter(grid=grid).only("id", "house_id").order_by("id"))
        buildings = list(Building.objects.filter(grid=grid).order_by("id"))
        if not residents or Visit.objects.filter(grid=grid).exists():
            continue
        rng = random.Random(11643 + n)
        visits = []
        for i in range(per_grid):
            at = now - timedelta(days=rng.randint(0, 90), minutes=rng.randint(0, 600))
            if i % 4 == 3 and buildings:
                visits.append(Visit(grid=grid, worker=worker, kind=VisitKind.PATROL, at=at,
                                    place=f"{rng.choice(buildings).name}周边", findings=rng.choice(PATROL_FINDINGS)))
            else:
                r = rng.choice(residents)
                visits.append(Visit(grid=grid, worker=worker, kind=VisitKind.VISIT, at=at, resident=r,
                                    house_id=r.house_id, findings=rng.choice(VISIT_FINDINGS)))
        Visit.objects.bulk_create(visits)
        made += len(visits)
        record_audit(actor=None, action="demo.seed_visits", target=grid, region_code=grid.code,
                     detail={"visits": len(visits)})
    return made

"""A city's cases for the tests of the case list read in parts (disputes.selectors.cases.visible_case_parts):
every grid of TerritoryTestCase plus a second grid of 花园社区, open and closed cases in each, several filed
at the same moment in different grids (the pk breaks the tie across parts), dispatched to a department,
to people inside and outside their territory, and one case granted on its own to a street officer of
another district.

Extra people: grace (grid worker of 五大门's two grids), gus (grid worker of five grids: more codes than
the list reads apart), olga (street officer of 五台子, granted one case of 八田地 and one of her own).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from guardian.shortcuts import assign_perm

from disputes.models import OPEN_STATUSES, Case, CaseDispatch, Status
from disputes.selectors.cases import MAX_TERRITORY_PARTS
from disputes.tests.base import CaseTestCase
from governance.models import RoleAssignment
from governance.roles import Role
from governance.tests.base import make_region, make_user

STATUSES = (Status.REPORTED, Status.CLOSED, Status.ASSIGNED, Status.ACCEPTED, Status.HANDLED, Status.REJECTED,
            Status.CLOSED)


class CasePartsTestCase(CaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.grid_c2 = make_region("210802002001002", "花园社区第2网格", cls.huayuan)
        grids = [cls.grid_a, cls.grid_a2, cls.grid_c, cls.grid_c2, cls.grid_b]
        cls.grace = make_user("grace", "格蕾丝", Role.GRID_WORKER, cls.grid_a)
        RoleAssignment.objects.create(user=cls.grace, role=Role.GRID_WORKER, region=cls.grid_a2)
        cls.gus = make_user("gus", "格斯", Role.GRID_WORKER, grids[0])
        for grid in grids[1:]:
            RoleAssignment.objects.create(user=cls.gus, role=Role.GRID_WORKER, region=grid)
        assert len(grids) > MAX_TERRITORY_PARTS
        cls.olga = make_user("olga", "奥尔加", Role.STREET_OFFICER, cls.wutaizi)

        base = timezone.now() - timedelta(days=3)
        cls.cases = []
        for i in range(70):
            status = STATUSES[i % len(STATUSES)]
            case = Case.objects.create(
                title=f"第{i:02d}件" + ("楼道" if i % 3 == 0 else ""), description="…", grid=grids[(i * 3) % 5],
                category=cls.clutter if i % 4 else cls.road, filer=cls.carol, status=status,
                # The first 45 filed three at a time (in three grids: different parts), the rest one by one.
                created_at=base + timedelta(minutes=7 * (i // 3) if i < 45 else 7 * i),
                closed_at=base + timedelta(days=1) if status == Status.CLOSED else None,
            )
            cls.cases.append(case)
        for i, case in enumerate(cls.cases):
            is_open = case.status in OPEN_STATUSES
            if i % 4 == 1:
                CaseDispatch.objects.create(case=case, department=cls.police_a, case_open=is_open)
            if i % 9 == 2:
                # Carol's, wherever the case is (outside her grid: moved after it was dispatched).
                CaseDispatch.objects.create(case=case, assignee=cls.carol, case_open=is_open)
            if i % 11 == 3:
                # Alice's: in her street (in two parts of her list) or outside it.
                CaseDispatch.objects.create(case=case, assignee=cls.alice, case_open=is_open)
        in_batiandi = [c for c in cls.cases if c.grid_id.startswith(cls.batiandi.code)]
        in_wutaizi = [c for c in cls.cases if c.grid_id.startswith(cls.wutaizi.code)]
        assign_perm("disputes.view_case", cls.olga, in_batiandi[0])
        assign_perm("disputes.view_case", cls.olga, in_wutaizi[0])

    def people(self) -> dict:
        """The users whose lists are compared: each reaches cases another way."""
        return {
            "city leader": self.erin, "district centre": self.dave, "street officer": self.alice,
            "community staff": self.ivan, "grid worker": self.carol, "grid worker of two grids": self.grace,
            "grid worker of five grids": self.gus, "department handler": self.heidi,
            "object grant": self.olga, "no role": self.nobody,
        }

"""Reports on top of the disputes fixtures (named users, 八田地 / 建设 / 五台子, the taxonomy).

`at(...)` is a moment in Asia/Shanghai; `close(case, at)` runs a case through the loop and dates
its closure; `backdate_territory()` dates the grid workers' posts before the reported periods.

The fixtures date cases, timelines and settlements with raw UPDATEs, as a bulk load would, which the
case summaries (written by the actions) cannot see: like `manage.py rebuild_summaries` after a load,
every report test's setUp ends by rebuilding them from the raw rows (`rebuild_summaries()`; a test
that backdates rows itself calls it again). That the actions alone keep the summaries equal to a
rebuild is tested in disputes/tests/test_summaries.py.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from disputes.actions import cases as actions
from disputes.models import Case, CaseEvent
from disputes.summaries import months_with_cases, rebuild_month
from disputes.tests.dispute_base import DisputeTestCase
from governance.models import RoleAssignment

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONG_AGO = datetime(2025, 1, 1, tzinfo=SHANGHAI)


def at(year, month, day, hour=9, minute=0, second=0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def rebuild_summaries() -> None:
    for month in months_with_cases():
        rebuild_month(month)


class ReportTestCase(DisputeTestCase):
    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("setUp")
        if own is not None:
            def setUp(self, _own=own) -> None:  # noqa: N802 (unittest's name)
                _own(self)
                rebuild_summaries()
            cls.setUp = setUp

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        RoleAssignment.objects.update(granted_at=LONG_AGO)

    def filed(self, when: datetime, **kw) -> Case:
        return self.file(now=when, **kw)

    def close(self, case: Case, when: datetime, fail_first: bool = False) -> Case:
        """Accept, assign, handle and verify; `fail_first`: one failed verification (rework) first."""
        if case.status == "reported":
            case = actions.do_accept_case(actor=self.alice, case=case, version=case.version)
        case = actions.do_assign_case(actor=self.alice, case=case, version=case.version, assignee=self.carol)
        case = actions.do_handle_case(actor=self.carol, case=case, version=case.version, note="已处置。")
        if fail_first:
            case = actions.do_verify_case(actor=self.alice, case=case, version=case.version, fixed=False, note="仍有杂物。")
            case = actions.do_handle_case(actor=self.carol, case=case, version=case.version, note="已再次清理。")
        case = actions.do_verify_case(actor=self.alice, case=case, version=case.version, fixed=True)
        Case.objects.filter(pk=case.pk).update(closed_at=when)
        CaseEvent.objects.filter(case=case, action=CaseEvent.Action.VERIFY_OK).update(at=when)
        case.refresh_from_db()
        return case

    def rate(self, case: Case, stars: int, actor=None, when: datetime | None = None) -> Case:
        case = actions.do_rate_case(actor=actor or case.filer, case=case, version=case.version, rating=stars)
        if when:
            CaseEvent.objects.filter(case=case, action=CaseEvent.Action.RATE).update(at=when)
        return case

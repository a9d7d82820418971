"""The dashboards (驾驶舱) of a territory node: what `portal.views.dashboard` shows, read from
pre-aggregated rows so that a city's page costs the same few queries as a grid's.

- The period's KPIs (办结率, 按期办结率, 满意度, overdue, disputes settled, visits…) for the node
  and its children: `reports.kpis.compute(..., registers=False)`, whose case figures come from the
  case summaries (`disputes.models.CaseMonthSummary`, kept in each transition's transaction); the
  previous period's from its report snapshots (`reports.models.Snapshot`) when the cycle ran,
  else computed the same way.
- 12-month trends: the case figures of each month of filing as of that month's end (the monthly
  report's definition) in one GROUP BY over the summaries; overdue and visits of past months from
  the monthly snapshots, the current month's live.
- The ranking of the children: `reports.rankings.rank` over the same figures.
- Lists to act on: at most LIST_ROWS rows each, from indexed queries over open work only (open
  overdue cases, red cards, open 较大/重大 risks, follow-ups due, grids without a worker).
- The registers at a glance: `reports.registers` (counted nightly; "截至 …").

Every read starts from the user's scope: the node itself through `get_in_scope_or_404` (view), the
case lists through `visible_cases`, the risks through `scoped`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, F, OuterRef, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.models import OPEN_STATUSES, CaseMonthSummary, FollowUp, RiskEntry, RiskLevel, Supervision
from disputes.selectors.cases import visible_cases
from disputes.selectors.mediation import FOLLOW_UP_HORIZON, visible_disputes
from governance.models import Region, RoleAssignment, User
from governance.roles import Cap, Level, Role
from governance.scope import can, role_assignments, scoped
from parties.selectors import visible_tag_choices
from reports.kpis import BY_CODE, DEFINITION_VERSION, HIGHER, LOWER, compute
from reports.models import Snapshot
from reports.periods import Kind, Period, containing
from reports.rankings import rank
from reports.registers import METRICS, Tallies
from reports.views import drill_url

LIST_ROWS = 10
TREND_MONTHS = 12
# The headline KPIs, in the order of the tiles.
HEADLINE = ("closure_rate", "on_time_rate", "satisfaction", "overdue_open", "disputes_settled", "visits", "cases_filed",
            "grids_without_worker")
DEFAULT_RANKING = "closure_rate"
TREND_KPIS = ("cases_filed", "closure_rate", "on_time_rate", "satisfaction", "disputes_settled", "overdue_open", "visits")
LEADER_ROLES = {Role.CITY_LEADER, Role.DISTRICT_CENTRE, Role.STREET_OFFICER, Role.COMMUNITY_STAFF,
                Role.PARTY_SECRETARY, Role.ADMIN}


def dashboard_node(user: User) -> Region | None:
    """The node a leader lands on: the highest node where they hold a leader's role (None: not a leader,
    or leader on several unrelated nodes — they pick on the home page)."""
    codes = sorted({a.region_id for a in role_assignments(user) if a.role in LEADER_ROLES}, key=len)
    if not codes:
        return None
    top = [c for c in codes if not any(c != o and c.startswith(o) for o in codes)]
    if len(top) != 1:
        return None
    return Region.objects.filter(code=top[0]).first()


def leads_with_party_work(user: User, region: Region) -> bool:
    """Party secretaries read 党建 first, on their community and below."""
    return any(a.role == Role.PARTY_SECRETARY and region.code.startswith(a.region_id) for a in role_assignments(user))


def current_period(kind: str, now: datetime | None = None) -> Period:
    return containing(kind, now or timezone.now())


# ---------------------------------------------------------------- figures


@dataclass
class Tile:
    code: str
    name: str
    unit: str
    value: float | int | None
    previous: float | int | None
    url: str
    better: str

    @property
    def change(self) -> float | int | None:
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, 2)

    @property
    def trend(self) -> str:
        """good / bad / "" for the change's colour."""
        change = self.change
        if not change or self.better not in (HIGHER, LOWER):
            return ""
        return "good" if (change > 0) == (self.better == HIGHER) else "bad"


def _snapshots(codes: list[str], period: Period) -> dict[str, dict]:
    return {s.node_id: s.current for s in Snapshot.objects.filter(
        node_id__in=codes, period=period.code, definition_version=DEFINITION_VERSION)}


def figures(region: Region, children: list[Region], period: Period, now: datetime) -> tuple[dict, dict, str]:
    """({code: kpis} this period, {code: kpis} the previous period, where the previous came from:
    "snapshot" or "live") for the node and its children."""
    codes = [region.code, *(c.code for c in children)]
    current = compute(codes, period, now, registers=False)
    previous_period = period.previous()
    previous = _snapshots(codes, previous_period)
    source = "snapshot"
    if region.code not in previous:
        previous = compute(codes, previous_period, now, registers=False)
        source = "live"
    return current, previous, source


def tiles(region: Region, period: Period, current: dict, previous: dict) -> list[Tile]:
    own, before = current.get(region.code, {}), previous.get(region.code, {})
    return [Tile(code, str(BY_CODE[code].name), str(BY_CODE[code].unit), own.get(code), before.get(code),
                 drill_url(region.code, code, period), BY_CODE[code].better) for code in HEADLINE]


def compute_month(region: Region, now: datetime) -> dict:
    """This month's figures of the node alone (for the trend when another period is shown)."""
    return compute([region.code], current_period(Kind.MONTH, now), now, registers=False)[region.code]


def trend(region: Region, now: datetime, current_month_kpis: dict) -> list[dict]:
    """The last TREND_MONTHS months (oldest first), each as of its end (the monthly report's
    definition): a past month from its snapshot (one query), this month from `current_month_kpis`
    (computed live); a past month without a snapshot (the cycle has not run) from the case summaries
    (one GROUP BY over those months only), its overdue and visits then unknown (None)."""
    this_month = current_period(Kind.MONTH, now)
    months = [this_month]
    while len(months) < TREND_MONTHS:
        months.append(months[-1].previous())
    months.reverse()
    snaps = {s.period: s.current for s in Snapshot.objects.filter(
        node=region, period__in=[m.code for m in months[:-1]], definition_version=DEFINITION_VERSION)}
    missing = [m.first_day for m in months[:-1] if m.code not in snaps]
    by_month: dict = {}
    if missing:
        summed = {f"{name}_": Sum(name) for name in ("filed", "rejected", "closed", "on_time", "rated", "rating_sum",
                                                      "settled")}
        rows = (
            CaseMonthSummary.objects.filter(grid__code__startswith=region.code, month__in=missing, done_month=F("month"))
            .order_by().values("month").annotate(**summed)
        )
        by_month = {row["month"]: {k.rstrip("_"): v or 0 for k, v in row.items()} for row in rows}
    out = []
    for m in months:
        if m == this_month or m.code in snaps:
            k = current_month_kpis if m == this_month else snaps[m.code]
            row = {code: k.get(code) for code in TREND_KPIS}
        else:
            c = by_month.get(m.first_day, {})
            filed, rejected, closed = c.get("filed", 0), c.get("rejected", 0), c.get("closed", 0)
            on_time, rated = c.get("on_time", 0), c.get("rated", 0)
            row = {
                "cases_filed": filed,
                "closure_rate": round(100 * closed / (filed - rejected), 1) if filed - rejected else None,
                "on_time_rate": round(100 * on_time / closed, 1) if closed else None,
                "satisfaction": round(c.get("rating_sum", 0) / rated, 2) if rated else None,
                "disputes_settled": c.get("settled", 0),
                "overdue_open": None,
                "visits": None,
            }
        row.update(period=m.code, label=f"{m.year}-{m.index:02d}",
                   cells=[{"code": k, "value": row[k], "url": drill_url(region.code, k, m)} for k in TREND_KPIS])
        out.append(row)
    return out


def ranking(children: list[Region], by: str, period: Period, current: dict, previous: dict) -> list:
    """The children ranked by `by` (reports.rankings), each with `drill`: the records behind its figure."""
    rows = [(c, current.get(c.code, {})) for c in children]
    before = [(c, previous[c.code]) for c in children if c.code in previous]
    ranked = rank(by, rows, before)
    for row in ranked:
        row.drill = drill_url(row.region.code, by, period)
    return ranked


# ---------------------------------------------------------------- lists to act on


@dataclass
class ActList:
    key: str
    title: str
    rows: list
    url: str
    empty: str
    more: bool = False


def _bounded(qs) -> tuple[list, bool]:
    rows = list(qs[: LIST_ROWS + 1])
    return rows[:LIST_ROWS], len(rows) > LIST_ROWS


def act_lists(user: User, region: Region, now: datetime) -> list[ActList]:
    code = region.code
    out: list[ActList] = []
    if can(user, Cap.VIEW_CASES, code):
        open_here = visible_cases(user).filter(grid__code__startswith=code, status__in=OPEN_STATUSES).select_related(
            "grid", "category")
        rows, more = _bounded(open_here.filter(deadline__lt=now).order_by("deadline", "pk"))
        out.append(ActList("overdue", str(_("超期未办结事件")), rows,
                           f"{reverse('cases:list')}?grid={code}&overdue=1", str(_("没有超期事件。")), more))
        rows, more = _bounded(open_here.filter(supervision=Supervision.RED).order_by("deadline", "pk"))
        out.append(ActList("red", str(_("红牌督办")), rows,
                           f"{reverse('cases:list')}?grid={code}&status=open&supervision=2", str(_("没有红牌督办的事件。")),
                           more))
        risks = scoped(RiskEntry.objects.filter(grid__code__startswith=code, closed_at__isnull=True,
                                                level__gte=RiskLevel.MAJOR), user, Cap.VIEW_CASES)
        rows, more = _bounded(risks.select_related("dispute__case", "grid").order_by("-level", "next_review", "pk"))
        out.append(ActList("risks", str(_("较大、重大风险纠纷")), rows,
                           f"{reverse('mediation:risks')}?grid={code}", str(_("没有在库的较大、重大风险。")), more))
        horizon = timezone.localtime(now).date() + FOLLOW_UP_HORIZON
        follow_ups = FollowUp.objects.filter(done_at__isnull=True, cancelled=False, due__lte=horizon,
                                             dispute__case__grid__code__startswith=code,
                                             dispute__in=visible_disputes(user))
        rows, more = _bounded(follow_ups.select_related("dispute__case", "owner").order_by("due", "pk"))
        out.append(ActList("follow_ups", str(_("近期到期的回访")), rows, reverse("mediation:desk"),
                           str(_("近 7 天没有到期的回访。")), more))
    workers = RoleAssignment.objects.filter(role=Role.GRID_WORKER, region=OuterRef("pk"))
    empty_grids = Region.objects.filter(level=Level.GRID, code__startswith=code).exclude(Exists(workers)).order_by("code")
    rows, more = _bounded(empty_grids.select_related("parent"))
    out.append(ActList("no_worker", str(_("无网格员的网格")), rows, reverse("region", args=[code]),
                       str(_("每个网格都有网格员。")), more))
    return out


# ---------------------------------------------------------------- registers


@dataclass
class Register:
    key: str
    label: str
    value: int
    url: str


@dataclass
class Registers:
    counted_at: datetime | None
    items: list[Register] = field(default_factory=list)
    tags: list[Register] = field(default_factory=list)
    party: list[Register] = field(default_factory=list)


PARTY_METRICS = ("party_branches", "party_members", "center_households", "in_service_members", "co_building_units")


def registers(user: User, region: Region, tallies: Tallies) -> Registers:
    """The node's register figures. A sensitive tag's count (社区矫正, 吸毒…) shows only to those who may
    see that tag on this node (Cap.VIEW_SENSITIVE_TAGS), as on the register pages."""
    code = region.code
    visible_tags = {key for key, _label in visible_tag_choices(user, code)}
    community = code[:12] if len(code) >= 12 else ""
    party_url = reverse("parties:community-party", args=[community]) if community else reverse("parties:party-branches")
    urls = {
        "residents": f"{reverse('parties:residents')}?grid={code}",
        "key_persons": f"{reverse('parties:residents')}?grid={code}&tag=key_person",
        "houses": f"{reverse('parties:houses')}?grid={code}",
        "units": f"{reverse('parties:units')}?grid={code}",
        "party_branches": reverse("parties:party-branches"),
        "party_members": reverse("parties:party-branches"),
        "center_households": reverse("parties:party-branches"),
        "in_service_members": party_url,
        "co_building_units": party_url,
    }
    out = Registers(tallies.counted_at)
    for key, label in METRICS.items():
        item = Register(key, str(label), tallies.get(key), urls[key])
        (out.party if key in PARTY_METRICS else out.items).append(item)
    out.tags = [Register(key, label, n, f"{reverse('parties:residents')}?grid={code}&tag={key}")
                for key, label, n in tallies.tags() if key in visible_tags]
    return out

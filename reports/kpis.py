"""The KPIs of the reporting cycles (八个一): their definitions, and the one function that computes them.

Each KPI has a code (the key in snapshots, the command's --json and the .xlsx), a Chinese name, a
formula, a unit and which way is better; the 指标说明 page lists them from here.

`compute(node_codes, period)` is the only way figures are made, set-based: one GROUP BY on the
code prefix (`Substr("grid_id", 1, width)`) per source and per code width, so a level of 20,000
grids costs the same few queries as a level of 8 streets — never a query per node.

The case and dispute KPIs of the filed cohort (filed, rejected, closed, on time, handling time,
rework, ratings, disputes received and settled) are read from the case summaries
(`disputes.models.CaseMonthSummary`), which the case and dispute actions keep current in the
transaction of each transition and `manage.py rebuild_summaries` rebuilds from the raw rows after
bulk loads: a month of a city is a few tens of thousands of summary rows instead of every case and
its timeline. The rest stays on the raw rows, each one indexed GROUP BY over what it counts:
`overdue_open` (a stock at the period's end that depends on deadlines and supervision cards, over
the cases still open then: one query by grid for all levels at once, summed up per node), risk
entries open, visits and patrols of the period, residents and key persons, grid workers and grids.

Cohorts, as of the period's end so that a re-run finds the same figures unless data arrived late
(which is then a restatement, see reports.actions):
- the *filed cohort* are cases created in the period, merged duplicates (已合并) not counted;
  closure, on-time, handling time, rework and satisfaction are about that cohort, by the period's end;
- stocks (risk entries open, residents, key persons, grid workers, grids) are counted at the period's end;
- flows (visits, patrols) are those dated in the period.

On time (按期办结): a closed case is on time unless its timeline holds an overdue supervision
(the 黄牌/红牌 that `disputes.tasks.cases.supervise_overdue_cases` records, every 10 minutes, when
the deadline in force — after granted extensions, which move the deadline — has passed). A case
extended within its deadline is therefore on time. The timeline does not record each stage's
deadline, so a stage finished late between two supervision runs is not seen as late.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.models import (
    COUNTERS,
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseKind,
    CaseMonthSummary,
    CaseOverdueStock,
    RiskEntry,
    Status,
)
from governance.models import Region, RoleAssignment
from governance.roles import Level, Role
from grids.models import Visit, VisitKind
from grids.selectors import visit_quota  # 走访率's denominator, also on a grid worker's "my grid"
from parties.models import SPECIAL_GROUP_TAGS, Resident, ResidentTag
from reports.periods import Period

# Bump when a formula changes: snapshots of another version are kept beside, never overwritten.
DEFINITION_VERSION = 1

HIGHER, LOWER, NEUTRAL = "higher", "lower", ""


@dataclass(frozen=True)
class Kpi:
    code: str
    name: str
    formula: str
    unit: str
    better: str = NEUTRAL
    # Ranking: the KPI whose value must reach `min_base` for the node to be ranked (else 样本不足).
    base: str = ""
    # Bands for rankings: green at or beyond `green`, yellow at or beyond `yellow`, else red
    # (for LOWER-is-better KPIs "beyond" means at or below).
    green: float | None = None
    yellow: float | None = None
    # Drill-through (reports.views.drill_url): the list behind the figure (`drill_list`: cases,
    # risks, visits, residents or territory) and the filters that pick exactly its records; END
    # stands for the period's last day. `drill_note` says where the list can only show "now".
    drill: dict = field(default_factory=dict)
    drill_note: str = ""
    drill_list: str = "cases"


END = "@end"  # in a drill filter: the period's last day
CLOSED = {"status": "closed", "closed_before": END}
RATED = {**CLOSED, "rated": "1", "rated_before": END}
SETTLED = {"kind": "dispute", "merged": "0", "outcome": "settled", "settled_before": END}
AT_END_NOW = _("列表为目前的情况，不是期末的")


PERCENT, COUNT, HOURS, STARS, PER_WORKER = _("%"), _("件"), _("工作小时"), _("分（1–5）"), _("次/人")

KPIS: list[Kpi] = [
    Kpi("cases_filed", _("上报事件数"), _("报告期内上报的事件数（已合并的重复事件不计）"), COUNT, NEUTRAL, drill={"merged": "0"}),
    Kpi("cases_rejected", _("不予受理数"), _("上报事件中不予受理的件数"), COUNT, NEUTRAL, drill={"status": "rejected"}),
    Kpi("cases_closed", _("办结数"), _("上报事件中于报告期末前结案的件数"), COUNT, HIGHER, drill=CLOSED),
    Kpi("closure_rate", _("办结率"), _("办结数 ÷（上报事件数 − 不予受理数）× 100"), PERCENT, HIGHER,
        base="closure_base", green=90, yellow=75, drill=CLOSED),
    Kpi("cases_on_time", _("按期办结数"), _("办结事件中从未超期督办（延期批准后的时限内办结）的件数"), COUNT, HIGHER,
        drill={**CLOSED, "on_time": "1"}),
    Kpi("on_time_rate", _("按期办结率"), _("按期办结数 ÷ 办结数 × 100"), PERCENT, HIGHER,
        base="cases_closed", green=95, yellow=85, drill={**CLOSED, "on_time": "1"}),
    Kpi("overdue_open", _("超期未办结数"), _("报告期末仍在办理且已超过时限的事件数（含此前上报的）"), COUNT, LOWER,
        drill={"overdue": "1"}, drill_note=_("列表为目前超期的事件")),
    Kpi("avg_handling_hours", _("平均办理时长"), _("办结事件（自处除外）从上报到结案的工作小时数的平均值"), HOURS, LOWER,
        base="cases_closed", drill={**CLOSED, "self_handled": "0"}),
    Kpi("rework_count", _("返工次数"), _("上报事件核查未通过、退回重新处置的次数之和"), COUNT, LOWER,
        drill={"rework": "1", "merged": "0"}, drill_note=_("列表为有返工的事件，指标为其返工次数之和")),
    Kpi("rated_cases", _("已评价事件数"), _("办结事件中于期末前评价的件数（自处事件由上报人自评的不计）"), COUNT, NEUTRAL,
        drill=RATED),
    Kpi("satisfaction", _("满意度"), _("已评价事件满意度星级的平均值"), STARS, HIGHER,
        base="rated_cases", green=4.5, yellow=4.0, drill=RATED),
    Kpi("disputes_received", _("受理矛盾纠纷数"), _("报告期内登记的矛盾纠纷数"), COUNT, NEUTRAL,
        drill={"kind": "dispute", "merged": "0"}),
    Kpi("disputes_settled", _("调解成功数"), _("其中于期末前调解成功（协议未被推翻）的件数"), COUNT, HIGHER, drill=SETTLED),
    Kpi("mediation_success_rate", _("调解成功率"), _("调解成功数 ÷ 受理矛盾纠纷数 × 100"), PERCENT, HIGHER,
        base="disputes_received", green=90, yellow=80, drill=SETTLED),
    Kpi("risks_open", _("在库风险数"), _("报告期末仍在风险台账中（未销号）的条目数"), COUNT, LOWER,
        drill_list="risks", drill_note=_("列表为目前在库的风险")),
    Kpi("visits", _("入户走访次数"), _("报告期内记录的入户走访次数"), COUNT, HIGHER,
        drill_list="visits", drill={"kind": "visit"}),
    Kpi("patrols", _("网格巡查次数"), _("报告期内记录的网格巡查次数"), COUNT, HIGHER,
        drill_list="visits", drill={"kind": "patrol"}),
    Kpi("grid_workers", _("网格员人数"), _("期末在岗网格员人数（一人多格计一人）"), _("人"), NEUTRAL,
        drill_list="territory", drill_note=AT_END_NOW),
    Kpi("visits_per_worker", _("人均走访次数"), _("入户走访次数 ÷ 网格员人数"), PER_WORKER, HIGHER, base="grid_workers",
        drill_list="visits", drill={"kind": "visit"}),
    Kpi("patrols_per_worker", _("人均巡查次数"), _("网格巡查次数 ÷ 网格员人数"), PER_WORKER, HIGHER, base="grid_workers",
        drill_list="visits", drill={"kind": "patrol"}),
    Kpi("visit_rate", _("走访率"), _("入户走访次数 ÷（网格员人数 × 每人每月走访定额 × 月数）× 100"), PERCENT, HIGHER,
        base="grid_workers", green=100, yellow=80, drill_list="visits", drill={"kind": "visit"}),
    Kpi("residents", _("登记实有人口数"), _("期末登记的实有人口数"), _("人"), NEUTRAL,
        drill_list="residents", drill_note=AT_END_NOW),
    Kpi("key_persons", _("重点人员数"), _("期末有有效特殊人群标签（重点人员、社区矫正、刑满释放等）的人数"), _("人"), NEUTRAL,
        drill_list="residents", drill={"tag": "key_person"},
        drill_note=_("列表为目前的重点人员；社区矫正、刑满释放等其他特殊人群请在列表中按标签筛选")),
    Kpi("grids", _("网格数"), _("期末网格数"), _("个"), NEUTRAL, drill_list="territory", drill_note=AT_END_NOW),
    Kpi("grids_without_worker", _("无网格员网格数"), _("期末没有网格员的网格数"), _("个"), LOWER,
        green=0, yellow=0, drill_list="territory", drill_note=AT_END_NOW),
]
BY_CODE = {k.code: k for k in KPIS}
# Denominators kept in the snapshot for the ranking minimum, not shown as figures of their own.
HIDDEN = {"closure_base": _("办结率的分母（上报 − 不予受理）")}
MIN_BASE = 5  # below this many cases (workers) behind a rate, a node is listed as 样本不足, not ranked


def _rate(numerator: float, denominator: float, scale: float = 100.0, digits: int = 1) -> float | None:
    return round(scale * numerator / denominator, digits) if denominator else None


def _grouped(qs, field_name: str, width: int, **aggregates) -> dict[str, dict]:
    rows = qs.annotate(prefix=Substr(field_name, 1, width)).values("prefix").annotate(**aggregates)
    return {row.pop("prefix"): row for row in rows}


def _groups(node_codes) -> dict[int, tuple[str, set[str]]]:
    """{code width: (common prefix, codes)}: one scan per width, filtered by the codes' common prefix."""
    by_width: dict[int, set[str]] = defaultdict(set)
    for code in node_codes:
        by_width[len(code)].add(code)
    return {w: (os.path.commonprefix(sorted(codes)), codes) for w, codes in by_width.items()}


def _late_q():
    return Exists(CaseEvent.objects.filter(case=OuterRef("pk"), action=CaseEvent.Action.ESCALATE, detail__has_key="card"))


def late_cases(qs):
    """Cases (of `qs`) whose timeline holds an overdue supervision: not on time."""
    return qs.filter(_late_q())


def _overdue_at_end(end: datetime, now: datetime):
    """Cases open at `end` and overdue then: open now with a deadline before then, or finished
    later but with a supervision card before `end` that no later move (accept, handle, extension…) cleared."""
    moves = (CaseEvent.Action.ACCEPT, CaseEvent.Action.ASSIGN, CaseEvent.Action.HANDLE, CaseEvent.Action.VERIFY_OK,
             CaseEvent.Action.VERIFY_FAIL, CaseEvent.Action.EXTENSION_GRANT, CaseEvent.Action.SELF_HANDLE)
    uncleared = CaseEvent.objects.filter(
        case=OuterRef("pk"), action=CaseEvent.Action.ESCALATE, detail__has_key="card", at__lt=end
    ).exclude(Exists(CaseEvent.objects.filter(case=OuterRef("case"), action__in=moves, at__gte=OuterRef("at"), at__lt=end)))
    cutoff = min(end, now)
    return (
        Q(created_at__lt=end)
        & (Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        & ((Q(status__in=OPEN_STATUSES) & Q(deadline__lt=cutoff)) | Q(Exists(uncleared)))
    )


def month_ending_at(end: datetime) -> date | None:
    """The month (its first day) whose end is `end`, when `end` is a Shanghai month's start; else None."""
    local = timezone.localtime(end)
    if local.day != 1 or local.time() != datetime.min.time():
        return None
    return (local.date() - timedelta(days=1)).replace(day=1)


def overdue_at_end_by_grid(end: datetime, now: datetime, prefix: str = "") -> dict[str, int]:
    """{grid code: cases open and overdue at `end`} under `prefix`, from the raw rows (_overdue_at_end:
    every supervision card before `end` is checked for a later move, so its cost grows with history)."""
    overdue = Case.objects.exclude(status=Status.MERGED).filter(_overdue_at_end(end, now))
    return {row["grid_id"]: row["n"] for row in (
        overdue.filter(grid__code__startswith=prefix).order_by().values("grid_id").annotate(n=Count("pk"))
    )}


def kept_overdue_stock(end: datetime, prefix: str = "") -> dict[str, int] | None:
    """The overdue stock at `end` under `prefix` as the month's report cycle kept it
    (disputes.models.CaseOverdueStock), in one query; None when it was not kept (then count it)."""
    month = month_ending_at(end)
    if month is None:
        return None
    rows = list(CaseOverdueStock.objects.filter(month=month).filter(
        Q(grid__isnull=True) | Q(grid__code__startswith=prefix)).values_list("grid_id", "n"))
    if not any(grid is None for grid, _n in rows):
        return None
    return {grid: n for grid, n in rows if grid is not None}


def keep_overdue_stock(end: datetime, now: datetime) -> bool:
    """Count the overdue stock at `end` (a finished month's end) on the raw rows, by grid, and keep it
    (CaseOverdueStock) unless it is kept already; True when it wrote. Called by the report cycle's
    action (reports.actions.do_run_cycle: its transaction and its audit row), never by a read."""
    month = month_ending_at(end)
    if month is None or end > now or CaseOverdueStock.objects.filter(month=month, grid__isnull=True).exists():
        return False
    counts = overdue_at_end_by_grid(end, now)
    rows = [CaseOverdueStock(month=month, grid_id=grid, n=n, computed_at=now) for grid, n in counts.items()]
    rows.append(CaseOverdueStock(month=month, grid=None, n=sum(counts.values()), computed_at=now))
    # Two cycles ending together (a month's and a quarter's) count the same figures: the second adds nothing.
    CaseOverdueStock.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return True


def compute(node_codes, period: Period, now: datetime | None = None,
            registers: bool = True) -> dict[str, dict[str, float | int | None]]:
    """{node code: {kpi code: value}} for every node in `node_codes` (any levels) over `period`,
    from everything below each node. Nodes with no data get zeros (and None for undefined rates).

    For a period not over yet, overdue_open is the cases open now and past their deadline.
    `registers=False` leaves out the two register counts (residents, key persons: a GROUP BY over
    every resident, 10 M in a city) — they are None then; the dashboards read them from
    `reports.registers` (counted by a beat task) instead."""
    now = now or timezone.now()
    start, end = period.start, period.end
    result: dict[str, dict] = {}
    first_month, end_month = timezone.localtime(start).date(), timezone.localtime(end).date()
    groups = _groups(node_codes)
    # Overdue at the period's end is the one case KPI on the raw rows (its subqueries make it the
    # dearest scan): counted once by grid under all the nodes' common prefix, summed up for each level.
    everything = os.path.commonprefix(sorted(root for root, _codes in groups.values()))
    if not groups:
        overdue_by_grid = {}
    elif period.is_complete(now):
        # A finished period: the stock its last month's report cycle kept (one small read, whatever the
        # history), else counted on the raw rows.
        overdue_by_grid = kept_overdue_stock(end, everything)
        if overdue_by_grid is None:
            overdue_by_grid = overdue_at_end_by_grid(end, now, everything)
    else:
        # A period not over yet (the dashboards' "this month"; reports are only run on complete ones):
        # the cases open now and past their deadline — the case list's ?overdue=1, which the figure
        # drills into — from the (status, deadline) index: bounded by the work in hand, not by history.
        # Counting the grid (never NULL), not the id: an index-only scan of the open cases' (status, grid,
        # deadline) index (2 M cases: 210 ms reading the table before).
        overdue = Case.objects.filter(status__in=OPEN_STATUSES, deadline__lt=now)
        overdue_by_grid = {row["grid_id"]: row["n"] for row in (
            overdue.filter(grid__code__startswith=everything).order_by().values("grid_id").annotate(n=Count("grid"))
        )}
    for width, (root, codes) in groups.items():
        # Filed in the period (month of filing), counted as of its end (done month before it): see
        # disputes.models.summary.
        summed = {f"{name}_": Sum(name) for name in COUNTERS}  # aliases apart from the columns' names
        cases = {prefix: {name.rstrip("_"): value for name, value in row.items()} for prefix, row in _grouped(
            CaseMonthSummary.objects.filter(grid__code__startswith=root, month__gte=first_month, month__lt=end_month,
                                            done_month__lt=end_month),
            "grid_id", width, disputes=Sum("filed", filter=Q(kind=CaseKind.DISPUTE)), **summed,
        ).items()}
        overdue: dict[str, int] = defaultdict(int)
        for grid_code, n in overdue_by_grid.items():
            overdue[grid_code[:width]] += n
        risks = _grouped(
            RiskEntry.objects.filter(grid__code__startswith=root, opened_at__lt=end).filter(
                Q(closed_at__isnull=True) | Q(closed_at__gte=end)
            ),
            "grid_id", width, n=Count("pk"),
        )
        visits = _grouped(
            Visit.objects.filter(grid__code__startswith=root, at__gte=start, at__lt=end), "grid_id", width,
            visits=Count("pk", filter=Q(kind=VisitKind.VISIT)), patrols=Count("pk", filter=Q(kind=VisitKind.PATROL)),
        )
        assignments = RoleAssignment.objects.filter(role=Role.GRID_WORKER, region__code__startswith=root, granted_at__lt=end)
        workers = _grouped(assignments, "region_id", width, n=Count("user_id", distinct=True),
                           staffed=Count("region_id", distinct=True))
        grids = _grouped(Region.objects.filter(level=Level.GRID, code__startswith=root), "code", width, n=Count("code"))
        residents = _grouped(Resident.objects.filter(grid__code__startswith=root, created_at__lt=end), "grid_id", width,
                             n=Count("pk")) if registers else None
        key_persons = _grouped(
            ResidentTag.objects.filter(resident__grid__code__startswith=root, tag__in=SPECIAL_GROUP_TAGS, set_at__lt=end)
            .filter(Q(removed_at__isnull=True) | Q(removed_at__gte=end)),
            "resident__grid_id", width, n=Count("resident_id", distinct=True),
        ) if registers else None
        months = period.months
        quota = visit_quota()
        for code in codes:
            c = cases.get(code, {})
            filed, rejected, closed = c.get("filed") or 0, c.get("rejected") or 0, c.get("closed") or 0
            on_time, rated, handled = c.get("on_time") or 0, c.get("rated") or 0, c.get("handled") or 0
            w = workers.get(code, {})
            n_workers = w.get("n", 0)
            v = visits.get(code, {})
            n_visits, n_patrols = v.get("visits", 0), v.get("patrols", 0)
            n_grids = grids.get(code, {}).get("n", 0)
            disputes, settled = c.get("disputes") or 0, c.get("settled") or 0
            result[code] = {
                "cases_filed": filed,
                "cases_rejected": rejected,
                "cases_closed": closed,
                "closure_base": filed - rejected,
                "closure_rate": _rate(closed, filed - rejected),
                "cases_on_time": on_time,
                "on_time_rate": _rate(on_time, closed),
                "overdue_open": overdue.get(code, 0),
                "avg_handling_hours": round(c["handling_seconds"] / 3600 / handled, 1) if handled else None,
                "rework_count": c.get("rework") or 0,
                "rated_cases": rated,
                "satisfaction": _rate(c.get("rating_sum") or 0, rated, scale=1, digits=2),
                "disputes_received": disputes,
                "disputes_settled": settled,
                "mediation_success_rate": _rate(settled, disputes),
                "risks_open": risks.get(code, {}).get("n", 0),
                "visits": n_visits,
                "patrols": n_patrols,
                "grid_workers": n_workers,
                "visits_per_worker": _rate(n_visits, n_workers, scale=1),
                "patrols_per_worker": _rate(n_patrols, n_workers, scale=1),
                "visit_rate": _rate(n_visits, n_workers * quota * months),
                "residents": residents.get(code, {}).get("n", 0) if registers else None,
                "key_persons": key_persons.get(code, {}).get("n", 0) if registers else None,
                "grids": n_grids,
                "grids_without_worker": max(n_grids - w.get("staffed", 0), 0),
            }
    return result


def compute_one(code: str, period: Period, now: datetime | None = None) -> dict:
    return compute([code], period, now)[code]

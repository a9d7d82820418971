"""The yearly assessment (考评): a scoring sheet (reports.models.ScoringSheet, versioned data) applied to
the year's snapshots of sibling nodes, replayable on any past year and any version of the sheet.

Score = Σ points earned by the weighted KPIs − deductions, never below 0:
- a rate KPI (unit %) earns points × min(value, 100) / 100; satisfaction points × value / 5; any other
  KPI is not scoreable (refused by the sheet's validation only if unknown); an undefined value earns 0;
- deductions per rule, each capped: "overdue" per case of the year not closed on time (its timeline
  holds an overdue supervision), "rework" per failed verification; each lists the cases behind it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Substr

from disputes.models import Case, Status
from governance.models import Region
from reports.kpis import BY_CODE, late_cases
from reports.models import ScoringSheet
from reports.periods import Period


@dataclass
class Score:
    region: Region
    earned: dict[str, float] = field(default_factory=dict)
    deductions: dict[str, float] = field(default_factory=dict)
    cases: dict[str, list[int]] = field(default_factory=dict)  # rule → case ids behind the deduction
    rank: int | None = None

    @property
    def total(self) -> float:
        return round(max(sum(self.earned.values()) - sum(self.deductions.values()), 0.0), 2)


def _points(code: str, value, points: float) -> float:
    if value is None:
        return 0.0
    if code == "satisfaction":
        return round(points * min(value, 5) / 5, 2)
    if str(BY_CODE[code].unit) == "%":
        return round(points * min(value, 100) / 100, 2)
    return 0.0


def _cases_behind(regions: list[Region], year: Period) -> dict[str, dict[str, list[int]]]:
    """{node code: {"overdue": [case ids], "rework": [case ids, one per rework]}} in two queries."""
    found: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"overdue": [], "rework": []})
    if not regions:
        return found
    width = len(regions[0].code)
    parent = regions[0].code[: width - 3] if width > 4 else regions[0].code[:4]
    cohort = Case.objects.filter(grid__code__startswith=parent, created_at__gte=year.start, created_at__lt=year.end).exclude(
        status=Status.MERGED
    ).annotate(prefix=Substr("grid_id", 1, width)).order_by("pk")
    for prefix, pk in late_cases(cohort.filter(Q(status=Status.CLOSED, closed_at__lt=year.end))).values_list("prefix", "pk"):
        found[prefix]["overdue"].append(pk)
    for prefix, pk, n in cohort.filter(rework_count__gt=0).values_list("prefix", "pk", "rework_count"):
        found[prefix]["rework"] += [pk] * n
    return found


def assess(sheet: ScoringSheet, year: Period, rows: list[tuple[Region, dict]]) -> list[Score]:
    """Score and rank the siblings `rows` ((region, the year's kpis)) on `sheet`, best first."""
    behind = _cases_behind([r for r, _k in rows], year)
    scores = []
    for region, kpis in rows:
        s = Score(region)
        for code, points in sheet.weights.items():
            s.earned[code] = _points(code, kpis.get(code), float(points))
        for rule, spec in sheet.deductions.items():
            ids = behind[region.code][rule]
            s.cases[rule] = sorted(set(ids))
            s.deductions[rule] = round(min(spec["cap"], spec["per_case"] * len(ids)), 2)
        scores.append(s)
    scores.sort(key=lambda s: (-s.total, s.region.code))
    last, last_rank = None, 0
    for position, s in enumerate(scores, start=1):
        s.rank = last_rank if s.total == last else position
        last, last_rank = s.total, s.rank
    return scores

"""Rankings of sibling nodes (通报), by one KPI, with stated rules (shown on the page):

- a node whose denominator (the KPI's `base`, e.g. 办结率's 上报 − 不予受理) is below MIN_BASE, or
  whose value is undefined, is listed as 样本不足 and not ranked;
- ties share a rank and the next rank skips (1, 1, 3: "competition" ranking);
- the change is against the same siblings' ranks in the previous period (+2: two places up);
- bands: green / yellow / red by the KPI's thresholds (green ≥ `green`, yellow ≥ `yellow`, else
  red; reversed for lower-is-better KPIs); a KPI without thresholds bands by thirds of the ranked list.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from governance.models import Region
from reports.kpis import BY_CODE, LOWER, MIN_BASE, NEUTRAL

GREEN, YELLOW, RED = "green", "yellow", "red"
BAND_LABELS = {GREEN: _("好"), YELLOW: _("中"), RED: _("差")}
RANKABLE = [k for k in BY_CODE.values() if k.better != NEUTRAL]


@dataclass
class RankRow:
    region: Region
    value: float | int | None
    base: int | None
    rank: int | None = None
    change: int | None = None
    band: str = ""

    @property
    def insufficient(self) -> bool:
        return self.rank is None

    @property
    def band_label(self) -> str:
        return str(BAND_LABELS.get(self.band, ""))


def _order(kpi_code: str, rows: list[tuple[Region, dict]]) -> list[RankRow]:
    kpi = BY_CODE[kpi_code]
    ranked, unranked = [], []
    for region, kpis in rows:
        base = kpis.get(kpi.base) if kpi.base else None
        row = RankRow(region, kpis.get(kpi_code), base)
        (unranked if row.value is None or (kpi.base and (base or 0) < MIN_BASE) else ranked).append(row)
    reverse = kpi.better != LOWER
    ranked.sort(key=lambda r: (-r.value if reverse else r.value, r.region.code))
    previous_value, previous_rank = object(), 0
    for position, row in enumerate(ranked, start=1):
        row.rank = previous_rank if row.value == previous_value else position
        previous_value, previous_rank = row.value, row.rank
    return ranked + sorted(unranked, key=lambda r: r.region.code)


def _band(kpi_code: str, row: RankRow, count: int) -> str:
    kpi = BY_CODE[kpi_code]
    if kpi.green is not None and kpi.yellow is not None:
        if kpi.better == LOWER:
            return GREEN if row.value <= kpi.green else YELLOW if row.value <= kpi.yellow else RED
        return GREEN if row.value >= kpi.green else YELLOW if row.value >= kpi.yellow else RED
    third = (row.rank - 1) * 3 // max(count, 1)
    return (GREEN, YELLOW, RED)[min(third, 2)]


def rank(kpi_code: str, rows: list[tuple[Region, dict]], previous: list[tuple[Region, dict]] = ()) -> list[RankRow]:
    """The siblings `rows` ((region, kpis) pairs) ranked by `kpi_code`; `previous`: the same for the period before."""
    current = _order(kpi_code, rows)
    before = {r.region.code: r.rank for r in _order(kpi_code, list(previous))} if previous else {}
    count = sum(1 for r in current if r.rank is not None)
    for row in current:
        if row.rank is None:
            continue
        row.band = _band(kpi_code, row, count)
        if before.get(row.region.code) is not None:
            row.change = before[row.region.code] - row.rank
    return current

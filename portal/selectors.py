"""Reads of the territory page: governance's children of a node, with disputes' open cases each."""

from __future__ import annotations

from dataclasses import dataclass

from disputes.selectors.cases import open_cases_by_child
from governance.models import Region, User
from governance.selectors import ChildRow, children_with_counts


@dataclass
class TerritoryRow(ChildRow):
    """A child node with its grids, grid workers and cases in progress (of which overdue)."""

    open_cases: int = 0
    overdue_cases: int = 0

    def bar(self, largest: int) -> tuple[str, str]:
        """(open, overdue) as percentages of the largest child's open cases, for the chart's bars."""
        if not largest:
            return "0", "0"
        return f"{100 * self.open_cases / largest:.1f}", f"{100 * self.overdue_cases / largest:.1f}"


def territory_rows(user: User, region: Region) -> list[TerritoryRow]:
    """The children of `region` in the user's scope with their counts: four queries, whatever the size."""
    children = children_with_counts(user, region)
    if not children:
        return []
    cases = open_cases_by_child(user, region.code, len(children[0].region.code))
    return [TerritoryRow(c.region, c.grids, c.workers, *cases.get(c.region.code, (0, 0))) for c in children]

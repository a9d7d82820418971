"""The roster kinds, by the name used in URLs and on the command line."""

from __future__ import annotations

from rosters.engine import Roster
from rosters.kinds.grid_workers import GridWorkerRoster
from rosters.kinds.houses import HouseRoster
from rosters.kinds.residents import ResidentRoster
from rosters.kinds.territory import TerritoryRoster
from rosters.kinds.units import UnitRoster

ROSTERS: dict[str, Roster] = {}


def register(roster: Roster) -> None:
    ROSTERS[roster.kind] = roster


register(TerritoryRoster())
register(GridWorkerRoster())
register(ResidentRoster())
register(HouseRoster())
register(UnitRoster())


def get_roster(kind: str) -> Roster | None:
    """A fresh instance (rosters keep per-import caches)."""
    roster = ROSTERS.get(kind)
    return type(roster)() if roster else None

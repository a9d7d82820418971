"""The roster kinds, by the name used in URLs and on the command line."""

from __future__ import annotations

from rosters.engine import Roster
from rosters.kinds.grid_workers import GridWorkerRoster
from rosters.kinds.territory import TerritoryRoster

ROSTERS: dict[str, Roster] = {}


def register(roster: Roster) -> None:
    ROSTERS[roster.kind] = roster


register(TerritoryRoster())
register(GridWorkerRoster())

try:  # residents, houses and units need the registers (parties app)
    from rosters.kinds.registers import HouseRoster, ResidentRoster, UnitRoster
except ImportError:  # pragma: no cover - before the registers exist
    pass
else:
    register(ResidentRoster())
    register(HouseRoster())
    register(UnitRoster())


def get_roster(kind: str) -> Roster | None:
    """A fresh instance (rosters keep per-import caches)."""
    roster = ROSTERS.get(kind)
    return type(roster)() if roster else None

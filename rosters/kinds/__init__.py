"""The roster kinds: one Roster for each ImportJob kind (rosters.models.RosterKind).

This package stands between the pipeline and the actions: each kind imports rosters.engine
(and rosters.models for its kind); rosters.actions and the pages import this registry."""

from __future__ import annotations

from rosters.engine import Roster
from rosters.kinds.grid_workers import GridWorkerRoster
from rosters.kinds.houses import HouseRoster
from rosters.kinds.residents import ResidentRoster
from rosters.kinds.territory import TerritoryRoster
from rosters.kinds.units import UnitRoster
from rosters.models import RosterKind

# In the choices' order: the upload page lists the kinds in it.
ROSTERS: dict[RosterKind, Roster] = {
    RosterKind.TERRITORY: TerritoryRoster(),
    RosterKind.GRID_WORKERS: GridWorkerRoster(),
    RosterKind.RESIDENTS: ResidentRoster(),
    RosterKind.HOUSES: HouseRoster(),
    RosterKind.UNITS: UnitRoster(),
}


def get_roster(kind: str) -> Roster | None:
    """A fresh instance (rosters keep per-import caches)."""
    roster = ROSTERS.get(kind)
    return type(roster)() if roster else None

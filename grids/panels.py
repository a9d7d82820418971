"""The visits panel of the register pages (parties.panels): the latest visits to a resident, a
house or a unit, and, for who may log one, the button to record a visit there."""

from __future__ import annotations

from governance.models import User
from governance.roles import Cap
from governance.scope import can
from grids.selectors import visits_of
from parties.models import House, Resident, Unit
from parties.panels import Panel, register_panel

TEMPLATE = "grids/_visits.html"


def _visits_panel(user: User, field: str, obj: Resident | House | Unit) -> Panel:
    return TEMPLATE, {
        "visits": visits_of(user, **{field: obj}),
        "visit_about": f"{field}={obj.pk}",
        "can_log_visit": can(user, Cap.CHANGE_REGISTER, obj.grid_id),
    }


def resident_visits(user: User, resident: Resident) -> Panel:
    return _visits_panel(user, "resident", resident)


def house_visits(user: User, house: House) -> Panel:
    return _visits_panel(user, "house", house)


def unit_visits(user: User, unit: Unit) -> Panel:
    return _visits_panel(user, "unit", unit)


def register_panels() -> None:
    """Called from GridsConfig.ready(); below the cases section (disputes.panels)."""
    register_panel("resident", resident_visits, order=20)
    register_panel("house", house_visits, order=20)
    register_panel("unit", unit_visits, order=20)

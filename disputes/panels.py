"""The cases panel of the register pages (parties.panels): the cases and disputes a resident or a
unit is involved in, that the user may see; nothing when there are none."""

from __future__ import annotations

from disputes.selectors.cases import cases_involving
from governance.models import User
from parties.models import Resident, Unit
from parties.panels import Panel, register_panel

TEMPLATE = "disputes/_cases_panel.html"


def resident_cases(user: User, resident: Resident) -> Panel | None:
    cases = cases_involving(user, resident=resident)
    return (TEMPLATE, {"involved_cases": cases}) if cases else None


def unit_cases(user: User, unit: Unit) -> Panel | None:
    cases = cases_involving(user, unit=unit)
    return (TEMPLATE, {"involved_cases": cases}) if cases else None


def register_panels() -> None:
    """Called from DisputesConfig.ready(); above the visits (grids.panels)."""
    register_panel("resident", resident_cases, order=10)
    register_panel("unit", unit_cases, order=10)

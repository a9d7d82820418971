"""The sections disputes adds to a grid worker's "my grid" (grids.sections): filing in one tap,
their open cases by deadline (overdue marked), and the cases filed recently in and around their
grids."""

from __future__ import annotations

from disputes.selectors.my_grid import NEARBY_DAYS, around, my_open_cases, nearby_cases
from governance.models import Region, User
from governance.roles import Cap
from governance.scope import can
from grids.sections import Section, register_section


def file_section(user: User, grids: list[Region]) -> Section | None:
    if not any(can(user, Cap.FILE_CASE, g.code) for g in grids):
        return None
    return "disputes/_my_grid_file.html", {}


def open_cases_section(user: User, grids: list[Region]) -> Section:
    return "disputes/_my_grid_open_cases.html", {"open_cases": my_open_cases(user, grids), "grids": grids}


def nearby_section(user: User, grids: list[Region]) -> Section:
    box = around(grids)
    centre = f"{(box[0] + box[2]) / 2:.6f},{(box[1] + box[3]) / 2:.6f}" if box else ""
    return "disputes/_my_grid_nearby.html", {
        "nearby": nearby_cases(user, grids),
        "nearby_days": NEARBY_DAYS,
        "my_grid_codes": {g.code for g in grids},
        "near": centre,
    }


def register_sections() -> None:
    """Called from DisputesConfig.ready(): filing and the open cases come first, the nearby cases
    after the visits and key persons (grids.my_grid)."""
    register_section(file_section, order=0)
    register_section(open_cases_section, order=10)
    register_section(nearby_section, order=40)

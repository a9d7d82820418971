"""grids' own sections of a grid worker's "my grid" (grids.sections): this month's household
visits against the quota, the key persons of the worker's grids by tag, and the grids themselves
with the colleagues who share each one and the links to their registers."""

from __future__ import annotations

from governance.models import Region, User
from governance.roles import Cap
from governance.scope import can
from grids import selectors
from grids.sections import Section, register_section


def visits_section(user: User, grids: list[Region]) -> Section:
    progress = selectors.visit_progress(user, grids)
    return "grids/_my_grid_visits.html", {
        "progress": progress,
        "per_grid": [(g, progress.by_grid.get(g.code, 0)) for g in grids] if len(grids) > 1 else [],
        "grids": grids,
        "can_log_visit": any(can(user, Cap.CHANGE_REGISTER, g.code) for g in grids),
    }


def key_persons_section(user: User, grids: list[Region]) -> Section:
    groups = selectors.key_persons(user, grids)
    return "grids/_my_grid_key_persons.html", {
        "key_groups": groups,
        "key_total": sum(g.total for g in groups),
        "key_shown": sum(len(g.rows) for g in groups),
        # The register's filter takes one grid code prefix: the longest one all the grids share.
        "grid_prefix": _common_prefix([g.code for g in grids]),
        "can_log_visit": any(can(user, Cap.CHANGE_REGISTER, g.code) for g in grids),
    }


def grids_section(user: User, grids: list[Region]) -> Section:
    colleagues = selectors.colleagues_of(user, grids)
    return "grids/_my_grid_grids.html", {"rows": [(g, colleagues.get(g.code, [])) for g in grids]}


def _common_prefix(codes: list[str]) -> str:
    first, last = min(codes), max(codes)
    n = 0
    while n < len(first) and n < len(last) and first[n] == last[n]:
        n += 1
    return first[:n]


def register_sections() -> None:
    """Called from GridsConfig.ready(). disputes adds filing and the open cases above (order < 20)
    and the recent cases nearby between the key persons and the grids (order 40)."""
    register_section(visits_section, order=20)
    register_section(key_persons_section, order=30)
    register_section(grids_section, order=50)

"""The sections of a grid worker's "my grid" page (grids:mine), from this app and the apps above.

grids imports no app above it, yet "my grid" shows the worker's open cases and the cases filed
nearby (disputes). As with the register pages' panels (parties.panels), an app registers a
section function from its AppConfig.ready(); the page asks every section, in order, and renders
the answers (`{% load panels %}{% render_panel section %}`).

A section is a function `(user, grids) -> (template_name, context) | None`: `grids` are the
Regions the user covers as a grid worker (already read through scope, with their parents), never
empty. The section reads what it shows itself, scoped to `user` and bounded (never a whole
scope), so each costs the page its own few queries; None shows nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from governance.models import Region, User

Section = tuple[str, dict]
SectionFunction = Callable[[User, list[Region]], "Section | None"]

_sections: list[tuple[int, SectionFunction]] = []


def register_section(fn: SectionFunction, *, order: int = 50) -> None:
    """Show `fn`'s section on "my grid"; sections go by `order` (smaller first), then by
    registration. Registering the same function twice (ready() run again) changes nothing."""
    if any(known is fn for _, known in _sections):
        return
    _sections.append((order, fn))
    _sections.sort(key=lambda entry: entry[0])


def sections_for(user: User, grids: list[Region]) -> list[Section]:
    """The sections of `user`'s "my grid" page, in order, without those that have nothing to show."""
    if not grids:
        return []
    return [section for _, fn in _sections if (section := fn(user, grids)) is not None]

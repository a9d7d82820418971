"""The sections that the apps above parties add to the register pages.

parties imports neither grids nor disputes, yet a resident's page lists the visits to them and
the cases they are involved in. An upper app registers a panel for a kind of page from its
AppConfig.ready(); the page asks every panel of its kind, in order, and renders the answers
where the upper apps' sections go (`{% load panels %}{% render_panel panel %}`).

A panel is a function `(user, obj) -> (template_name, context) | None`: `obj` is the resident,
house or unit, already fetched through scope; None shows nothing. The panel reads what it shows
itself (scoped to `user`), so each costs the page its own queries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from django.db.models import Model

from governance.models import User

Kind = Literal["resident", "house", "unit"]
Panel = tuple[str, dict]
PanelFunction = Callable[[User, Model], "Panel | None"]

_panels: dict[str, list[tuple[int, PanelFunction]]] = {"resident": [], "house": [], "unit": []}


def register_panel(kind: Kind, fn: PanelFunction, *, order: int = 50) -> None:
    """Show `fn`'s section on every `kind` page; sections go by `order` (smaller first), then by
    registration. Registering the same function twice (ready() run again) changes nothing."""
    if kind not in _panels:
        raise ValueError(f"no register page of kind {kind!r}")
    entries = _panels[kind]
    if any(known is fn for _, known in entries):
        return
    entries.append((order, fn))
    entries.sort(key=lambda entry: entry[0])


def panels_for(kind: Kind, user: User, obj: Model) -> list[Panel]:
    """The sections of `obj`'s page for `user`, in order, without those that have nothing to show."""
    return [panel for _, fn in _panels[kind] if (panel := fn(user, obj)) is not None]

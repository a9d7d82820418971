"""Imports run downhill only. The floors, from the ground up:

    governance  territory, roles, scope, audit, settings
    parties     the registers
    grids       grids, visits
    disputes    cases, mediation
    rosters     import and export
    reports     the reporting cycles (八个一): KPIs, snapshots, rankings, assessment
    portal      the site's URL map and the pages that combine several apps
    api         /api/v1/ and Open311 (beside portal, which includes its URLs by name only)

An app may import the apps below it, never one above. An app above adds to a page below through
a registry the lower app offers (parties.panels), from its AppConfig.ready().

Every .py of an app is read, its tests and migrations included, and every import in it, at the
top of the file or inside a function, as well as importlib.import_module("…") with a literal
name. Nothing needs leaving out: the tests that use several apps (the territory page, the demo
seed, the site-wide checks of URLs and translations) live in portal/tests, the tests of a
section that an upper app adds to a register page live with that app.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

FLOORS = ["governance", "parties", "grids", "disputes", "rosters", "reports", "portal", "api"]


def imported_apps(source: str, filename: str = "<source>") -> set[str]:
    """The top-level packages that `source` imports (relative imports name their own app)."""
    found = set()
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value.split(".")[0])
    return found


def upward_imports(app: str) -> list[str]:
    """`file: app` for every import in `app` of an app on a higher floor."""
    above = set(FLOORS[FLOORS.index(app) + 1:])
    root = Path(settings.BASE_DIR) / app
    return [
        f"{path.relative_to(settings.BASE_DIR)}: {name}"
        for path in sorted(root.rglob("*.py"))
        for name in sorted(imported_apps(path.read_text(encoding="utf-8"), str(path)) & above)
    ]


class LayersTestCase(SimpleTestCase):
    def test_every_floor_is_an_installed_app_in_order(self):
        installed = [app for app in settings.INSTALLED_APPS if app in FLOORS]
        self.assertEqual(installed, FLOORS)

    def test_governance_imports_no_other_app_of_ours(self):
        self.assertEqual(upward_imports("governance"), [])

    def test_parties_imports_neither_grids_nor_disputes_nor_any_app_above(self):
        self.assertEqual(upward_imports("parties"), [])

    def test_grids_imports_neither_disputes_nor_any_app_above(self):
        self.assertEqual(upward_imports("grids"), [])

    def test_portal_does_not_import_the_api_app_on_top(self):
        self.assertEqual(upward_imports("portal"), [])

    def test_the_check_finds_an_import_inside_a_function_and_a_dynamic_one(self):
        source = (
            "from governance.models import Region\n"
            "from . import helpers\n"
            "def late():\n"
            "    from disputes.selectors import cases_involving\n"
            "    import grids.models\n"
            "    return importlib.import_module('rosters.engine')\n"
        )
        self.assertEqual(imported_apps(source), {"governance", "disputes", "grids", "rosters"})

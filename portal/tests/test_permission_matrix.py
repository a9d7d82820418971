"""The permission matrix: every URL the site answers × every role × in scope and out of scope, each
answer written down once in `permission_table.TABLE`. A URL that is not in the table fails, so a new
view cannot ship without someone deciding who may reach it.

Each request runs inside a savepoint that is rolled back, so the answers do not depend on the order
(an accepted case stays unaccepted for the next role). POST-only URLs are posted an empty form (with the record's version): the
answer is then the access decision (302 to sign in, 404 outside scope, 403 for a wrong role) or,
for a user who may act, the form's 400 / the state's 409.

`python -m portal.tests.print_permission_matrix` (see that module) prints the answers the code gives
today in the table's format, to review a change.
"""

from __future__ import annotations

import logging
import re

from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from portal.tests.matrix_world import ROLES, MatrixWorld, url_names
from portal.tests.permission_table import TABLE

SIGNED_IN = [r for r in ROLES if r != "anon"]


def route_kwargs(name: str, route: str, objects: dict) -> dict[str, object]:
    """The URL's parameters filled from one world's objects (in scope or out of scope)."""
    namespace, _, short = name.rpartition(":")

    def obj_for_pk():
        # The first word of the name that names a kind of object (risk before dispute: /disputes/risks/…).
        words = (("api-token", "api_token"), ("risk", "risk"), ("resident", "resident"), ("household", "house"),
                 ("house", "house"), ("unit", "unit"), ("branch", "branch"), ("export", "export"), ("visit", "visit"),
                 ("job", "job"), ("dispute", "dispute"),
                 ("case", "case"))
        for word, key in words:
            if word in short:
                return objects[key]
        by_namespace = {"cases": "case", "mediation": "dispute", "grids": "visit", "rosters": "job", "open311": "case"}
        if namespace.split(":")[-1] in by_namespace:
            return objects[by_namespace[namespace.split(":")[-1]]]
        raise KeyError(f"no object for <pk> of {name}")

    fillers = {
        "pk": lambda: obj_for_pk().pk,
        "photo_pk": lambda: objects["photo"].pk,
        "party_pk": lambda: objects["party"].pk,
        "tag_pk": lambda: objects["tag"].pk,
        "code": lambda: (objects["community"] if namespace == "parties" else objects["grid"]).code,
        "kind": lambda: "residents",
        "table": lambda: "categories",
        "period": lambda: "2026-11",
        "year": lambda: "2026",
        "fmt": lambda: "json",  # Open311's format suffix
        "token": lambda: "no-such-token",
    }
    params = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)
    return {a or b: fillers[a or b]() for a, b in params}


SCOPED_PARAMS = ("<int:pk>", "<int:photo_pk>", "<int:party_pk>", "<int:tag_pk>", "<str:code>", "(?P<pk>")


def has_object(route: str) -> bool:
    """Whether the URL names something that lives somewhere (so it has an out-of-scope twin)."""
    return any(p in route for p in SCOPED_PARAMS)


@override_settings(DEBUG=False)
class PermissionMatrixTestCase(MatrixWorld):
    def setUp(self) -> None:
        super().setUp()
        logging.disable(logging.ERROR)  # thousands of refusals are the point, not news
        self.addCleanup(logging.disable, logging.NOTSET)

    def answer(self, role: str, name: str, route: str, world: str, method: str) -> int:
        kwargs = route_kwargs(name, route, self.worlds[world])
        url = reverse(name, kwargs=kwargs)
        self.client.logout()
        if self.users[role] is not None:
            self.client.force_login(self.users[role])
        with transaction.atomic():
            response = self.client.post(url, self.form(name, world)) if method == "POST" else self.client.get(url)
            transaction.set_rollback(True)
        return response.status_code

    def form(self, name: str, world: str) -> dict[str, object]:
        """An otherwise empty form with the record's current version, so that a case or dispute action
        answers with its access decision rather than with the missing version's 400."""
        objects = self.worlds[world]
        namespace = name.partition(":")[0]
        if namespace == "cases":
            return {"version": objects["case"].version}
        if namespace == "mediation":
            return {"version": objects["dispute"].case.version}
        if namespace == "api-v1" and name.startswith(("api-v1:case-", "api-v1:dispute-", "api-v1:risk-")):
            # A risk entry is versioned with its dispute's case.
            record = objects["case"] if name.startswith("api-v1:case-") else objects["dispute"].case
            return {"version": record.version}
        return {}

    def observed(self, name: str, route: str, method: str) -> tuple[str, str]:
        inside = " ".join(str(self.answer(role, name, route, "in", method)) for role in ROLES)
        if not has_object(route):
            return inside, "-"
        outside = " ".join(
            "-" if role == "cl" else str(self.answer(role, name, route, "out", method)) for role in SIGNED_IN
        )
        return inside, outside

    def test_every_url_is_in_the_table(self):
        missing = [name for name, _ in url_names() if name not in TABLE]
        gone = sorted(set(TABLE) - {name for name, _ in url_names()})
        self.assertEqual(missing, [], "URLs with no row in portal/tests/permission_table.py")
        self.assertEqual(gone, [], "rows for URLs that no longer exist")

    def test_every_url_answers_each_role_as_the_table_says(self):
        self.client.raise_request_exception = False
        wrong = []
        for name, route in url_names():
            if name not in TABLE:
                continue
            method, inside, outside = TABLE[name]
            got = self.observed(name, route, method)
            if got != (inside, outside):
                wrong.append(f'{name!r}: ("{method}", "{got[0]}", "{got[1]}"),  # table: "{inside}" | "{outside}"')
        self.assertEqual(wrong, [], "\n" + "\n".join(wrong))

    def test_nobody_outside_scope_gets_more_than_a_404(self):
        """The invariant the table must keep, checked apart from it: outside scope is 404 (or the
        sign-in redirect, or a refusal before any lookup), never a page or a file."""
        rows = [(n, TABLE[n][2]) for n, _ in url_names() if n in TABLE and TABLE[n][2] != "-"]
        leaks = [n for n, outside in rows if any(s in {"200", "201", "204"} for s in outside.split())]
        self.assertEqual(leaks, [])

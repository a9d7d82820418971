"""Bad input never gets a 500: every URL, as several roles, with junk in the path, the query
string and the form. Runs on the demo city, so real objects are reached as well as missing ones."""

import re
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.http import HttpRequest
from django.test import TestCase, override_settings
from django.urls import URLResolver, get_resolver

SKIPPED_PREFIXES = ("admin/", "login", "logout", "i18n")  # Django's own; signing out would end the walk
JUNK_QUERY = "?after=abc&page=-1&grid=zzz&status=zz&date=2026-99-99&from=x&to=y&overdue=abc&category=abc&q=%00"
# Digits that str.isdigit() accepts and int() or the database do not, and a number no bigint holds.
ODD_DIGITS_QUERY = "?category=%C2%B2&grid=%D9%A3&after=%C2%B2&page=%C2%B2&version=%C2%B2&kind=%C2%B2&id=99999999999999999999999"
# What an API client may send: JSON of the wrong shape, types and sizes.
JUNK_JSON = {
    "version": "²", "grid": ["x"], "category": {"a": 1}, "lat": "1e999", "lng": None, "title": "x" * 5000,
    "rating": -7, "assignee": "9" * 30, "parties": "none", "photos": [1, 2], "due": "2026-02-30",
}
JUNK_FORM = {
    "version": "abc", "grid": "zz", "lat": "abc", "lng": "1e999", "people_count": "-1", "amount": "NaN",
    "category": "x", "deadline": "notadate", "id_number": "1" * 30, "phone": "电话", "kind": "?",
}


def routes() -> list[str]:
    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    return [r for r in walk(get_resolver()) if not r.startswith(SKIPPED_PREFIXES)]


def fill(route: str, *, number: str, text: str) -> str:
    converters = {"int": number, "slug": "zzz"}
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: converters.get(m.group(1) or "str", text), route)
    return "/" + path.replace("^", "").replace("$", "")


@override_settings(DEBUG=False)
class BadInputTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=StringIO())

    def test_no_url_answers_junk_with_a_server_error(self):
        self.client.raise_request_exception = False
        failures = []
        for username in ["street_officer", "grid_worker", "mediator", "admin"]:
            # axes counts every authenticate() by its request (the address); the test client has none.
            self.assertTrue(self.client.login(request=HttpRequest(), username=username, password=settings.DEMO_PASSWORD))
            for route in routes():
                for number, text in [("1", "210802001001001"), ("999999", "x'\"<>")]:
                    url = fill(route, number=number, text=text)
                    r = self.client.get(url + JUNK_QUERY)
                    if r.status_code >= 500:
                        failures.append(f"GET {url} as {username}: {r.status_code}")
                    r = self.client.post(url, JUNK_FORM)
                    if r.status_code >= 500:
                        failures.append(f"POST {url} as {username}: {r.status_code}")
                    if number == "1":
                        r = self.client.get(url + ODD_DIGITS_QUERY)
                        if r.status_code >= 500:
                            failures.append(f"GET {url}{ODD_DIGITS_QUERY} as {username}: {r.status_code}")
                    if route.startswith(("api/", "open311/")):
                        r = self.client.post(url, JUNK_JSON, content_type="application/json")
                        if r.status_code >= 500:
                            failures.append(f"POST JSON {url} as {username}: {r.status_code}")
        self.assertEqual(failures, [])
        self.assertGreater(len(routes()), 50)

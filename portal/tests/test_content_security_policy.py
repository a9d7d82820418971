"""Content-Security-Policy (django-csp) on every page, with no 'unsafe-inline' for scripts or styles —
and so no page may carry inline code: this walks the demo city as every demo login (each route once:
the home page, the navigation, and every link one step from them) and fails on a page without the
header, or with an inline <script> body, a <style> block, a style="…" attribute, an on…= handler or a
javascript: link. A new page under the same rule is walked as soon as a link leads to it."""

from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urlsplit

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import Resolver404, resolve

from governance.demo_city import DEMO_LOGINS
from governance.models import User

SKIP = ("/logout", "/admin/", "/static/", "/media/", "/jsi18n/", "/i18n/", "/healthz")
NOT_PAGES = ("export", ".xlsx", ".csv", ".pdf", "download", "template", "photo", "errors")
MAX_PAGES_PER_LOGIN = 40


class InlineCode(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.links: list[str] = []
        self._script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name == "style":
                self.problems.append(f'<{tag} style="{value}">')
            elif name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            elif name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "style":
            self.problems.append("<style>")
        if tag == "script":
            inline = "src" not in attrs and attrs.get("type", "") not in ("application/json", "application/ld+json")
            self._script = [] if inline else None
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            if "".join(self._script).strip():
                self.problems.append("<script> with a body")
            self._script = None


def route_of(path: str) -> str | None:
    try:
        return resolve(path).route
    except Resolver404:
        return None


@override_settings(DEBUG=False)
class ContentSecurityPolicyTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=StringIO())

    def assert_policy(self, response, path: str) -> None:
        policy = response.headers.get("Content-Security-Policy", "")
        self.assertIn("default-src 'self'", policy, path)
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if " " in part.strip())
        for name in ("script-src", "style-src"):
            self.assertIn(name, directives, path)
            self.assertNotIn("'unsafe-inline'", directives[name], path)
            self.assertNotIn("'unsafe-eval'", directives[name], path)

    def walk(self, start: list[str]) -> dict[str, list[str]]:
        seen_routes: set[str] = set()
        queue, problems, visited = list(start), {}, 0
        while queue and visited < MAX_PAGES_PER_LOGIN:
            path = queue.pop(0)
            split = urlsplit(path)
            if split.netloc or not split.path.startswith("/") or split.path.startswith(SKIP):
                continue
            if any(word in split.path for word in NOT_PAGES):
                continue
            route = route_of(split.path)
            if route is None or route in seen_routes:
                continue
            seen_routes.add(route)
            response = self.client.get(path)
            visited += 1
            self.assert_policy(response, path)
            if response.status_code != 200 or "text/html" not in response.headers.get("Content-Type", ""):
                continue
            parser = InlineCode()
            parser.feed(response.content.decode())
            if parser.problems:
                problems[path] = sorted(set(parser.problems))
            if len(start) and path in start:
                queue.extend(parser.links)
        return problems

    def test_every_login_sees_only_pages_with_the_policy_and_no_inline_code(self):
        for login in DEMO_LOGINS:
            with self.subTest(login=login.username):
                self.client.force_login(User.objects.get(username=login.username))
                home = self.client.get("/", follow=True)
                start = ["/", home.request["PATH_INFO"], "/password/change/", "/system/", "/audit/"]
                parser = InlineCode()
                parser.feed(home.content.decode())
                self.assertEqual(self.walk(start + parser.links), {})

    def test_the_sign_in_page_and_the_error_pages_carry_the_policy_and_no_inline_code(self):
        for path in ("/login/", "/no-such-page/"):
            response = self.client.get(path)
            self.assert_policy(response, path)
            parser = InlineCode()
            parser.feed(response.content.decode())
            self.assertEqual(parser.problems, [], path)

    def test_the_server_error_page_has_no_inline_code(self):
        from django.template.loader import render_to_string

        for name in ("500.html", "409.html", "403.html", "400.html"):
            parser = InlineCode()
            parser.feed(render_to_string(name, {"message": "x"}))
            self.assertEqual(parser.problems, [], name)

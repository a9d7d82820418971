"""/api/v1/schema/ (YAML, or JSON with ?format=json), /api/v1/docs/ (Swagger UI) and /api/v1/redoc/:
served by the app, nothing from a CDN, no inline script or style (CSP); the navigation links the
admins' token page."""

import re

from django.test import TestCase

from governance.roles import Role
from governance.tests.base import make_territory, make_user


class DocsTestCase(TestCase):
    def test_the_schema_is_yaml_or_json(self):
        self.assertTrue(self.client.get("/api/v1/schema/").content.startswith(b"openapi: 3"))
        self.assertEqual(self.client.get("/api/v1/schema/", {"format": "json"}).json()["openapi"], "3.0.3")

    def test_swagger_ui_and_redoc_are_served_by_the_app_without_inline_code(self):
        for url in ("/api/v1/docs/", "/api/v1/redoc/"):
            html = self.client.get(url).content.decode()
            self.assertNotRegex(html, r"https?://")
            self.assertNotRegex(html, r"<script>|<script\s+[^>]*>\s*\S+.*</script>|<style|style=")
            for src in re.findall(r'(?:src|href)="([^"]+)"', html):
                self.assertTrue(src.startswith("/"), src)
        script = self.client.get("/api/v1/docs/", {"script": ""})
        self.assertEqual(script["Content-Type"].split(";")[0], "application/javascript")

    def test_the_security_administrator_finds_the_token_page_in_the_navigation(self):
        city, *_rest = make_territory()
        self.client.force_login(make_user("sec1", "安全管理员", Role.SECURITY_ADMIN, city))
        self.assertContains(self.client.get("/api/tokens/"), 'href="/api/tokens/"')

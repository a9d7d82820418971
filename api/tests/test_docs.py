"""/api/v1/schema/ (YAML, or JSON with ?format=json) and /api/v1/docs/ (Swagger UI, its init script a
separate file): served by the app, nothing from a CDN, no inline script or style, under the strict
Content-Security-Policy with no 'unsafe-inline' (issue 16; tests_browser/test_api_pages_under_the_csp.py
loads them in Chromium); no ReDoc (it injects <style> elements at run time); the navigation links the
admins' token page."""

import re

from django.test import TestCase

from governance.roles import Role
from governance.tests.base import make_territory, make_user


class DocsTestCase(TestCase):
    def test_the_schema_is_yaml_or_json(self):
        self.assertTrue(self.client.get("/api/v1/schema/").content.startswith(b"openapi: 3"))
        self.assertEqual(self.client.get("/api/v1/schema/", {"format": "json"}).json()["openapi"], "3.0.3")

    def test_the_swagger_ui_is_served_by_the_app_without_inline_code(self):
        for url in ("/api/v1/docs/",):
            html = self.client.get(url).content.decode()
            self.assertNotRegex(html, r"https?://")
            self.assertNotRegex(html, r"<script>|<script\s+[^>]*>\s*\S+.*</script>|<style|style=")
            for src in re.findall(r'(?:src|href)="([^"]+)"', html):
                self.assertTrue(src.startswith("/"), src)
        script = self.client.get("/api/v1/docs/", {"script": ""})
        self.assertEqual(script["Content-Type"].split(";")[0], "application/javascript")

    def test_the_docs_the_schema_and_the_api_carry_the_strict_policy(self):
        city, *_rest = make_territory()
        self.client.force_login(make_user("off1", "街道干部", Role.STREET_OFFICER, city))
        for url in ("/api/v1/docs/", "/api/v1/docs/?script=", "/api/v1/schema/", "/api/v1/me/", "/api/v1/no-such/"):
            policy = self.client.get(url).headers.get("Content-Security-Policy", "")
            directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if " " in part.strip())
            self.assertEqual(directives.get("default-src"), "'self'", url)
            for name in ("script-src", "style-src"):
                self.assertEqual(directives.get(name), "'self'", url)  # no 'unsafe-inline', no hash, no nonce
            self.assertNotIn("unsafe-inline", policy, url)

    def test_redoc_is_gone(self):
        response = self.client.get("/api/v1/redoc/")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json()["error"]["code"], "not_found")

    def test_the_security_administrator_finds_the_token_page_in_the_navigation(self):
        city, *_rest = make_territory()
        self.client.force_login(make_user("sec1", "安全管理员", Role.SECURITY_ADMIN, city))
        self.assertContains(self.client.get("/api/tokens/"), 'href="/api/tokens/"')

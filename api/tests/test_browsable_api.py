"""No browsable API: a signed-in user's browser asking /api/v1/ for HTML gets the same masked JSON
(session authentication, CSRF for writes) — DRF's HTML pages carry a <style> block the strict CSP
blocks (issue 16); the Swagger UI at /api/v1/docs/ is the browsable documentation."""

from api.tests.base import ApiTestCase


class BrowsableApiTestCase(ApiTestCase):
    def test_a_signed_in_browser_asking_for_html_gets_the_masked_json(self):
        self.client.force_login(self.carol)
        r = self.client.get("/api/v1/residents/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "application/json")
        self.assertMasked(r.content.decode())
        self.assertIn("110105************", r.content.decode())

    def test_the_browsable_api_format_is_not_offered(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get("/api/v1/residents/", {"format": "api"}).status_code, 404)

    def test_a_write_with_the_session_needs_the_csrf_token(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(self.carol)
        r = client.post("/api/v1/residents/search/", {"id_number": "x"}, content_type="application/json")
        self.assertEqual(r.status_code, 403)
        self.assertEqual(r["Content-Type"], "application/json")

"""The browsable API: a signed-in user's browser gets DRF's HTML pages on the same endpoints (session
authentication, CSRF for writes), masked as the JSON."""

from api.tests.base import ApiTestCase


class BrowsableApiTestCase(ApiTestCase):
    def test_a_signed_in_browser_gets_the_html_page_masked(self):
        self.client.force_login(self.carol)
        r = self.client.get("/api/v1/residents/", HTTP_ACCEPT="text/html")
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r["Content-Type"].startswith("text/html"))
        self.assertMasked(r.content.decode())
        self.assertIn("110105************", r.content.decode())

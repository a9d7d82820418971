"""/jsi18n/: the strings of static/js, in the user's language, served by the app itself."""

from governance.tests.base import TerritoryTestCase


class JavaScriptCatalogTests(TerritoryTestCase):
    def test_it_gives_english_to_an_english_page(self):
        self.client.cookies["django_language"] = "en"
        response = self.client.get("/jsi18n/?lang=en")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Nothing found")
        self.assertIn("max-age=86400", response["Cache-Control"])

    def test_chinese_pages_keep_the_source_strings(self):
        response = self.client.get("/jsi18n/?lang=zh-hans", HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Nothing found")

    def test_every_page_loads_the_catalogue_before_the_scripts_that_use_it(self):
        self.client.force_login(self.alice)
        html = self.client.get("/cases/").content.decode()
        self.assertIn('src="/jsi18n/?lang=zh-hans"', html)
        self.assertLess(html.index("/jsi18n/"), html.index("js/picker.js"))

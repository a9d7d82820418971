"""GET /api/v1/risks/: the risk register in scope with the register page's filters (closed, level,
grid), in cursor pages; outside scope nothing, no personal data."""

from django.utils import translation

from api.tests.mediation_base import MediationApiTestCase
from disputes.actions import mediation as ma
from disputes.models import RiskLevel

URL = "/api/v1/risks/"


class RiskListApiTestCase(MediationApiTestCase):
    def ids(self, user, **params):
        r = self.get(user, URL, params)
        self.assertEqual(r.status_code, 200, r.content)
        return [row["id"] for row in r.json()["results"]]

    def test_the_street_officer_lists_the_open_entries_of_her_street(self):
        _d1, major = self.risky(title="较大风险纠纷")
        _d2, severe = self.risky(title="重大风险纠纷", threat_violence=True)
        self.dispute(title="一般纠纷")
        r = self.get(self.alice, URL)
        rows = r.json()["results"]
        self.assertEqual([row["id"] for row in rows], [severe.pk, major.pk])  # the newest first
        self.assertEqual((rows[1]["title"], rows[1]["level"], rows[1]["owner"]), ("较大风险纠纷", RiskLevel.MAJOR, None))
        self.assertEqual(rows[1]["version"], self.version(major.dispute))
        self.assertMasked(r)

    def test_the_filters_are_the_register_pages(self):
        _d, major = self.risky()
        d2, severe = self.risky(threat_violence=True)
        _d3, other_grid = self.risky(actor=self.gina, grid=self.grid_a2)
        ma.do_close_risk(actor=self.alice, entry=severe, version=None, note="已化解")
        self.assertEqual(self.ids(self.alice, level="2"), [other_grid.pk, major.pk])
        self.assertEqual(self.ids(self.alice, closed="1"), [severe.pk])
        self.assertEqual(self.ids(self.alice, grid=self.grid_a2.code), [other_grid.pk])
        self.assertEqual(self.ids(self.carol), [major.pk])  # a grid worker: her grid only

    def test_cursor_pages(self):
        entries = [self.risky(title=f"纠纷{i}")[1] for i in range(3)]
        first = self.get(self.alice, URL, {"page_size": 2}).json()
        self.assertEqual([row["id"] for row in first["results"]], [entries[2].pk, entries[1].pk])
        rest = self.client.get(first["next"], **self.as_(self.alice)).json()
        self.assertEqual(([row["id"] for row in rest["results"]], rest["next"]), ([entries[0].pk], None))

    def test_the_other_district_and_a_user_without_a_role_see_nothing(self):
        self.risky()
        self.assertEqual(self.ids(self.bob), [])
        self.assertEqual(self.ids(self.nobody), [])

    def test_anonymous_gets_401(self):
        self.assertAnonymousGets401(URL, method="get")

    def test_a_bad_filter_is_a_400_in_chinese_and_in_english(self):
        body = self.assertError(self.get(self.alice, URL, {"level": "9"}), 400, "invalid")
        self.assertEqual(body["message"], "风险等级筛选条件不正确。")
        with translation.override("zh-hans"):
            r = self.get(self.alice, URL, {"grid": "21'08"}, HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(self.assertError(r, 400, "invalid")["message"], "A grid code may contain digits only.")

    def test_the_query_count_does_not_grow_with_the_register(self):
        self.risky()
        headers = self.warm(self.alice)
        with self.assertNumQueries(7):  # token, scope (roles, 2 node grants, 2 object grants), the page
            self.client.get(URL, **headers)
        for i in range(4):
            self.risky(title=f"纠纷{i}")
        with self.assertNumQueries(7):
            self.client.get(URL, **headers)

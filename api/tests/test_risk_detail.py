"""GET /api/v1/risks/{id}/: one entry of the register with its reviews, what the user may do now
(allowed_risk_actions, as the entry's page) and, for whoever may update it, the owners it may name."""

from api.tests.mediation_base import MediationApiTestCase
from disputes.actions import mediation as ma


class RiskDetailApiTestCase(MediationApiTestCase):
    def url(self, entry):
        return f"/api/v1/risks/{entry.pk}/"

    def test_the_street_officer_may_update_review_and_close_and_is_offered_owners(self):
        d, entry = self.risky()
        r = self.get(self.alice, self.url(entry))
        self.assertEqual(r.status_code, 200, r.content)
        body = r.json()
        self.assertEqual((body["dispute"], body["version"]), (d.pk, self.version(d)))
        self.assertEqual(body["allowed_actions"], ["close", "review", "update"])
        owners = {row["username"] for row in body["owner_candidates"]}
        self.assertIn("carol", owners)
        self.assertNotIn("heidi", owners)  # a department's handler owns no risk
        self.assertNotIn("bob", owners)
        self.assertMasked(r)

    def test_the_owner_may_review_only_and_others_nothing(self):
        _d, entry = self.risky()
        self.assertEqual(self.get(self.carol, self.url(entry)).json()["allowed_actions"], [])
        ma.do_update_risk_entry(actor=self.alice, entry=entry, version=None, owner=self.carol, responsibility="走访",
                                measures="稳控", next_review="2026-12-31")
        ma.do_review_risk(actor=self.carol, entry=entry, version=None, note="双方情绪平稳", next_review="")
        body = self.get(self.carol, self.url(entry)).json()
        self.assertEqual((body["allowed_actions"], body["owner_candidates"], body["owner"]), (["review"], [], "卡萝"))
        self.assertEqual([(row["by"], row["note"]) for row in body["reviews"]], [("卡萝", "双方情绪平稳")])

    def test_a_closed_entry_allows_nothing(self):
        _d, entry = self.risky()
        ma.do_close_risk(actor=self.alice, entry=entry, version=None, note="已化解")
        body = self.get(self.alice, self.url(entry)).json()
        self.assertEqual((body["allowed_actions"], body["closed_by"], body["close_note"]), ([], "艾丽", "已化解"))

    def test_the_other_district_and_a_user_without_a_role_get_404(self):
        _d, entry = self.risky()
        self.assertError(self.get(self.bob, self.url(entry)), 404, "not_found")
        self.assertError(self.get(self.nobody, self.url(entry)), 404)
        self.assertError(self.get(self.alice, "/api/v1/risks/99999999999/"), 404)

    def test_anonymous_gets_401(self):
        self.assertAnonymousGets401(self.url(self.risky()[1]), method="get")

    def test_the_query_count(self):
        _d, entry = self.risky()
        headers = self.warm(self.alice)
        self.client.get(self.url(entry), **headers)
        with self.assertNumQueries(9):
            self.client.get(self.url(entry), **headers)

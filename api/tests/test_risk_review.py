"""POST /api/v1/risks/{id}/review/: 研判 through do_review_risk, by the entry's owner or whoever manages
risks in its grid."""

from api.tests.mediation_base import MediationApiTestCase
from disputes.actions import mediation as ma
from disputes.models import RiskReview


class RiskReviewApiTestCase(MediationApiTestCase):
    def url(self, entry):
        return f"/api/v1/risks/{entry.pk}/review/"

    def test_the_owner_records_a_review(self):
        d, entry = self.risky()
        ma.do_update_risk_entry(actor=self.alice, entry=entry, version=None, owner=self.carol, responsibility="走访",
                                measures="稳控", next_review="2026-12-31")
        r = self.post(self.carol, self.url(entry), {"version": self.version(d), "note": "双方情绪平稳",
                                                    "next_review": "2027-01-15"})
        self.assertEqual(r.status_code, 200, r.content)
        body = r.json()
        self.assertEqual((body["next_review"], body["reviews"][0]["note"]), ("2027-01-15", "双方情绪平稳"))
        self.assertMasked(r)

    def test_a_review_needs_a_note_in_chinese(self):
        d, entry = self.risky()
        body = self.assertError(self.post(self.alice, self.url(entry), {"version": self.version(d)}), 400)
        self.assertEqual(body["message"], "请填写研判情况。")

    def test_the_other_district_gets_404(self):
        d, entry = self.risky()
        self.assertError(self.post(self.bob, self.url(entry), {"version": self.version(d), "note": "x"}), 404)

    def test_a_grid_worker_who_is_not_the_owner_gets_403(self):
        d, entry = self.risky()
        self.assertError(self.post(self.carol, self.url(entry), {"version": self.version(d), "note": "x"}), 403)
        self.assertFalse(RiskReview.objects.exists())

    def test_anonymous_gets_401(self):
        self.assertAnonymousGets401(self.url(self.risky()[1]))

    def test_a_stale_version_is_a_409(self):
        d, entry = self.risky()
        self.assertError(self.post(self.alice, self.url(entry), {"version": self.version(d) - 1, "note": "x"}), 409)
        self.assertFalse(RiskReview.objects.exists())

    def test_bad_input_is_a_400_in_chinese_and_in_english(self):
        d, entry = self.risky()
        self.assertBadInputIsA400InChineseAndInEnglish(self.alice, self.url(entry), {
            "version": self.version(d), "note": "x", "next_review": "2026-13-01"}, "next_review")

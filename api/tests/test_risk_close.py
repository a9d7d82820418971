"""POST /api/v1/risks/{id}/close/: 销号 through do_close_risk; the entry stays in the register's history
(closed=1) and the dispute's detail still shows it."""

from api.tests.mediation_base import MediationApiTestCase
from disputes.models import RiskEntry


class RiskCloseApiTestCase(MediationApiTestCase):
    def url(self, entry):
        return f"/api/v1/risks/{entry.pk}/close/"

    def test_the_street_officer_closes_the_risk(self):
        d, entry = self.risky()
        r = self.post(self.alice, self.url(entry), {"version": self.version(d), "note": "调解成功，风险消除"})
        self.assertEqual(r.status_code, 200, r.content)
        body = r.json()
        self.assertIsNotNone(body["closed_at"])
        self.assertEqual((body["close_note"], body["allowed_actions"]), ("调解成功，风险消除", []))
        self.assertEqual(self.get(self.alice, "/api/v1/risks/", {"closed": "1"}).json()["results"][0]["id"], entry.pk)
        self.assertEqual(self.get(self.alice, f"/api/v1/disputes/{d.pk}/").json()["risk_entry"]["id"], entry.pk)
        self.assertMasked(r)

    def test_closing_twice_or_without_a_note_is_refused_in_chinese(self):
        d, entry = self.risky()
        body = self.assertError(self.post(self.alice, self.url(entry), {"version": self.version(d)}), 400)
        self.assertEqual(body["message"], "请填写销号说明。")
        self.post(self.alice, self.url(entry), {"version": self.version(d), "note": "已化解"})
        body = self.assertError(self.post(self.alice, self.url(entry), {"version": self.version(d), "note": "再次"}), 400)
        self.assertEqual(body["message"], "该风险已销号。")

    def test_the_other_district_gets_404(self):
        d, entry = self.risky()
        self.assertError(self.post(self.bob, self.url(entry), {"version": self.version(d), "note": "x"}), 404)

    def test_a_grid_worker_gets_403(self):
        d, entry = self.risky()
        self.assertError(self.post(self.carol, self.url(entry), {"version": self.version(d), "note": "x"}), 403)
        self.assertIsNone(RiskEntry.objects.get(pk=entry.pk).closed_at)

    def test_anonymous_gets_401(self):
        self.assertAnonymousGets401(self.url(self.risky()[1]))

    def test_a_stale_version_is_a_409(self):
        d, entry = self.risky()
        self.assertError(self.post(self.alice, self.url(entry), {"version": self.version(d) - 1, "note": "x"}), 409)
        self.assertIsNone(RiskEntry.objects.get(pk=entry.pk).closed_at)

    def test_bad_input_is_a_400_in_chinese_and_in_english(self):
        d, entry = self.risky()
        self.assertBadInputIsA400InChineseAndInEnglish(self.alice, self.url(entry), {"version": "²", "note": "x"},
                                                       "version")

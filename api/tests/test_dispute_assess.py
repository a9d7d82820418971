"""POST /api/v1/disputes/{id}/assess/: the risk assessment through do_assess_risk, as the dispute page's
form: the facts the criteria read, a level raised by hand with a reason; 较大/重大 enter the register."""

from api.tests.mediation_base import MediationApiTestCase
from disputes.models import Dispute, RiskEntry, RiskLevel
from governance.models import AuditEvent


class DisputeAssessApiTestCase(MediationApiTestCase):
    def url(self, d):
        return f"/api/v1/disputes/{d.pk}/assess/"

    def test_the_street_officer_assesses_and_a_severe_risk_enters_the_register(self):
        d = self.dispute()
        r = self.post(self.alice, self.url(d), {"version": self.version(d), "people_count": 40, "threat_petition": True})
        self.assertEqual(r.status_code, 200, r.content)
        body = r.json()
        self.assertEqual((body["risk_level"], body["risk_entry"]["level"]), (RiskLevel.SEVERE, RiskLevel.SEVERE))
        self.assertEqual(body["risk_entry"]["id"], RiskEntry.objects.get(dispute=d).pk)
        self.assertEqual(body["version"], d.case.version + 1)
        self.assertEqual(AuditEvent.objects.filter(action="dispute.assess").count(), 1)
        self.assertMasked(r)

    def test_a_level_raised_by_hand_needs_a_reason_in_chinese(self):
        d = self.dispute()
        body = self.assertError(self.post(self.alice, self.url(d), {"version": self.version(d), "level": 3}), 400)
        self.assertIn("提高风险等级的理由", body["message"])
        r = self.post(self.alice, self.url(d), {"version": self.version(d), "level": 3, "note": "一方扬言报复"})
        self.assertEqual(r.json()["risk_level"], RiskLevel.SEVERE)

    def test_the_other_district_gets_404(self):
        d = self.dispute()
        self.assertError(self.post(self.bob, self.url(d), {"version": self.version(d), "people_count": 40}), 404)

    def test_a_grid_worker_and_a_mediator_get_403(self):
        d = self.dispute()
        for user in (self.carol, self.mona):
            self.assertError(self.post(user, self.url(d), {"version": self.version(d), "people_count": 40}), 403,
                             "permission_denied")
        self.assertEqual(Dispute.objects.get(pk=d.pk).people_count, 2)

    def test_anonymous_gets_401(self):
        self.assertAnonymousGets401(self.url(self.dispute()))

    def test_a_stale_version_is_a_409_and_changes_nothing(self):
        d = self.dispute()
        self.assertError(self.post(self.alice, self.url(d), {"version": self.version(d) - 1, "people_count": 40}), 409,
                         "conflict")
        self.assertEqual(Dispute.objects.get(pk=d.pk).people_count, 2)

    def test_bad_input_is_a_400_in_chinese_and_in_english(self):
        d = self.dispute()
        self.assertBadInputIsA400InChineseAndInEnglish(self.alice, self.url(d), {"version": self.version(d),
                                                                                 "people_count": 0}, "people_count")
        self.assertBadInputIsA400InChineseAndInEnglish(self.alice, self.url(d), {"people_count": 3}, "version")

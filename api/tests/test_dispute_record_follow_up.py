"""POST /api/v1/disputes/{id}/record-follow-up/: a 回访 recorded through do_record_follow_up, by its
owner or a mediator: the agreement holds, or it did not and the dispute goes back to mediation."""

from api.tests.mediation_base import MediationApiTestCase
from disputes.models import FollowUp, Outcome, Status


class RecordFollowUpApiTestCase(MediationApiTestCase):
    def url(self, d):
        return f"/api/v1/disputes/{d.pk}/record-follow-up/"

    def test_the_mediator_records_that_the_agreement_holds(self):
        d = self.settled()
        f = d.follow_ups.first()
        detail = self.get(self.mona, f"/api/v1/disputes/{d.pk}/").json()
        self.assertEqual([row["may_record"] for row in detail["follow_ups"]], [True, True])
        r = self.post(self.mona, self.url(d), {"version": detail["version"], "follow_up": f.pk, "holds": True,
                                               "note": "已按期付款"})
        self.assertEqual(r.status_code, 200, r.content)
        row = r.json()["follow_ups"][0]
        self.assertEqual((row["id"], row["holds"], row["pending"], row["may_record"]), (f.pk, True, False, False))
        self.assertMasked(r)

    def test_a_broken_agreement_sends_the_dispute_back_to_mediation(self):
        d = self.settled()
        r = self.post(self.mona, self.url(d), {"version": self.version(d), "follow_up": d.follow_ups.first().pk,
                                               "holds": False, "note": "李秀英拒不支付"})
        self.assertEqual((r.json()["outcome"], r.json()["status"]), (Outcome.BROKEN, Status.ASSIGNED))
        self.assertTrue(all(row["cancelled"] for row in r.json()["follow_ups"][1:]))

    def test_a_broken_agreement_needs_a_note_in_chinese(self):
        d = self.settled()
        body = self.assertError(self.post(self.mona, self.url(d), {"version": self.version(d),
                                                                   "follow_up": d.follow_ups.first().pk,
                                                                   "holds": False}), 400)
        self.assertIn("请填写回访情况", body["message"])

    def test_a_follow_up_of_another_dispute_is_a_400(self):
        d, other = self.settled(), self.settled(title="另一纠纷")
        body = self.assertError(self.post(self.mona, self.url(d), {"version": self.version(d), "holds": True,
                                                                   "follow_up": other.follow_ups.first().pk}), 400)
        self.assertIn("follow_up", body["fields"])

    def test_the_other_district_gets_404(self):
        d = self.settled()
        self.assertError(self.post(self.bob, self.url(d), {"version": self.version(d), "holds": True,
                                                           "follow_up": d.follow_ups.first().pk}), 404)

    def test_a_grid_worker_who_does_not_own_it_gets_403(self):
        d = self.settled()
        f = d.follow_ups.first()
        self.assertError(self.post(self.carol, self.url(d), {"version": self.version(d), "follow_up": f.pk,
                                                             "holds": True}), 403, "permission_denied")
        self.assertTrue(FollowUp.objects.get(pk=f.pk).is_pending)

    def test_anonymous_gets_401(self):
        self.assertAnonymousGets401(self.url(self.settled()))

    def test_a_stale_version_is_a_409(self):
        d = self.settled()
        f = d.follow_ups.first()
        self.assertError(self.post(self.mona, self.url(d), {"version": self.version(d) - 1, "follow_up": f.pk,
                                                            "holds": True}), 409, "conflict")
        self.assertTrue(FollowUp.objects.get(pk=f.pk).is_pending)

    def test_bad_input_is_a_400_in_chinese_and_in_english(self):
        d = self.settled()
        self.assertBadInputIsA400InChineseAndInEnglish(self.mona, self.url(d), {
            "version": self.version(d), "follow_up": d.follow_ups.first().pk, "holds": "maybe"}, "holds")

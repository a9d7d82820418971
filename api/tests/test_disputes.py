"""/api/v1/disputes/…: the list, filing, the detail with parties masked, each mediation step through
the dispute page's do_* actions, and a party's audited reveal; 404 outside, 403 for the wrong role."""

from api.tests.base import ApiHelpers
from disputes.models import Dispute, Outcome
from disputes.tests.dispute_base import APPLICANT, RESPONDENT, DisputeTestCase
from governance.models import AuditEvent


class DisputesApiTestCase(ApiHelpers, DisputeTestCase):
    def test_a_grid_worker_files_a_dispute_and_reads_it_masked(self):
        r = self.post(self.carol, "/api/v1/disputes/", {
            "grid": self.grid_a.code, "dispute_type": self.neighbour.pk, "title": "漏水", "description": "楼上漏水",
            "parties": [APPLICANT, RESPONDENT], "people_count": 6})
        self.assertEqual(r.status_code, 201, r.content)
        body = r.json()
        self.assertEqual((body["risk_level"], body["case"]["kind"]), (2, "dispute"))
        self.assertNotIn(APPLICANT["id_number"], r.content.decode())
        self.assertNotIn(APPLICANT["phone"], r.content.decode())
        self.assertEqual([p["side"] for p in body["parties"]], ["applicant", "respondent"])

    def test_filing_needs_both_sides_and_the_right(self):
        data = {"grid": self.grid_a.code, "dispute_type": self.neighbour.pk, "title": "漏水", "description": "x",
                "parties": [APPLICANT]}
        self.assertError(self.post(self.carol, "/api/v1/disputes/", data), 400)
        self.assertError(self.post(self.dave, "/api/v1/disputes/", {**data, "parties": [APPLICANT, RESPONDENT]}), 403)
        self.assertFalse(Dispute.objects.exists())

    def test_the_list_and_detail_are_scoped(self):
        d = self.dispute()
        self.assertEqual([row["id"] for row in self.get(self.alice, "/api/v1/disputes/").json()["results"]], [d.pk])
        self.assertEqual(self.get(self.bob, "/api/v1/disputes/").json()["results"], [])
        self.assertError(self.get(self.bob, f"/api/v1/disputes/{d.pk}/"), 404)
        self.assertError(self.get(self.alice, "/api/v1/disputes/", {"risk": "9"}), 400)
        self.assertIn("add_party", self.get(self.alice, f"/api/v1/disputes/{d.pk}/").json()["allowed_actions"])

    def test_a_party_reveal_is_audited_and_needs_reveal_pii(self):
        d = self.dispute()
        party = d.parties.get(side="applicant")
        url = f"/api/v1/disputes/{d.pk}/parties/{party.pk}/reveal/"
        self.assertError(self.post(self.carol, url), 403)
        self.assertError(self.post(self.bob, url), 404)
        self.assertEqual(self.post(self.alice, url).json()["id_number"], APPLICANT["id_number"])
        self.assertEqual(AuditEvent.objects.filter(action="dispute.reveal_party").count(), 1)

    def test_the_mediator_schedules_records_and_settles_with_the_version(self):
        d = self.mediating()
        base = f"/api/v1/disputes/{d.pk}"
        self.assertError(self.post(self.carol, f"{base}/schedule-session/", {"at": "2026-12-01T10:00:00+08:00",
                                                                             "room": self.room.pk}), 403)
        r = self.post(self.mona, f"{base}/schedule-session/", {"at": "2026-12-01T10:00:00+08:00", "room": self.room.pk})
        self.assertEqual(r.status_code, 200, r.content)
        session = r.json()["sessions"][0]["id"]
        r = self.post(self.mona, f"{base}/record-session/", {"session": session, "attendees": "双方",
                                                              "applicant_statement": "要求赔偿", "respondent_statement": "同意",
                                                              "agreed": "赔偿三千元"})
        self.assertEqual(r.status_code, 200, r.content)
        settle = {"facts": "漏水", "terms": "赔偿三千元", "performance": "现金"}
        self.assertError(self.post(self.mona, f"{base}/settle/", {**settle, "version": 1}), 409, "conflict")
        r = self.post(self.mona, f"{base}/settle/", {**settle, "version": r.json()["version"]})
        self.assertEqual((r.json()["outcome"], r.json()["case"]["status"]), (Outcome.SETTLED, "handled"))
        self.assertError(self.post(self.bob, f"{base}/refer/", {"version": 1, "target": "court", "target_name": "x",
                                                                 "note": "x"}), 404)

    def test_the_detail_lists_its_follow_ups_and_its_risk_entry(self):
        from disputes.models import RiskEntry

        d = self.settled(people_count=8)
        body = self.get(self.alice, f"/api/v1/disputes/{d.pk}/").json()
        self.assertEqual([row["id"] for row in body["follow_ups"]], list(d.follow_ups.values_list("pk", flat=True)))
        self.assertEqual([row["pending"] for row in body["follow_ups"]], [True, True])
        entry = RiskEntry.objects.get(dispute=d)
        self.assertEqual((body["risk_entry"]["id"], body["risk_entry"]["version"]), (entry.pk, body["version"]))
        plain = self.get(self.alice, f"/api/v1/disputes/{self.dispute().pk}/").json()
        self.assertEqual((plain["follow_ups"], plain["risk_entry"]), ([], None))

"""/cases/<id>/convert-to-dispute/ and filing in a 矛盾纠纷 category: a dispute reaches the mediation desk.

A case filed in 矛盾纠纷 (or a sub-category: 邻里纠纷) is a dispute from the start — the dispute side
written, the risk assessment pending, the 风险台账 entry once it is assessed 较大 or 重大; any other
open case becomes one through the audited 转为矛盾纠纷 action (a dispatcher or a mediator)."""

from disputes.actions import cases as actions
from disputes.actions import mediation as ma
from disputes.models import Case, CaseEvent, CaseKind, CaseMonthSummary, Dispute, Notice, RiskEntry, Status
from disputes.selectors.mediation import open_disputes
from disputes.tests.dispute_base import DisputeTestCase
from governance.models import AuditEvent


class FiledInADisputeCategoryTestCase(DisputeTestCase):
    def test_a_case_filed_in_a_dispute_sub_category_is_a_dispute_on_the_mediation_desk(self):
        case = self.file(category=self.neighbour_cat, title="邻里噪音纠纷")
        self.assertEqual(case.kind, CaseKind.DISPUTE)
        dispute = Dispute.objects.get(pk=case.pk)
        self.assertEqual(dispute.dispute_type, self.neighbour)
        self.assertIsNone(dispute.risk_assessed_at)  # pending
        self.assertIn(dispute, list(open_disputes(self.mona)))
        self.client.force_login(self.mona)
        r = self.client.get("/disputes/")
        self.assertContains(r, "邻里噪音纠纷")
        self.assertContains(r, 'data-testid="risk-pending-badge"')

    def test_the_street_s_mediators_are_told(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.file(category=self.neighbour_cat, title="邻里噪音纠纷")
        self.assertEqual(sorted(Notice.objects.values_list("user__username", flat=True)), ["alice", "mona"])

    def test_its_risk_assessment_is_pending_and_a_major_one_enters_the_register(self):
        case = self.file(category=self.neighbour_cat)
        dispute = Dispute.objects.get(pk=case.pk)
        self.assertFalse(RiskEntry.objects.exists())
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(f"/disputes/{case.pk}/"), 'data-testid="risk-pending"')
        ma.do_assess_risk(actor=self.alice, dispute=dispute, version=None, people_count=8)
        self.assertEqual(RiskEntry.objects.get().dispute_id, case.pk)
        self.assertNotContains(self.client.get(f"/disputes/{case.pk}/"), 'data-testid="risk-pending"')

    def test_filing_it_is_one_audited_filing_and_counted_as_a_dispute(self):
        case = self.file(category=self.neighbour_cat)
        self.assertEqual(AuditEvent.objects.filter(action="case.file", detail__kind="dispute").count(), 1)
        self.assertEqual(CaseMonthSummary.objects.get(filed=1).kind, CaseKind.DISPUTE)
        self.assertEqual(case.status, Status.REPORTED)

    def test_a_self_handled_one_stays_a_plain_case(self):
        from disputes.tests.base import jpeg
        case = self.file(category=self.neighbour_cat, self_handle=True, evidence_note="当场劝解", evidence=[jpeg()])
        self.assertEqual(case.kind, CaseKind.CASE)
        self.assertFalse(Dispute.objects.exists())

    def test_other_categories_stay_plain_cases(self):
        self.assertEqual(self.file().kind, CaseKind.CASE)
        self.assertFalse(Dispute.objects.exists())


class ConvertTestCase(DisputeTestCase):
    def post(self, user, case, **data):
        self.client.force_login(user)
        data.setdefault("version", Case.objects.get(pk=case.pk).version)
        data.setdefault("dispute_type", self.neighbour.pk)
        data.setdefault("reason", "实为楼上楼下邻里纠纷")
        return self.client.post(f"/cases/{case.pk}/convert-to-dispute/", data)

    def test_the_street_officer_converts_a_case_and_it_reaches_the_desk(self):
        case = self.accepted()
        with self.captureOnCommitCallbacks(execute=True):
            r = self.post(self.alice, case)
        self.assertRedirects(r, f"/cases/{case.pk}/", fetch_redirect_response=False)
        case.refresh_from_db()
        self.assertEqual(case.kind, CaseKind.DISPUTE)
        self.assertEqual(case.category, self.clutter)  # its category stays
        dispute = Dispute.objects.get(pk=case.pk)
        self.assertEqual(case.deadline, dispute.mediation_due)
        self.assertTrue(case.events.filter(action=CaseEvent.Action.CONVERT).exists())
        self.assertEqual(AuditEvent.objects.filter(action="dispute.convert").count(), 1)
        self.assertIn(dispute, list(open_disputes(self.mona)))
        self.assertEqual(list(Notice.objects.values_list("user__username", flat=True)), ["mona"])  # not the actor

    def test_the_summaries_move_it_from_plain_cases_to_disputes(self):
        case = self.file()
        self.post(self.alice, case)
        rows = {(r.kind, r.filed) for r in CaseMonthSummary.objects.all()}
        self.assertEqual(rows, {(CaseKind.CASE, 0), (CaseKind.DISPUTE, 1)})

    def test_a_mediator_may_convert(self):
        self.assertEqual(self.post(self.mona, self.file()).status_code, 302)

    def test_the_grid_worker_who_filed_it_may_not(self):
        case = self.file()
        self.assertEqual(self.post(self.carol, case).status_code, 403)
        self.assertFalse(Dispute.objects.exists())

    def test_it_returns_404_to_the_other_district(self):
        self.assertEqual(self.post(self.bob, self.file()).status_code, 404)

    def test_a_dispute_is_not_converted_twice(self):
        d = self.dispute()
        self.assertEqual(self.post(self.alice, d.case).status_code, 400)

    def test_a_closed_case_is_not_converted(self):
        case = self.handled()
        case = actions.do_verify_case(actor=self.alice, case=case, version=case.version, fixed=True)
        self.assertEqual(self.post(self.alice, case).status_code, 400)

    def test_a_reason_and_a_type_are_required(self):
        case = self.file()
        self.assertContains(self.post(self.alice, case, reason=""), "请填写", status_code=400)
        self.assertContains(self.post(self.alice, case, dispute_type=""), "请选择纠纷类型", status_code=400)
        self.assertFalse(Dispute.objects.exists())

    def test_a_stale_version_is_a_409(self):
        case = self.file()
        self.assertEqual(self.post(self.alice, case, version=99).status_code, 409)

    def test_the_case_page_offers_it_to_the_dispatcher(self):
        case = self.file()
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(f"/cases/{case.pk}/"), 'data-testid="convert"')
        self.client.force_login(self.carol)
        self.assertNotContains(self.client.get(f"/cases/{case.pk}/"), 'data-testid="convert"')

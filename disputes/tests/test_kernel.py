"""disputes.kernel: the case loop's public mechanics, and the kinds that extend it."""

from django.utils import timezone

from disputes.actions import cases as actions
from disputes.kernel import (
    PLAIN,
    KindRules,
    StaleCase,
    handle_deadline,
    lock_case,
    register_kind,
    rules_for,
    save_case,
)
from disputes.models import Case, CaseKind, Dispute
from disputes.tests.dispute_base import DisputeTestCase
from governance.actions import StaleVersion


class KernelTestCase(DisputeTestCase):
    def test_a_plain_case_follows_the_plain_rules(self):
        self.assertIs(rules_for(self.file()), PLAIN)

    def test_a_dispute_follows_the_rules_mediation_registered(self):
        rules = rules_for(self.dispute().case)
        self.assertEqual(rules.kind, CaseKind.DISPUTE)
        self.assertTrue(rules.handled_elsewhere)

    def test_a_dispute_is_handled_against_its_mediation_time_limit(self):
        dispute = self.dispute()
        due = Dispute.objects.get(pk=dispute.pk).mediation_due
        self.assertEqual(handle_deadline(dispute.case), due)

    def test_an_unregistered_kind_falls_back_to_the_plain_loop(self):
        case = self.file()
        case.kind = "unknown"
        self.assertIs(rules_for(case), PLAIN)

    def test_a_registered_kind_sets_the_handling_deadline(self):
        moment = timezone.now() + timezone.timedelta(days=9)
        register_kind(KindRules(kind="test-kind", handle_deadline=lambda case: moment))
        case = self.file()
        case.kind = "test-kind"
        self.assertEqual(handle_deadline(case), moment)

    def test_a_stale_version_is_refused_when_locking(self):
        case = self.file()
        with self.assertRaises(StaleCase):
            lock_case(case, case.version + 1)

    def test_saving_bumps_the_version_and_refuses_a_lost_update(self):
        case = self.file()
        seen = Case.objects.get(pk=case.pk)
        case.title = "楼道堆放纸箱"
        save_case(case, ["title"])
        self.assertEqual(Case.objects.get(pk=case.pk).version, seen.version + 1)
        seen.title = "另一人的修改"
        with self.assertRaises(StaleVersion):  # shown as 409 by governance.http.error_status
            save_case(seen, ["title"])

    def test_a_failed_verification_of_a_settled_dispute_breaks_its_agreement(self):
        dispute = self.settled()
        case = dispute.case
        actions.do_verify_case(actor=self.alice, case=case, version=case.version, fixed=False, note="协议未履行")
        self.assertEqual(Dispute.objects.get(pk=dispute.pk).outcome, "broken")

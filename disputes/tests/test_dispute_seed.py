"""seed_demo also builds the dispute configuration, 八田地街道's mediation committee and a handful of
disputes in various states — once."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from disputes.demo.mediation import seed_demo_disputes, seed_dispute_config
from disputes.models import (
    Case,
    CaseKind,
    Dispute,
    DisputeType,
    MediationRoom,
    MediationSession,
    Mediator,
    Outcome,
    RiskCriterion,
    RiskEntry,
)


class DisputeSeedTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=StringIO())

    def test_it_configures_the_fifteen_dispute_types_and_the_risk_criteria(self):
        self.assertEqual(DisputeType.objects.count(), 15)
        self.assertTrue(RiskCriterion.objects.filter(measure="violence", level=3).exists())

    def test_the_demo_mediator_serves_the_committee_with_its_named_rooms(self):
        self.assertTrue(Mediator.objects.filter(user__username="mediator", committee__region_id="210802001").exists())
        self.assertEqual(set(MediationRoom.objects.values_list("name", flat=True)), {"老党员调解室", "法律诊所", "街道调解室"})

    def test_the_demo_disputes_cover_the_states(self):
        outcomes = set(Dispute.objects.values_list("outcome", flat=True))
        self.assertEqual(outcomes, {Outcome.PENDING, Outcome.SETTLED, Outcome.REFERRED})
        self.assertTrue(Dispute.objects.filter(source="court").exists())
        self.assertTrue(RiskEntry.objects.filter(owner__username="street_officer").exists())
        self.assertTrue(MediationSession.objects.exists())

    def test_running_again_creates_nothing(self):
        self.assertEqual((seed_dispute_config(), seed_demo_disputes()), (0, 0))

    def test_a_few_demo_cases_are_linked_to_registered_residents_of_their_grid_once(self):
        from disputes.demo.cases import link_demo_cases
        from disputes.models import Case

        linked = Case.objects.filter(residents__isnull=False).distinct()
        self.assertEqual(linked.count(), 6)
        for case in linked:
            self.assertTrue(all(r.grid_id == case.grid_id for r in case.residents.all()))
        self.assertEqual(link_demo_cases(), 0)

    def test_the_demo_cases_filed_in_a_dispute_category_wait_on_the_mediation_desk(self):
        # 楼上漏水引发邻里争执 is filed in 0101 (邻里纠纷), a 矛盾纠纷 category: with the dispute types
        # seeded first it is a dispute with its risk assessment pending, not a plain case.
        filed = Dispute.objects.filter(case__title="楼上漏水引发邻里争执")
        self.assertTrue(filed.exists())
        self.assertFalse(Case.objects.filter(title="楼上漏水引发邻里争执", kind=CaseKind.CASE).exists())

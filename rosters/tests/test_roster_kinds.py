"""The roster kinds are the ImportJob kind choices: one roster for each, labelled by the choice."""

from django.urls import reverse

from rosters.kinds import ROSTERS, get_roster
from rosters.models import ImportJob, RosterKind
from rosters.tests.helpers import RosterTestCase


class RosterKindsTests(RosterTestCase):
    def test_there_is_one_roster_for_each_kind_choice_in_the_choices_order(self):
        self.assertEqual(list(ROSTERS), list(RosterKind))
        for kind, roster in ROSTERS.items():
            self.assertEqual(roster.kind, kind)
            self.assertEqual(roster.label, kind.label)

    def test_a_roster_is_found_by_the_kind_as_the_url_spells_it_and_comes_fresh(self):
        self.assertIsInstance(get_roster("residents"), type(ROSTERS[RosterKind.RESIDENTS]))
        self.assertIsNot(get_roster("residents"), ROSTERS[RosterKind.RESIDENTS])
        self.assertIsNone(get_roster("pets"))

    def test_a_job_is_labelled_by_its_kind_choice_on_its_page_and_in_the_history(self):
        job = ImportJob.objects.create(kind=RosterKind.HOUSES, region=self.xishi, created_by=self.frank,
                                       original_name="h.xlsx")
        self.assertEqual(job.get_kind_display(), "实有房屋")
        self.client.force_login(self.frank)
        self.assertContains(self.client.get(reverse("rosters:job", args=[job.pk])), "实有房屋 · ")
        self.assertContains(self.client.get(reverse("rosters:history")), "<strong>实有房屋</strong>")

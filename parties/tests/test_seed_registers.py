"""parties.demo: the registers of the demo grid worker's two grids (seed_demo's part for parties)."""

from django.test import TestCase

from governance.demo_city import seed_demo_city
from parties.demo import seed_demo_registers
from parties.idnumbers import validate_id_number
from parties.models import House, PartyBranch, Resident, Unit
from parties.validators import validate_credit_code


class SeedRegistersTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        seed_demo_city()
        cls.created = seed_demo_registers()

    def test_the_demo_grid_workers_grids_have_a_few_hundred_residents_and_the_rest(self):
        grids = ("210802001001001", "210802001001002")
        self.assertGreaterEqual(Resident.objects.filter(grid_id__in=grids).count(), 300)
        self.assertGreaterEqual(House.objects.filter(grid_id__in=grids).count(), 200)
        self.assertGreaterEqual(Unit.objects.filter(grid_id__in=grids).count(), 10)
        self.assertEqual(PartyBranch.objects.filter(grid_id__in=grids).count(), 2)
        self.assertEqual(self.created["residents"], Resident.objects.count())

    def test_generated_id_numbers_and_credit_codes_are_valid(self):
        for r in Resident.objects.all()[:50]:
            validate_id_number(r.id_number)
        for u in Unit.objects.all():
            validate_credit_code(u.credit_code)

    def test_running_it_again_adds_nothing(self):
        before = (Resident.objects.count(), House.objects.count(), Unit.objects.count())
        self.assertEqual(seed_demo_registers(), {"residents": 0, "houses": 0, "units": 0})
        self.assertEqual(before, (Resident.objects.count(), House.objects.count(), Unit.objects.count()))

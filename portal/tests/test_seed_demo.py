"""`manage.py seed_demo`: the demo city of the README, every app's part of it, idempotent."""

from io import StringIO

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.http import HttpRequest
from django.test import TestCase

from disputes.models import Case
from governance.demo_city import DEMO_LOGINS
from governance.models import Region, RoleAssignment, User
from governance.roles import Level, Role
from grids.models import Visit
from parties.demo import DEMO_GRIDS
from parties.models import Resident


class SeedDemoTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.output = StringIO()
        call_command("seed_demo", stdout=cls.output)

    def count(self, level):
        return Region.objects.filter(level=level).count()

    def test_it_builds_the_documented_territory(self):
        self.assertEqual(self.count(Level.CITY), 1)
        self.assertEqual(self.count(Level.DISTRICT), 1)
        self.assertEqual(self.count(Level.STREET), 8)
        self.assertEqual(self.count(Level.COMMUNITY), 40)
        self.assertEqual(self.count(Level.GRID), 279)

    def test_it_builds_550_grid_workers_and_every_grid_has_one(self):
        workers = RoleAssignment.objects.filter(role=Role.GRID_WORKER)
        self.assertEqual(workers.values("user").distinct().count(), 550)
        self.assertEqual(workers.values("region").distinct().count(), 279)

    def test_the_demo_grid_worker_covers_two_grids(self):
        self.assertEqual(RoleAssignment.objects.filter(user__username="grid_worker").count(), 2)

    def test_it_has_one_login_per_role(self):
        roles = set(RoleAssignment.objects.filter(user__username__in=[d.username for d in DEMO_LOGINS])
                    .values_list("role", flat=True))
        self.assertEqual(roles, set(Role.values))

    def test_it_matches_the_sample_roster_codes(self):
        self.assertEqual(Region.objects.get(code="210802001001").name, "五大门社区")
        self.assertEqual(Region.objects.get(code="210802004003").name, "春华社区")
        self.assertTrue(Region.objects.filter(code="210802004003005").exists())

    def test_it_prints_the_logins(self):
        out = self.output.getvalue()
        for login in DEMO_LOGINS:
            self.assertIn(login.username, out)
        self.assertIn(settings.DEMO_PASSWORD, out)

    def test_the_demo_grid_workers_grids_have_registers_visits_and_cases(self):
        self.assertGreaterEqual(Resident.objects.filter(grid_id__in=DEMO_GRIDS).count(), 300)
        self.assertEqual(Visit.objects.filter(grid_id__in=DEMO_GRIDS).count(), 80)
        self.assertTrue(Visit.objects.filter(grid_id__in=DEMO_GRIDS, kind="patrol").exists())
        self.assertTrue(Case.objects.filter(grid_id__in=DEMO_GRIDS).exists())

    def test_running_it_again_creates_nothing(self):
        def counts():
            return [m.objects.count() for m in (Region, User, RoleAssignment, Resident, Visit, Case)]

        before = counts()
        out = StringIO()
        call_command("seed_demo", stdout=out)
        self.assertEqual(before, counts())
        self.assertIn("演示城市已存在", out.getvalue())
        self.assertNotIn("已登记", out.getvalue())

    def test_demo_users_can_sign_in(self):
        self.assertTrue(self.client.login(request=HttpRequest(), username="street_officer", password=settings.DEMO_PASSWORD))

    def test_the_demo_password_passes_the_password_rules(self):
        for login in DEMO_LOGINS:
            validate_password(settings.DEMO_PASSWORD, User(username=login.username))  # unsaved: no history

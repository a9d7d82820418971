"""The Django superuser is for installation only: it holds no territorial capability of its own (it
reaches what its roles give it, like anyone) — the registers, cases and exports are not its to read."""

from governance.models import Region, User
from governance.roles import Cap, Role
from governance.scope import can, region_codes, scoped, top_regions
from governance.tests.base import TerritoryTestCase


class SuperuserScopeTests(TerritoryTestCase):
    def test_a_superuser_without_a_role_reaches_no_territory(self):
        root = User.objects.create_superuser("root", password="password", name="超级管理员")
        self.assertFalse(scoped(Region.objects.all(), root, Cap.VIEW).exists())
        self.assertFalse(can(root, Cap.REVEAL_PII, self.grid_a.code))
        self.assertEqual((region_codes(root, Cap.VIEW_REGISTER), top_regions(root)), ((), []))

    def test_a_superusers_role_gives_what_it_gives_anyone(self):
        root = User.objects.create_superuser("root", password="password", name="超级管理员")
        root.role_assignments.create(role=Role.STREET_OFFICER, region=self.batiandi)
        self.assertEqual(region_codes(root, Cap.VIEW), (self.batiandi.code,))
        self.assertFalse(can(root, Cap.VIEW, self.xishi.code))

    def test_a_superuser_exports_no_register(self):
        root = User.objects.create_superuser("root", password="password", name="超级管理员")
        self.client.force_login(root)
        self.assertEqual(self.client.get("/registers/residents/export.csv").status_code, 403)

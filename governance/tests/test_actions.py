from django.core.exceptions import PermissionDenied, ValidationError

from governance.actions import do_create_region, do_grant_role, do_revoke_role
from governance.models import AuditEvent, Region, RoleAssignment
from governance.roles import Role
from governance.tests.base import TerritoryTestCase


class GrantRoleTestCase(TerritoryTestCase):
    def test_an_admin_grants_a_role_in_their_district_and_it_is_audited(self):
        assignment = do_grant_role(actor=self.frank, user=self.bob, role=Role.GRID_WORKER, region=self.grid_b)
        event = AuditEvent.objects.get(action="role.grant")
        self.assertEqual(event.actor, self.frank)
        self.assertEqual(event.target_id, str(assignment.pk))
        self.assertEqual(event.region_code, "210803001001001")

    def test_an_admin_cannot_grant_a_role_in_the_other_district(self):
        with self.assertRaises(PermissionDenied):
            do_grant_role(actor=self.frank, user=self.bob, role=Role.GRID_WORKER, region=self.grid_a)
        self.assertFalse(AuditEvent.objects.exists())

    def test_a_street_officer_cannot_grant_roles(self):
        with self.assertRaises(PermissionDenied):
            do_grant_role(actor=self.alice, user=self.carol, role=Role.GRID_WORKER, region=self.grid_a2)

    def test_a_role_must_be_held_on_its_level(self):
        with self.assertRaises(ValidationError) as cm:
            do_grant_role(actor=None, user=self.bob, role=Role.GRID_WORKER, region=self.wutaizi)
        self.assertIn("网格员只能在网格一级任职", str(cm.exception))

    def test_a_department_handler_needs_a_department(self):
        with self.assertRaises(ValidationError):
            do_grant_role(actor=None, user=self.bob, role=Role.DEPT_HANDLER, region=self.batiandi)
        do_grant_role(
            actor=None, user=self.bob, role=Role.DEPT_HANDLER, region=self.batiandi, department=self.police_a
        )

    def test_revoking_a_role_is_audited(self):
        assignment = RoleAssignment.objects.get(user=self.carol)
        do_revoke_role(actor=None, assignment=assignment)
        self.assertFalse(RoleAssignment.objects.filter(user=self.carol).exists())
        self.assertEqual(AuditEvent.objects.get().action, "role.revoke")


class CreateRegionTestCase(TerritoryTestCase):
    def test_an_admin_adds_a_grid_with_a_boundary(self):
        boundary = {"type": "Polygon", "coordinates": [[[122.2, 40.6], [122.3, 40.6], [122.3, 40.7], [122.2, 40.6]]]}
        grid = do_create_region(actor=self.frank, code="210803001001002", name="渔市社区第2网格",
                                parent=self.yushi, boundary=boundary, centre=(40.65, 122.25))
        self.assertEqual(grid.level, 5)
        self.assertEqual(grid.grid_type, "comprehensive")
        self.assertEqual(AuditEvent.objects.get().action, "region.create")

    def test_a_code_that_does_not_extend_the_parent_is_rejected_in_chinese(self):
        with self.assertRaises(ValidationError) as cm:
            do_create_region(actor=None, code="210803002001002", name="x", parent=self.yushi)
        self.assertIn("应以上级编码", str(cm.exception))
        self.assertFalse(Region.objects.filter(code="210803002001002").exists())

    def test_a_bad_boundary_is_rejected(self):
        with self.assertRaises(ValidationError):
            do_create_region(actor=None, code="210803001001002", name="x", parent=self.yushi,
                             boundary={"type": "Point", "coordinates": [1, 2]})

    def test_an_admin_cannot_add_regions_in_the_other_district(self):
        with self.assertRaises(PermissionDenied):
            do_create_region(actor=self.frank, code="210802001001009", name="x", parent=self.wudamen)

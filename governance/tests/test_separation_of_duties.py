"""三员分立 (GB/T 22239-2019 8.1.4.2, 8.1.5): the system administrator (users, roles, configuration,
roster import), the security administrator (security policy, lockouts, tokens, grants) and the audit
administrator (the audit trail, nothing else): none holds another's capability, none can grant
itself or anyone an administrator's role, one account holds at most one of them."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from governance.actions import do_create_user, do_grant_capability, do_grant_role, do_revoke_capability, do_revoke_role
from governance.models import AuditEvent, RoleAssignment, User
from governance.roles import ADMIN_ROLES, ROLE_CAPABILITIES, SEPARATED_CAPABILITIES, Cap, Role
from governance.scope import can
from governance.tests.base import TerritoryTestCase, make_user


class RoleTableTests(TerritoryTestCase):
    def test_no_role_holds_two_administrators_duties(self):
        for role, caps in ROLE_CAPABILITIES.items():
            duties = [duty for duty in SEPARATED_CAPABILITIES if caps & duty]
            self.assertLessEqual(len(duties), 1, role)

    def test_the_audit_administrator_reads_the_audit_trail_and_nothing_else(self):
        self.assertEqual(ROLE_CAPABILITIES[Role.AUDIT_ADMIN], {Cap.READ_AUDIT})
        self.assertEqual([r for r, caps in ROLE_CAPABILITIES.items() if Cap.READ_AUDIT in caps], [Role.AUDIT_ADMIN])

    def test_only_the_security_administrator_manages_security(self):
        self.assertEqual([r for r, caps in ROLE_CAPABILITIES.items() if Cap.MANAGE_SECURITY in caps],
                         [Role.SECURITY_ADMIN])

    def test_the_system_administrator_manages_users_and_configuration_but_no_case_work_reveal_or_sensitive_tags(self):
        caps = ROLE_CAPABILITIES[Role.ADMIN]
        self.assertTrue({Cap.MANAGE_USERS, Cap.IMPORT_ROSTER, Cap.CONFIGURE} <= caps)
        for cap in (Cap.READ_AUDIT, Cap.MANAGE_SECURITY, Cap.REVEAL_PII, Cap.VIEW_SENSITIVE_TAGS, Cap.ACCEPT_CASE,
                    Cap.ASSIGN_CASE, Cap.VERIFY_CASE, Cap.SUPERVISE_CASE, Cap.MEDIATE, Cap.FILE_CASE):
            self.assertNotIn(cap, caps, cap)

    def test_the_existing_admin_value_is_the_system_administrator(self):
        self.assertEqual(Role.ADMIN.value, "admin")
        self.assertTrue(can(self.frank, Cap.MANAGE_USERS, self.xishi.code))
        self.assertFalse(can(self.frank, Cap.READ_AUDIT, self.xishi.code))
        self.assertFalse(can(self.frank, Cap.MANAGE_SECURITY, self.xishi.code))


class GrantingTests(TerritoryTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sam = make_user("sam", "安全员", Role.SECURITY_ADMIN, cls.city)
        cls.alma = make_user("alma", "审计员", Role.AUDIT_ADMIN, cls.city)

    def test_a_system_administrator_grants_a_business_role_in_their_territory(self):
        assignment = do_grant_role(actor=self.frank, user=self.nobody, role=Role.STREET_OFFICER, region=self.wutaizi)
        self.assertEqual(assignment.role, Role.STREET_OFFICER)
        self.assertTrue(AuditEvent.objects.filter(action="role.grant", actor=self.frank).exists())

    def test_a_system_administrator_cannot_make_anyone_a_security_or_audit_administrator(self):
        for role in ADMIN_ROLES:
            with self.subTest(role=role), self.assertRaises(PermissionDenied):
                do_grant_role(actor=self.frank, user=self.nobody, role=role, region=self.xishi)
        self.assertFalse(RoleAssignment.objects.filter(user=self.nobody).exists())

    def test_a_system_administrator_cannot_grant_themself_another_role(self):
        with self.assertRaises(PermissionDenied):
            do_grant_role(actor=self.frank, user=self.frank, role=Role.AUDIT_ADMIN, region=self.xishi)
        with self.assertRaises(PermissionDenied):
            do_grant_role(actor=self.frank, user=self.frank, role=Role.STREET_OFFICER, region=self.wutaizi)

    def test_no_one_changes_the_roles_of_an_administrators_account(self):
        other_admin = make_user("zed", "另一位系统管理员", Role.ADMIN, self.wutaizi)
        with self.assertRaises(PermissionDenied):
            do_grant_role(actor=self.frank, user=other_admin, role=Role.STREET_OFFICER, region=self.wutaizi)
        with self.assertRaises(PermissionDenied):
            do_revoke_role(actor=self.frank, assignment=other_admin.role_assignments.get())

    def test_the_security_and_audit_administrators_grant_no_role_and_create_no_user(self):
        for actor in (self.sam, self.alma):
            with self.subTest(actor=actor.username):
                with self.assertRaises(PermissionDenied):
                    do_grant_role(actor=actor, user=self.nobody, role=Role.GRID_WORKER, region=self.grid_b)
                with self.assertRaises(PermissionDenied):
                    do_create_user(actor=actor, username="new", name="新用户", password="x" * 12)

    def test_one_account_holds_at_most_one_administrators_role_even_at_installation(self):
        with self.assertRaises(ValidationError):
            do_grant_role(actor=None, user=self.sam, role=Role.AUDIT_ADMIN, region=self.city)
        with self.assertRaises(ValidationError):
            do_grant_role(actor=None, user=self.frank, role=Role.SECURITY_ADMIN, region=self.city)

    def test_an_audit_administrator_holds_no_other_role(self):
        with self.assertRaises(ValidationError):
            do_grant_role(actor=None, user=self.alma, role=Role.CITY_LEADER, region=self.city)
        with self.assertRaises(ValidationError):
            do_grant_role(actor=None, user=self.erin, role=Role.AUDIT_ADMIN, region=self.city)

    def test_the_installation_grants_an_administrators_role(self):
        assignment = do_grant_role(actor=None, user=self.nobody, role=Role.AUDIT_ADMIN, region=self.city)
        self.assertEqual(assignment.role, Role.AUDIT_ADMIN)

    def test_the_admin_site_refuses_a_second_administrators_role_on_one_account(self):
        root = User.objects.create_superuser("root", password="password", name="超级管理员")
        self.client.force_login(root)
        url = reverse("admin:governance_roleassignment_add")
        response = self.client.post(url, {"user": self.sam.pk, "role": Role.AUDIT_ADMIN, "region": self.city.code})
        self.assertEqual(response.status_code, 200)  # the form again, with the error
        self.assertContains(response, "三员分立")
        self.assertFalse(RoleAssignment.objects.filter(user=self.sam, role=Role.AUDIT_ADMIN).exists())
        response = self.client.post(url, {"user": self.nobody.pk, "role": Role.AUDIT_ADMIN, "region": self.city.code})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(AuditEvent.objects.filter(action="admin.add", actor=root,
                                                  target_type="governance.roleassignment").exists())


class TerritorialGrantTests(TerritoryTestCase):
    """The security administrator's grants (scope_<capability> on a node), audited."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sam = make_user("sam", "安全员", Role.SECURITY_ADMIN, cls.city)

    def test_the_security_administrator_grants_and_revokes_a_business_capability(self):
        do_grant_capability(actor=self.sam, user=self.carol, cap=Cap.VIEW_SENSITIVE_TAGS, region=self.grid_a)
        self.assertTrue(can(self.carol, Cap.VIEW_SENSITIVE_TAGS, self.grid_a.code))
        do_revoke_capability(actor=self.sam, user=self.carol, cap=Cap.VIEW_SENSITIVE_TAGS, region=self.grid_a)
        self.assertFalse(can(User.objects.get(pk=self.carol.pk), Cap.VIEW_SENSITIVE_TAGS, self.grid_a.code))
        self.assertEqual(list(AuditEvent.objects.filter(actor=self.sam).order_by("id").values_list("action", flat=True)),
                         ["grant.add", "grant.remove"])

    def test_no_grant_carries_an_administrators_capability_or_goes_to_oneself_or_an_administrator(self):
        for cap in (Cap.READ_AUDIT, Cap.MANAGE_SECURITY, Cap.MANAGE_USERS, Cap.CONFIGURE, Cap.IMPORT_ROSTER):
            with self.subTest(cap=cap), self.assertRaises(PermissionDenied):
                do_grant_capability(actor=self.sam, user=self.carol, cap=cap, region=self.grid_a)
        with self.assertRaises(PermissionDenied):
            do_grant_capability(actor=self.sam, user=self.sam, cap=Cap.REVEAL_PII, region=self.city)
        with self.assertRaises(PermissionDenied):
            do_grant_capability(actor=self.sam, user=self.frank, cap=Cap.REVEAL_PII, region=self.xishi)

    def test_the_system_administrator_grants_no_capability(self):
        with self.assertRaises(PermissionDenied):
            do_grant_capability(actor=self.frank, user=self.nobody, cap=Cap.VIEW, region=self.xishi)

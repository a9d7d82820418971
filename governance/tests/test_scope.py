from django.contrib.auth.models import AnonymousUser, Group
from django.http import Http404
from guardian.shortcuts import assign_perm

from governance.models import AuditEvent, Region, RoleAssignment, User
from governance.roles import Cap, Role
from governance.scope import can, get_in_scope_or_404, region_codes, scoped
from governance.tests.base import TerritoryTestCase


def codes(qs) -> set[str]:
    return set(qs.values_list("code", flat=True))


class ScopeTestCase(TerritoryTestCase):
    def fresh(self, user: User) -> User:
        # A new instance per "request", as the scope cache lives on the user object.
        return User.objects.get(pk=user.pk)

    def test_a_street_officer_sees_their_street_and_everything_below(self):
        seen = codes(scoped(Region.objects.all(), self.alice))
        self.assertEqual(seen, {"210802001", "210802001001", "210802001001001", "210802001001002"})

    def test_a_street_officer_sees_nothing_of_the_other_district(self):
        self.assertFalse(scoped(Region.objects.filter(code__startswith="210803"), self.alice).exists())
        self.assertFalse(scoped(Region.objects.filter(code__startswith="210802"), self.bob).exists())

    def test_a_street_officer_does_not_see_the_nodes_above(self):
        self.assertFalse(scoped(Region.objects.filter(code__in=["2108", "210802"]), self.alice).exists())

    def test_a_grid_worker_sees_only_their_grid(self):
        self.assertEqual(codes(scoped(Region.objects.all(), self.carol)), {"210802001001001"})

    def test_a_city_leader_sees_both_districts(self):
        self.assertEqual(scoped(Region.objects.all(), self.erin).count(), Region.objects.count())

    def test_a_user_without_roles_sees_nothing(self):
        self.assertFalse(scoped(Region.objects.all(), self.nobody).exists())

    def test_an_anonymous_user_sees_nothing(self):
        self.assertFalse(scoped(Region.objects.all(), AnonymousUser()).exists())

    def test_an_inactive_user_sees_nothing(self):
        User.objects.filter(pk=self.alice.pk).update(is_active=False)
        self.assertFalse(scoped(Region.objects.all(), self.fresh(self.alice)).exists())

    def test_roles_on_two_nodes_add_up(self):
        RoleAssignment.objects.create(user=self.carol, role=Role.GRID_WORKER, region=self.grid_c)
        carol = self.fresh(self.carol)
        self.assertEqual(codes(scoped(Region.objects.all(), carol)), {"210802001001001", "210802002001001"})

    def test_capabilities_follow_the_role(self):
        # A city leader reads registers but may not reveal personal data; a street officer may.
        self.assertFalse(can(self.erin, Cap.REVEAL_PII, "210802001001001"))
        self.assertTrue(can(self.alice, Cap.REVEAL_PII, "210802001001001"))
        self.assertFalse(can(self.alice, Cap.REVEAL_PII, "210802002001001"))
        self.assertEqual(region_codes(self.frank, Cap.IMPORT_ROSTER), ("210803",))
        self.assertEqual(region_codes(self.alice, Cap.IMPORT_ROSTER), ())

    def test_a_grant_on_a_node_reaches_its_descendants_and_nothing_else(self):
        assign_perm("governance.scope_view", self.bob, self.wudamen)
        bob = self.fresh(self.bob)
        seen = codes(scoped(Region.objects.filter(code__startswith="210802"), bob))
        self.assertEqual(seen, {"210802001001", "210802001001001", "210802001001002"})
        self.assertTrue(can(bob, Cap.VIEW, "210802001001002"))
        self.assertFalse(can(bob, Cap.VIEW, "210802001"))
        self.assertFalse(can(bob, Cap.CHANGE_REGISTER, "210802001001001"))

    def test_a_grant_to_a_group_reaches_its_members(self):
        auditors = Group.objects.create(name="审计")
        self.nobody.groups.add(auditors)
        assign_perm("governance.scope_view", auditors, self.jianshe)
        self.assertEqual(
            codes(scoped(Region.objects.all(), self.fresh(self.nobody))),
            {"210802002", "210802002001", "210802002001001"},
        )

    def test_a_grant_on_a_single_object_reaches_only_that_object(self):
        event_a = AuditEvent.objects.create(action="x", target_type="t", target_id="1", region_code="210802001001001")
        event_b = AuditEvent.objects.create(action="x", target_type="t", target_id="2", region_code="210802001001002")
        assign_perm("governance.view_auditevent", self.bob, event_a)
        visible = set(scoped(AuditEvent.objects.all(), self.fresh(self.bob)).values_list("pk", flat=True))
        self.assertIn(event_a.pk, visible)
        self.assertNotIn(event_b.pk, visible)

    def test_lookups_outside_scope_are_not_found(self):
        with self.assertRaises(Http404):
            get_in_scope_or_404(Region.objects.all(), self.alice, code="210803001")
        self.assertEqual(get_in_scope_or_404(Region.objects.all(), self.alice, code="210802001001").name, "五大门社区")

    def test_the_scope_is_loaded_once_per_request(self):
        alice = self.fresh(self.alice)
        region_codes(alice)
        with self.assertNumQueries(0):
            region_codes(alice, Cap.VIEW)
            region_codes(alice, Cap.REVEAL_PII)
            can(alice, Cap.VIEW, "210802001")


class ScopedWithinTestCase(TerritoryTestCase):
    """scoped(…, within=code): the user's territory under one node, for a list read node by node. It
    only ever narrows the scope."""

    def fresh(self, user: User) -> User:
        return User.objects.get(pk=user.pk)

    def test_within_a_node_the_user_reaches_whole_it_is_that_node(self):
        within = codes(scoped(Region.objects.all(), self.dave, within=self.batiandi.code))
        self.assertEqual(within, {"210802001", "210802001001", "210802001001001", "210802001001002"})
        self.assertEqual(codes(scoped(Region.objects.all(), self.alice, within=self.batiandi.code)),
                         codes(scoped(Region.objects.all(), self.alice)))

    def test_within_a_node_above_the_user_it_is_only_the_users_part_of_it(self):
        self.assertEqual(codes(scoped(Region.objects.all(), self.alice, within=self.city.code)),
                         codes(scoped(Region.objects.all(), self.alice)))
        self.assertEqual(codes(scoped(Region.objects.all(), self.carol, within=self.wudamen.code)), {"210802001001001"})

    def test_within_a_node_outside_the_territory_it_is_nothing(self):
        self.assertFalse(scoped(Region.objects.all(), self.alice, within=self.xishi.code).exists())
        self.assertFalse(scoped(Region.objects.all(), self.alice, within=self.grid_c.code).exists())
        self.assertFalse(scoped(Region.objects.all(), self.nobody, within=self.city.code).exists())
        self.assertFalse(scoped(Region.objects.all(), AnonymousUser(), within=self.city.code).exists())

    def test_within_a_node_object_grants_are_left_out(self):
        event = AuditEvent.objects.create(action="x", target_type="t", target_id="1", region_code="210802001001001")
        assign_perm("governance.view_auditevent", self.bob, event)
        bob = self.fresh(self.bob)
        self.assertIn(event.pk, set(scoped(AuditEvent.objects.all(), bob).values_list("pk", flat=True)))
        self.assertFalse(scoped(AuditEvent.objects.all(), bob, within=self.city.code).filter(pk=event.pk).exists())
        self.assertFalse(scoped(AuditEvent.objects.all(), bob, within=self.batiandi.code).exists())

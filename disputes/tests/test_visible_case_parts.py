"""The case list reads its cases in parts (visible_case_parts: one per territory code, the cases granted
one by one, the cases dispatched to the user) whose union is exactly visible_cases, for every kind of
user and both for all cases and for the open ones."""

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disputes.models import Case
from disputes.selectors.cases import case_list, case_list_parts, visible_case_parts, visible_cases
from disputes.tests.parts_base import CasePartsTestCase
from governance.models import User


def pks(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


class VisibleCasePartsTestCase(CasePartsTestCase):
    def fresh(self, user: User) -> User:
        return User.objects.get(pk=user.pk)  # no scope cache carried over from another call

    def test_the_parts_together_are_exactly_the_visible_cases_for_every_kind_of_user(self):
        for who, user in self.people().items():
            for open_only in (False, True):
                with self.subTest(who=who, open_only=open_only):
                    visible = pks(visible_cases(self.fresh(user), open_only))
                    union = set().union(*(pks(p) for p in visible_case_parts(self.fresh(user), open_only)))
                    self.assertEqual(union, visible)

    def test_the_comparison_is_not_trivial_each_user_reaches_cases_their_own_way(self):
        everything = pks(Case.objects.all())
        self.assertEqual(pks(visible_cases(self.erin)), everything)
        self.assertEqual(pks(visible_cases(self.nobody)), set())
        # Carol's grid, and a case outside it dispatched to her; heidi's only by dispatch.
        carol = pks(visible_cases(self.carol))
        self.assertTrue(carol - pks(Case.objects.filter(grid=self.grid_a)))
        self.assertTrue(pks(visible_cases(self.heidi)))
        self.assertLess(pks(visible_cases(self.heidi, open_only=True)), pks(visible_cases(self.heidi)))
        # Olga's street, and the case of 八田地 granted to her.
        olga = pks(visible_cases(self.olga))
        self.assertTrue(olga - pks(Case.objects.filter(grid__code__startswith=self.wutaizi.code)))

    def test_a_user_reads_one_part_per_territory_code_then_the_grants_then_the_dispatched_cases(self):
        counts = {who: len(visible_case_parts(self.fresh(user))) for who, user in self.people().items()}
        self.assertEqual(counts, {
            "city leader": 2, "district centre": 2, "street officer": 2, "community staff": 2, "grid worker": 2,
            "grid worker of two grids": 3,
            "grid worker of five grids": 2,  # more codes than MAX_TERRITORY_PARTS: the territory in one part
            "department handler": 1, "object grant": 3, "no role": 1,
        })

    def test_a_street_and_a_community_are_read_by_the_expression_their_index_holds(self):
        with CaptureQueriesContext(connection) as ctx:
            for user in (self.alice, self.ivan, self.grace):
                for part in visible_case_parts(self.fresh(user)):
                    list(part[:1])
        sql = "\n".join(q["sql"] for q in ctx.captured_queries).upper()
        self.assertIn("SUBSTR" if connection.vendor == "sqlite" else "LEFT(", sql)
        self.assertIn(f"= '{self.grid_a2.code}'", sql)

    def test_a_territory_part_is_the_scope_within_its_node_and_one_condition_on_it(self):
        street = visible_case_parts(self.fresh(self.alice))[0]
        self.assertEqual(pks(street), pks(Case.objects.filter(grid__code__startswith=self.batiandi.code)))
        # Not the scope's prefix AND the slice: PostgreSQL would take them for independent conditions.
        where = str(street.query).split("WHERE", 1)[1]
        self.assertNotIn("LIKE", where.upper())
        self.assertEqual(where.count(self.batiandi.code), 1)

    def test_an_anonymous_user_has_one_empty_part(self):
        parts = visible_case_parts(AnonymousUser())
        self.assertEqual([pks(p) for p in parts], [set()])

    def test_the_case_list_filters_every_part_as_it_filters_the_whole(self):
        for params in ({"category": str(self.clutter.pk), "q": "楼道"}, {"status": "closed", "grid": "210802"},
                       {"status": "open", "category": str(self.clutter.pk)}):
            for who, user in self.people().items():
                with self.subTest(who=who, params=params):
                    qs, _cleaned, errors = case_list(self.fresh(user), params)
                    self.assertEqual(errors, [])
                    union = set().union(*(pks(p) for p in case_list_parts(self.fresh(user), params)))
                    self.assertEqual(union, pks(qs))

    def test_a_list_of_open_cases_is_read_whole_by_the_open_cases_index(self):
        for params in ({"status": "open"}, {"status": "reported"}, {"overdue": "1"}, {"supervision": "any"}):
            with self.subTest(params=params):
                self.assertEqual(len(case_list_parts(self.fresh(self.grace), params)), 1)
        self.assertEqual(len(case_list_parts(self.fresh(self.grace), {"status": "closed"})), 3)

"""/audit/: the audit trail, searchable, for the audit administrator only (anyone else: 403, as the
system page); a district's audit administrator reads that district's rows, a city's also the rows
of no region (accounts, sign-ins, the system)."""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from governance.actions import record_audit
from governance.models import Outcome, User
from governance.roles import Role
from governance.tests.base import TerritoryTestCase, make_user

URL = reverse("audit-list")


class AuditListTests(TerritoryTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.alma = make_user("alma", "审计员", Role.AUDIT_ADMIN, cls.city)
        cls.dora = make_user("dora", "区审计员", Role.AUDIT_ADMIN, cls.xishi)
        cls.sam = make_user("sam", "安全员", Role.SECURITY_ADMIN, cls.city)
        record_audit(actor=cls.alice, action="resident.update", target=cls.grid_a, region_code=cls.grid_a.code)
        record_audit(actor=cls.bob, action="resident.lookup", target=cls.bob, region_code=cls.wutaizi.code)
        record_audit(actor=None, action="auth.failed", target_type="username", target_id="mallory",
                     outcome=Outcome.FAILED)

    def setUp(self):
        ContentType.objects.get_for_models(User)

    def actions(self, response) -> list[str]:
        return [e.action for e in response.context["page"].rows if not e.action.startswith("auth.sign")]

    def test_the_audit_administrator_reads_every_row_newest_first(self):
        self.client.force_login(self.alma)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.actions(response), ["auth.failed", "resident.lookup", "resident.update"])

    def test_a_districts_audit_administrator_reads_only_that_districts_rows(self):
        self.client.force_login(self.dora)
        self.assertEqual(self.actions(self.client.get(URL)), ["resident.lookup"])

    def test_everyone_else_is_refused_the_system_and_security_administrators_and_the_superuser_too(self):
        root = User.objects.create_superuser("root", password="password", name="超级管理员")
        for user in (self.frank, self.sam, self.alice, self.erin, self.carol, root):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(URL).status_code, 403)
                self.assertEqual(self.client.get(reverse("audit-export")).status_code, 403)

    def test_it_searches_by_actor_action_outcome_region_address_and_time(self):
        self.client.force_login(self.alma)
        self.assertEqual(self.actions(self.client.get(URL, {"actor": "alice"})), ["resident.update"])
        self.assertEqual(self.actions(self.client.get(URL, {"action": "resident."})), ["resident.lookup", "resident.update"])
        self.assertEqual(self.actions(self.client.get(URL, {"outcome": "failed"})), ["auth.failed"])
        self.assertEqual(self.actions(self.client.get(URL, {"region": "210803"})), ["resident.lookup"])
        self.assertEqual(self.actions(self.client.get(URL, {"target": "username:mallory"})), ["auth.failed"])
        self.assertEqual(self.actions(self.client.get(URL, {"address": "10.9.9.9"})), [])
        self.assertEqual(self.actions(self.client.get(URL, {"start": "2000-01-01", "end": "2000-01-02"})), [])

    def test_bad_filters_are_a_400_with_a_chinese_message(self):
        self.client.force_login(self.alma)
        for params in ({"start": "yesterday"}, {"address": "not-an-ip"}, {"outcome": "x"}, {"region": "abc"},
                       {"after": "garbage"}):
            with self.subTest(params=params):
                self.assertEqual(self.client.get(URL, params).status_code, 400)

    def test_the_query_count_does_not_depend_on_the_rows(self):
        self.client.force_login(self.alma)
        self.client.get(URL)
        for i in range(20):
            record_audit(actor=self.alice, action="x.y", target=self.city, region_code="2108", detail={"i": i})
        with self.assertNumQueries(7):  # session, user, roles, two grant queries, the page of rows (actor joined), the notices badge
            self.client.get(URL)

    def test_its_link_is_in_the_audit_administrators_navigation_only(self):
        self.client.force_login(self.alma)
        self.assertContains(self.client.get(URL), f'href="{URL}"')
        self.client.force_login(self.frank)
        self.assertNotContains(self.client.get(reverse("system-status")), f'href="{URL}"', status_code=403)

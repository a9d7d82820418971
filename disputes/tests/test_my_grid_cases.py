"""The case sections disputes adds to a grid worker's "my grid" (disputes.my_grid on grids.sections):
filing in one tap, their open cases soonest deadline first with the overdue marked, and the cases
filed in the last 30 days in and around their grids — never a case outside their scope."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from disputes.models import Case, Status
from disputes.tests.base import CaseTestCase
from governance.models import Region, RoleAssignment
from governance.roles import Role
from governance.tests.base import make_user

URL = "/grids/mine/"


def section(body: str, testid: str) -> str:
    """One section of the page: up to the next one (or the end of the page's content)."""
    start = body.index(f'data-testid="{testid}"')
    following = [i for i in (body.find('class="mygrid-section"', start), body.find("</main>", start)) if i != -1]
    return body[start:min(following)]


class MyGridCasesTestCase(CaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        Region.objects.filter(code=cls.grid_a.code).update(centre_lat=Decimal("40.640000"), centre_lng=Decimal("122.200000"))
        Region.objects.filter(code=cls.grid_a2.code).update(centre_lat=Decimal("40.640000"), centre_lng=Decimal("122.203000"))
        now = timezone.now()
        cls.soon = cls._file(title="楼道堆物两小时", deadline=now + timedelta(hours=2))
        cls.later = cls._file(title="楼道堆物三天", deadline=now + timedelta(days=3))
        cls.late = cls._file(title="楼道堆物过了时限", deadline=now - timedelta(hours=1))
        cls.undated = cls._file(title="四十天前的事件", deadline=None, created_at=now - timedelta(days=40))
        cls.closed = cls._file(title="已结案的事件", status=Status.CLOSED, deadline=None)
        # Out of carol's scope, though filed right beside her grid: gina's grid 002, 花园社区 (another street).
        cls.beside = cls._file(actor=cls.gina, grid=cls.grid_a2, title="隔壁网格的事件",
                               lat=Decimal("40.640100"), lng=Decimal("122.200100"))
        far = make_user("fay", "菲", Role.GRID_WORKER, cls.grid_c)
        cls.elsewhere = cls._file(actor=far, grid=cls.grid_c, title="别的街道的事件",
                                  lat=Decimal("40.640200"), lng=Decimal("122.200200"))

    @classmethod
    def _file(cls, actor=None, grid=None, deadline="keep", status=None, created_at=None, **kw) -> Case:
        case = CaseTestCase.file(cls, actor=actor, grid=grid, **kw)
        changes = {}
        if deadline != "keep":
            changes["deadline"] = deadline
        if status:
            changes["status"] = status
        if created_at:
            changes["created_at"] = created_at
        if changes:
            Case.objects.filter(pk=case.pk).update(**changes)
        return case

    def setUp(self) -> None:
        ContentType.objects.get_for_models(Case, Region)
        self.client.force_login(self.carol)

    def test_filing_is_one_tap_away(self):
        r = self.client.get(URL)
        self.assertContains(r, '<a class="button primary bigbutton" href="/cases/new/" data-testid="my-file-case">')

    def test_her_open_cases_come_soonest_deadline_first_with_the_overdue_marked(self):
        body = self.client.get(URL).content.decode()
        open_cases = section(body, "my-open-cases")
        self.assertIn('<span class="muted" data-testid="open-total">4 件</span>', open_cases)
        self.assertIn('data-testid="open-overdue">超期 1 件</span>', open_cases)
        order = [open_cases.index(f'href="/cases/{c.pk}/"') for c in (self.late, self.soon, self.later, self.undated)]
        self.assertEqual(order, sorted(order))
        self.assertEqual(open_cases.count('data-testid="case-row"'), 4)
        self.assertEqual(open_cases.count("已超期"), 1)
        self.assertNotIn("已结案的事件", open_cases)

    def test_cases_outside_her_scope_are_absent_everywhere(self):
        r = self.client.get(URL)
        for case in (self.beside, self.elsewhere):
            self.assertNotContains(r, case.title)
            self.assertNotContains(r, f'href="/cases/{case.pk}/"')

    def test_recent_cases_nearby_are_those_of_the_last_30_days_newest_first(self):
        nearby = section(self.client.get(URL).content.decode(), "my-nearby")
        self.assertEqual(nearby.count('data-testid="nearby-case"'), 4)
        for case in (self.soon, self.later, self.late, self.closed):
            self.assertIn(f'href="/cases/{case.pk}/"', nearby)
        self.assertNotIn("四十天前的事件", nearby)
        self.assertLess(nearby.index(f'href="/cases/{self.closed.pk}/"'), nearby.index(f'href="/cases/{self.soon.pk}/"'))
        self.assertNotIn("周边", nearby)  # all in her own grid

    def test_a_case_located_beside_her_grid_shows_when_her_scope_reaches_it(self):
        # ivan (community staff of 五大门) also works grid 002: the case in grid 001 filed 100 m from
        # grid 002's centre is nearby, marked 周边; one in grid 001 without a location is not.
        RoleAssignment.objects.create(user=self.ivan, role=Role.GRID_WORKER, region=self.grid_a2)
        near = self._file(title="网格交界处的事件", lat=Decimal("40.640000"), lng=Decimal("122.201900"))
        far = self._file(title="一公里外的事件", lat=Decimal("40.650000"), lng=Decimal("122.203000"))
        self.client.force_login(self.ivan)
        nearby = section(self.client.get(URL).content.decode(), "my-nearby")
        self.assertIn(f'href="/cases/{near.pk}/"', nearby)
        self.assertIn(f'href="/cases/{self.beside.pk}/"', nearby)
        self.assertNotIn(f'href="/cases/{far.pk}/"', nearby)
        self.assertNotIn(f'href="/cases/{self.soon.pk}/"', nearby)  # grid 001, no location
        self.assertNotIn("别的街道的事件", nearby)
        self.assertEqual(nearby.count("周边"), 1)

    def test_only_the_first_ten_open_cases_are_listed_with_a_link_to_the_rest(self):
        for i in range(8):
            self.file(title=f"更多事件{i}")
        open_cases = section(self.client.get(URL).content.decode(), "my-open-cases")
        self.assertIn('data-testid="open-total">12 件</span>', open_cases)
        self.assertEqual(open_cases.count('data-testid="case-row"'), 10)
        self.assertIn(f'href="/cases/?status=open&amp;grid={self.grid_a.code}"', open_cases)

    def test_the_map_shows_all_her_grids_centred_on_them(self):
        r = self.client.get(URL)
        nearby = section(r.content.decode(), "my-nearby")
        self.assertIn('data-testid="territory-map"', nearby)
        # The feeds of every grid she covers (portal/tests/test_my_map_grids.py), not of one grid's.
        self.assertIn('data-grids-url="/grids/mine/map/grids.geojson"', nearby)
        self.assertIn('data-cases-url="/grids/mine/map/cases.geojson"', nearby)
        self.assertIn('href="/grids/mine/map/"', nearby)
        self.assertIn('data-near="40.640000,122.200000"', nearby)
        self.assertContains(r, "/static/js/map.js")
        self.assertContains(r, "/static/vendor/leaflet/leaflet.css")

    def test_more_cases_cost_no_more_queries(self):
        self.client.get(URL)
        with self.assertNumQueries(QUERIES) as first:
            self.client.get(URL)
        for i in range(5):
            self.file(title=f"再来一件{i}", lat=Decimal("40.640000"), lng=Decimal("122.200000"))
        with self.assertNumQueries(len(first.captured_queries)):
            self.client.get(URL)


# As grids/tests/test_my_grids.py counts them, with no key persons; the cases' object grants are read once a
# request (governance.scope: 21 when the nearby section read them again).
QUERIES = 19

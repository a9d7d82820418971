"""/territory/grids/search/: the grid picker's type-ahead. Scoped by the capability the form asks
for; a grid outside the scope simply does not appear; junk is a 4xx, never a 500."""

from django.contrib.contenttypes.models import ContentType

from governance.models import Region
from governance.tests.base import TerritoryTestCase, make_region

URL = "/territory/grids/search/"


class GridSearchTestCase(TerritoryTestCase):
    def setUp(self) -> None:
        ContentType.objects.get_for_model(Region)  # warm the cache: stable query counts

    def codes(self, user, **params) -> list[str]:
        self.client.force_login(user)
        r = self.client.get(URL, params)
        self.assertEqual(r.status_code, 200)
        return [g["code"] for g in r.json()["results"]]

    def test_it_requires_sign_in(self):
        self.assertRedirects(self.client.get(URL), f"/login/?next={URL}")

    def test_a_street_officer_finds_her_streets_grids_with_name_and_path(self):
        self.client.force_login(self.alice)
        r = self.client.get(URL, {"q": "第2"})
        self.assertEqual(r.json()["results"], [{
            "code": "210802001001002", "name": "五大门社区第2网格", "path": "八田地街道 › 五大门社区",
            "label": "五大门社区第2网格（210802001001002）",
        }])
        self.assertEqual(r["Cache-Control"], "private, no-store")

    def test_an_empty_query_lists_the_first_grids_in_scope_only(self):
        self.assertEqual(self.codes(self.alice), [self.grid_a.code, self.grid_a2.code])
        self.assertEqual(self.codes(self.dave), [self.grid_a.code, self.grid_a2.code, self.grid_c.code])

    def test_it_matches_a_code_prefix(self):
        self.assertEqual(self.codes(self.dave, q="210802002"), [self.grid_c.code])
        self.assertEqual(self.codes(self.erin, q="210803"), [self.grid_b.code])

    def test_it_matches_the_communitys_name_too(self):
        make_region("210802001001003", "三号楼院网格", self.wudamen)
        self.assertEqual(self.codes(self.alice, q="五大门"), [self.grid_a.code, self.grid_a2.code, "210802001001003"])

    def test_alice_cannot_find_bobs_grids_by_name_or_code(self):
        self.assertEqual(self.codes(self.alice, q="渔市"), [])
        self.assertEqual(self.codes(self.alice, q=self.grid_b.code), [])
        self.assertEqual(self.codes(self.alice, q="2108030"), [])
        self.assertEqual(self.codes(self.bob, q="五大门"), [])
        self.assertEqual(self.codes(self.bob, q="渔市"), [self.grid_b.code])

    def test_a_user_without_a_role_finds_nothing(self):
        self.assertEqual(self.codes(self.nobody), [])
        self.assertEqual(self.codes(self.nobody, q="2108"), [])

    def test_the_capability_narrows_the_scope(self):
        # erin (city leader) sees every grid but may change no register and file no case.
        self.assertEqual(len(self.codes(self.erin, cap="view")), 4)
        self.assertEqual(self.codes(self.erin, cap="change_register"), [])
        self.assertEqual(self.codes(self.erin, cap="file_case"), [])
        # dave (district centre) reads the registers of his district but may not change them.
        self.assertEqual(len(self.codes(self.dave, cap="view_register")), 3)
        self.assertEqual(self.codes(self.dave, cap="change_register"), [])
        self.assertEqual(self.codes(self.carol, cap="file_case"), [self.grid_a.code])

    def test_an_unknown_capability_is_a_400(self):
        self.client.force_login(self.alice)
        for cap in ("manage_users", "import_roster", "zz", ""):
            r = self.client.get(URL, {"cap": cap})
            self.assertEqual(r.status_code, 400, cap)
            self.assertEqual(r.json(), {"error": "参数无效。"})

    def test_junk_queries_are_a_400_or_empty_never_a_500(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(URL, {"q": "\x00"}).status_code, 400)
        self.assertEqual(self.client.get(URL, {"q": "x" * 65}).status_code, 400)
        self.assertEqual(self.client.get(URL, {"q": "a\nb"}).status_code, 400)
        self.assertEqual(self.client.get(URL, {"q": "x" * 65}).json(), {"error": "查找内容无效。"})
        for q in ("%", "_", "'; drop table x; --", "五大门%", "１２３", "<script>"):
            self.assertEqual(self.codes(self.alice, q=q), [], q)

    def test_it_returns_at_most_twenty_grids(self):
        community = make_region("210802001002", "大社区", self.batiandi)
        for n in range(1, 31):
            make_region(f"210802001002{n:03d}", f"大社区第{n}网格", community)
        codes = self.codes(self.alice, q="大社区")
        self.assertEqual(len(codes), 20)
        self.assertEqual(codes[0], "210802001002001")

    def test_it_is_read_only(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.post(URL, {"q": "五"}).status_code, 405)

    def test_the_query_count_does_not_grow_with_the_number_of_grids(self):
        self.client.force_login(self.alice)
        # session, user, role assignments, two guardian grant look-ups, the grids (with their parents)
        with self.assertNumQueries(6):
            self.client.get(URL, {"q": "五大门"})
        community = make_region("210802001002", "大社区", self.batiandi)
        for n in range(1, 31):
            make_region(f"210802001002{n:03d}", f"大社区第{n}网格", community)
        with self.assertNumQueries(6):
            self.client.get(URL, {"q": "社区"})

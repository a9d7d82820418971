"""The main navigation (governance.navigation): links by capability, the desktop bar's menus, and
the phone's bottom tabs chosen by role, 更多 holding every other link."""

import re

from governance.models import RoleAssignment
from governance.navigation import navigation
from governance.roles import Role
from governance.tests.base import TerritoryTestCase, make_user


def tabs_of(body: str) -> list[str]:
    """The hrefs of the phone's tabs, in order."""
    bar = body[body.index('data-testid="tabbar"'):]
    bar = bar[:bar.index('data-testid="tab-more"')] if 'data-testid="tab-more"' in bar else bar[:bar.index("</nav>")]
    return re.findall(r'<a class="tab" href="([^"]+)"', bar)


def more_of(body: str) -> list[str]:
    sheet = body[body.index('data-testid="more-sheet"'):]
    return re.findall(r'<a href="([^"]+)"', sheet[:sheet.index("</details>")])


def desktop_of(body: str) -> str:
    nav = body[body.index('data-testid="mainnav"'):]
    return nav[:nav.index("</nav>")]


class NavigationTestCase(TerritoryTestCase):
    def test_a_street_officer_sees_the_register_links(self):
        self.client.force_login(self.alice)
        r = self.client.get("/territory/210802001/")
        self.assertContains(r, 'href="/registers/residents/"')

    def test_a_department_handler_does_not_see_the_registers(self):
        handler = make_user("henry", "亨利")
        RoleAssignment.objects.create(user=handler, role=Role.DEPT_HANDLER, region=self.batiandi,
                                      department=self.police_a)
        self.client.force_login(handler)
        r = self.client.get("/territory/210802001/")
        self.assertNotContains(r, 'href="/registers/residents/"')
        self.assertContains(r, 'href="/"')

    def test_only_the_most_specific_link_is_marked_current_in_each_bar(self):
        self.client.force_login(self.alice)
        body = self.client.get("/cases/todo/").content.decode()
        self.assertEqual(desktop_of(body).count('aria-current="page"'), 1)
        self.assertIn('<a href="/cases/todo/" aria-current="page">', desktop_of(body))
        self.assertIn('<a class="tab" href="/cases/todo/" data-tab="cases:todo" aria-current="page">', body)
        self.assertEqual(body.count('aria-current="page"'), 2)  # the desktop bar and the tab bar


class DesktopBarTestCase(TerritoryTestCase):
    def test_the_registers_and_the_administration_pages_are_folded_into_two_menus(self):
        # 三员分立: no one account holds every link. A street officer with the system administrator's role
        # on the same street holds the business links and the administration menu's system pages.
        from governance.models import RoleAssignment
        from governance.roles import Role

        RoleAssignment.objects.create(user=self.alice, role=Role.ADMIN, region=self.batiandi)
        self.client.force_login(self.alice)
        body = self.client.get("/cases/").content.decode()
        bar = desktop_of(body)
        top = re.findall(r'^\s*<a href="([^"]+)"', bar.split("<details", 1)[0].replace("</a><a", "</a>\n<a"), re.M)
        self.assertEqual(top, ["/", "/cases/todo/", "/cases/new/", "/cases/", "/cases/notices/", "/disputes/",
                               "/disputes/risks/", "/reports/"])
        registers = bar[bar.index('data-testid="navmenu-registers"'):bar.index('data-testid="navmenu-admin"')]
        for href in ("/registers/residents/", "/registers/houses/", "/registers/units/", "/registers/party/",
                     "/grids/visits/"):
            self.assertIn(f'href="{href}"', registers)
        admin = bar[bar.index('data-testid="navmenu-admin"'):]
        self.assertIn('href="/rosters/"', admin)
        self.assertIn('href="/cases/config/"', admin)
        # the security administrator's pages (the api app adds the tokens') are in the same menu, for them
        from governance.roles import Role as R
        from governance.tests.base import make_user

        self.client.force_login(make_user("sec", "安全管理员", R.SECURITY_ADMIN, self.city))
        admin = desktop_of(self.client.get("/security/lockouts/").content.decode())
        self.assertIn('href="/api/tokens/"', admin)
        self.assertIn('href="/security/lockouts/"', admin)

    def test_a_menu_holding_the_current_page_is_marked(self):
        self.client.force_login(self.alice)
        bar = desktop_of(self.client.get("/registers/houses/").content.decode())
        self.assertIn('<summary class="current">基础信息</summary>', bar)

    def test_a_department_handler_gets_no_register_menu(self):
        handler = make_user("henry", "亨利", Role.DEPT_HANDLER, self.batiandi, department=self.police_a)
        self.client.force_login(handler)
        body = self.client.get("/cases/todo/").content.decode()
        self.assertNotIn("navmenu-registers", body)
        self.assertNotIn("navmenu-admin", body)


class TabBarTestCase(TerritoryTestCase):
    def test_a_grid_worker_gets_my_grid_filing_todo_and_visits(self):
        self.client.force_login(self.carol)
        body = self.client.get("/grids/mine/").content.decode()
        self.assertEqual(tabs_of(body), ["/grids/mine/", "/cases/new/", "/cases/todo/", "/grids/visits/"])
        self.assertIn('<a class="tab" href="/grids/mine/" data-tab="grids:mine" aria-current="page">', body)
        more = more_of(body)
        self.assertIn("/cases/", more)
        self.assertIn("/cases/notices/", more)
        self.assertIn("/registers/residents/", more)
        self.assertNotIn("/", more)  # their home is 我的网格
        self.assertNotIn("/rosters/", more)

    def test_a_street_officer_gets_home_todo_cases_and_reports(self):
        self.client.force_login(self.alice)
        body = self.client.get("/cases/").content.decode()
        self.assertEqual(tabs_of(body), ["/", "/cases/todo/", "/cases/", "/reports/"])
        self.assertIn("/cases/new/", more_of(body))
        self.assertNotIn("/grids/mine/", body)  # not a grid worker

    def test_a_city_leader_gets_home_reports_cases_and_todo(self):
        self.client.force_login(self.erin)
        self.assertEqual(tabs_of(self.client.get("/cases/").content.decode()),
                         ["/", "/reports/", "/cases/", "/cases/todo/"])

    def test_a_department_handler_gets_todo_cases_notices_and_home(self):
        handler = make_user("henry", "亨利", Role.DEPT_HANDLER, self.batiandi, department=self.police_a)
        self.client.force_login(handler)
        body = self.client.get("/cases/todo/").content.decode()
        self.assertEqual(tabs_of(body), ["/cases/todo/", "/cases/", "/cases/notices/", "/"])
        self.assertNotIn("/reports/", body)

    def test_a_mediator_gets_the_mediation_desk_first(self):
        mediator = make_user("mia", "米娅", Role.MEDIATOR, self.batiandi)
        self.client.force_login(mediator)
        self.assertEqual(tabs_of(self.client.get("/disputes/").content.decode()),
                         ["/disputes/", "/cases/todo/", "/cases/new/", "/cases/"])

    def test_community_staff_and_the_party_secretary_get_their_own(self):
        staff = make_user("sam", "萨姆", Role.COMMUNITY_STAFF, self.wudamen)
        secretary = make_user("pat", "帕特", Role.PARTY_SECRETARY, self.wudamen)
        self.client.force_login(staff)
        self.assertEqual(tabs_of(self.client.get("/cases/").content.decode()),
                         ["/", "/cases/todo/", "/cases/new/", "/cases/"])
        self.client.force_login(secretary)
        self.assertEqual(tabs_of(self.client.get("/cases/").content.decode()),
                         ["/", "/cases/todo/", "/cases/new/", "/registers/party/"])

    def test_an_admin_gets_the_administration_pages(self):
        self.client.force_login(self.frank)
        self.assertEqual(tabs_of(self.client.get("/cases/").content.decode()),
                         ["/", "/cases/", "/rosters/", "/cases/config/"])

    def test_the_first_role_in_order_decides_for_someone_with_two(self):
        RoleAssignment.objects.create(user=self.carol, role=Role.COMMUNITY_STAFF, region=self.wudamen)
        self.client.force_login(self.carol)
        self.assertEqual(tabs_of(self.client.get("/cases/").content.decode()),
                         ["/", "/cases/todo/", "/cases/new/", "/cases/"])

    def test_every_visible_link_is_either_a_tab_or_under_more_once(self):
        for user in (self.alice, self.carol, self.dave, self.erin, self.frank):
            nav = navigation(user, "/")
            placed = [item.url for item in nav.tabs] + [item.url for group in nav.more for item in group.items]
            self.assertEqual(sorted(placed), sorted(item.url for item in nav.items), user.username)
            self.assertEqual(len(nav.tabs), 4, user.username)

    def test_someone_without_a_role_gets_no_navigation(self):
        self.client.force_login(self.nobody)
        body = self.client.get("/grids/mine/").content.decode()
        self.assertNotIn('data-testid="tabbar"', body)
        self.assertNotIn('data-testid="mainnav"', body)
        self.assertNotIn('class="has-tabbar"', body)

from governance.models import RoleAssignment
from governance.roles import Role
from governance.tests.base import TerritoryTestCase, make_user


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

    def test_only_the_most_specific_link_is_marked_current(self):
        self.client.force_login(self.alice)
        body = self.client.get("/cases/todo/").content.decode()
        self.assertEqual(body.count('aria-current="page"'), 1)
        self.assertIn('<a href="/cases/todo/" aria-current="page">', body)

from parties.tests.base import RegisterTestCase


class MyGridsTestCase(RegisterTestCase):
    def test_each_grid_links_to_its_registers_and_the_visit_log(self):
        self.client.force_login(self.carol)
        r = self.client.get("/grids/mine/")
        self.assertContains(r, f"/registers/residents/?grid={self.grid_a.code}")
        self.assertContains(r, f"/grids/visits/new/?grid={self.grid_a.code}")
        listing = self.client.get(f"/registers/residents/?grid={self.grid_a.code}")
        self.assertContains(listing, "张三")

from grids.actions import do_log_visit
from parties.tests.base import RegisterTestCase


class VisitListTestCase(RegisterTestCase):
    def test_visits_are_scoped_and_bounded_in_queries(self):
        for i in range(5):
            do_log_visit(actor=self.carol, grid=self.grid_a, resident=self.zhang, findings=f"第{i}次走访")
        do_log_visit(actor=self.henry, grid=self.grid_b, place="渔市路口", findings="渔市巡查", kind="patrol")
        self.client.force_login(self.carol)
        with self.assertNumQueries(9):
            r = self.client.get("/grids/visits/")
        self.assertContains(r, "第4次走访")
        self.assertNotContains(r, "渔市巡查")
        self.assertContains(self.client.get("/grids/visits/", {"mine": "1"}), "第0次走访")

    def test_a_bad_page_parameter_is_a_400(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get("/grids/visits/", {"after": "-1"}).status_code, 400)

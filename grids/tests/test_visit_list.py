from grids.actions import do_log_visit
from parties.tests.base import RegisterTestCase


class VisitListTestCase(RegisterTestCase):
    def test_visits_are_scoped_and_bounded_in_queries(self):
        for i in range(5):
            do_log_visit(actor=self.carol, grid=self.grid_a, resident=self.zhang, findings=f"第{i}次走访")
        do_log_visit(actor=self.henry, grid=self.grid_b, place="渔市路口", findings="渔市巡查", kind="patrol")
        self.client.force_login(self.carol)
        with self.assertNumQueries(10):
            r = self.client.get("/grids/visits/")
        self.assertContains(r, "第4次走访")
        self.assertNotContains(r, "渔市巡查")
        self.assertContains(self.client.get("/grids/visits/", {"mine": "1"}), "第0次走访")

    def test_a_bad_page_parameter_is_a_400(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get("/grids/visits/", {"after": "-1"}).status_code, 400)


class VisitOrderTestCase(RegisterTestCase):
    def test_visits_are_listed_by_when_they_happened_newest_first_not_by_when_they_were_logged(self):
        from datetime import timedelta

        from django.utils import timezone

        now = timezone.now()
        for days, text in ((1, "昨天的走访"), (5, "五天前补录的走访"), (0, "今天的走访"), (3, "三天前的走访")):
            do_log_visit(actor=self.carol, grid=self.grid_a, resident=self.zhang, findings=text,
                         at=now - timedelta(days=days))
        self.client.force_login(self.carol)
        r = self.client.get("/grids/visits/")
        self.assertEqual([v.findings for v in r.context["page"]],
                         ["今天的走访", "昨天的走访", "三天前的走访", "五天前补录的走访"])

    def test_pages_follow_the_date_order(self):
        from datetime import timedelta
        from unittest import mock

        from django.utils import timezone

        now = timezone.now()
        for i in range(5):  # logged in the order 0..4, happened 4..0 days ago in a shuffled order
            do_log_visit(actor=self.carol, grid=self.grid_a, resident=self.zhang, findings=f"走访{(i * 3) % 5}",
                         at=now - timedelta(days=(i * 3) % 5))
        self.client.force_login(self.carol)
        with mock.patch("grids.selectors.PAGE_SIZE", 2):
            seen = []
            url = "/grids/visits/"
            while url:
                r = self.client.get(url)
                seen += [v.findings for v in r.context["page"]]
                url = "/grids/visits/" + r.context["next_url"] if r.context["next_url"] else None
        self.assertEqual(seen, [f"走访{i}" for i in range(5)])
        self.assertContains(r, "第 3 页")

    def test_a_bad_page_key_is_a_friendly_chinese_400(self):
        self.client.force_login(self.carol)
        r = self.client.get("/grids/visits/", {"after": "abc"})
        self.assertContains(r, "翻页参数无效", status_code=400)
        self.assertContains(r, 'data-testid="error-message"', status_code=400)

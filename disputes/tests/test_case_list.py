"""/cases/: scoped list with filters (status, category, grid, overdue, date)."""

from datetime import timedelta

from django.utils import timezone

from disputes.models import Case
from disputes.tests.base import CaseTestCase
from governance.roles import Role
from governance.tests.base import make_user


class CaseListTestCase(CaseTestCase):
    def test_it_requires_sign_in(self):
        self.assertRedirects(self.client.get("/cases/"), "/login/?next=/cases/")

    def test_each_user_sees_only_cases_in_their_scope(self):
        self.file(title="甲网格事件")
        self.file(actor=self.gina, grid=self.grid_a2, title="乙网格事件")
        bob_case = make_user("wg", "五台子网格员", Role.GRID_WORKER, self.grid_b)
        self.file(actor=bob_case, grid=self.grid_b, title="西市区事件")
        self.client.force_login(self.carol)
        r = self.client.get("/cases/")
        self.assertContains(r, "甲网格事件")
        self.assertNotContains(r, "乙网格事件")
        self.client.force_login(self.alice)
        r = self.client.get("/cases/")
        self.assertContains(r, "乙网格事件")
        self.assertNotContains(r, "西市区事件")
        self.client.force_login(self.erin)
        self.assertContains(self.client.get("/cases/"), "西市区事件")

    def test_it_filters_by_status_category_grid_and_date(self):
        a = self.file(title="事件甲")
        self.accepted(title="事件乙", category=self.road)
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get("/cases/?status=accepted"), "事件甲")
        self.assertContains(self.client.get("/cases/?status=open"), "事件甲")
        self.assertNotContains(self.client.get(f"/cases/?category={self.fire.pk}"), "事件乙")
        self.assertContains(self.client.get(f"/cases/?category={self.fire.pk}"), "事件甲")
        self.assertNotContains(self.client.get(f"/cases/?grid={self.grid_a2.code}"), "事件甲")
        Case.objects.filter(pk=a.pk).update(created_at=timezone.now() - timedelta(days=10))
        day = (timezone.localdate() - timedelta(days=2)).isoformat()
        r = self.client.get(f"/cases/?from={day}")
        self.assertNotContains(r, "事件甲")
        self.assertContains(r, "事件乙")

    def test_it_filters_overdue_cases_and_highlights_them(self):
        late = self.file(title="超期事件")
        self.file(title="正常事件")
        Case.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(hours=1))
        self.client.force_login(self.alice)
        r = self.client.get("/cases/?overdue=1")
        self.assertContains(r, "超期事件")
        self.assertNotContains(r, "正常事件")
        self.assertContains(r, "case-card overdue")

    def test_bad_filters_give_a_chinese_400(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.get("/cases/?from=2026-13-45"), "日期格式", status_code=400)
        self.assertContains(self.client.get("/cases/?grid=abc"), "网格编码", status_code=400)
        self.assertContains(self.client.get("/cases/?status=zzz"), "状态筛选", status_code=400)

    def test_a_user_without_roles_sees_nothing(self):
        self.file()
        self.client.force_login(self.nobody)
        self.assertContains(self.client.get("/cases/"), "没有符合条件的事件")

    def test_the_query_count_does_not_grow_with_the_number_of_cases(self):
        self.file()
        self.client.force_login(self.alice)
        with self.assertNumQueries(12):
            self.client.get("/cases/")
        for i in range(15):
            self.assigned(title=f"事件{i}")
        with self.assertNumQueries(12):
            r = self.client.get("/cases/")
        self.assertEqual(len(r.context["page"]), 16)

    def test_a_list_past_the_count_cap_says_more_than_and_does_not_count_on(self):
        from unittest import mock

        from governance.pagination import CappedPaginator

        for i in range(3):
            self.file(title=f"事件{i}")
        self.client.force_login(self.alice)
        with mock.patch.object(CappedPaginator, "cap", 2):
            r = self.client.get("/cases/")
        self.assertContains(r, "超过 2 件")
        self.assertNotContains(r, "共 3 件")
        self.assertContains(self.client.get("/cases/"), "共 3 件")

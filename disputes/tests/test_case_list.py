"""/cases/: scoped list with filters (status, category, grid, overdue, date), paged by key."""

import re
from datetime import timedelta
from unittest import mock

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
        # One page holds them all: no count. Her page is found in two parts (her street, the cases
        # dispatched to her: visible_case_parts), a query each, and its rows read in one more.
        with self.assertNumQueries(13):
            self.client.get("/cases/")
        for i in range(15):
            self.assigned(title=f"事件{i}")
        with self.assertNumQueries(13):
            r = self.client.get("/cases/")
        self.assertEqual(len(r.context["page"]), 16)

    def test_a_list_past_the_count_cap_says_more_than_and_does_not_count_on(self):
        from unittest import mock

        from governance.pagination import KeysetPage

        for i in range(3):
            self.file(title=f"事件{i}")
        self.client.force_login(self.alice)
        with mock.patch.object(KeysetPage, "cap", 2), mock.patch("disputes.views.cases.PAGE_SIZE", 2):
            r = self.client.get("/cases/")  # a second page exists: the list is counted, up to the cap
        self.assertFalse(r.context["page"].total.exact)  # "超过 2 条", or PostgreSQL's estimate ("约 … 条")
        self.assertNotContains(r, "共 3 件")
        self.assertContains(self.client.get("/cases/"), "共 3 件")


class CaseListPagingTestCase(CaseTestCase):
    """Pages go by key (created_at, id), not by OFFSET: ?after= / ?before= carry the position."""

    def setUp(self):
        self.client.force_login(self.alice)
        base = timezone.now() - timedelta(days=1)
        self.cases = [self.file(title=f"第{i:02d}件") for i in range(12)]
        # Newest first: 第11件 … 第00件; 第05件 and 第06件 share a timestamp (the id breaks the tie).
        for i, case in enumerate(self.cases):
            Case.objects.filter(pk=case.pk).update(created_at=base + timedelta(minutes=i if i != 6 else 5))
        patcher = mock.patch("disputes.views.cases.PAGE_SIZE", 5)
        patcher.start()
        self.addCleanup(patcher.stop)

    def titles(self, r) -> list[str]:
        return [c.title for c in r.context["page"]]

    def follow(self, r, rel: str):
        m = re.search(rf'href="([^"]*)" rel="{rel}"', r.content.decode())
        self.assertIsNotNone(m, f"no {rel} link")
        return self.client.get("/cases/" + m.group(1).replace("&amp;", "&"))

    def test_next_and_previous_walk_the_list_newest_first_without_gaps_or_repeats(self):
        r1 = self.client.get("/cases/")
        self.assertEqual(self.titles(r1), ["第11件", "第10件", "第09件", "第08件", "第07件"])
        self.assertNotContains(r1, 'rel="prev"')
        r2 = self.follow(r1, "next")
        self.assertEqual(self.titles(r2), ["第06件", "第05件", "第04件", "第03件", "第02件"])
        r3 = self.follow(r2, "next")
        self.assertEqual(self.titles(r3), ["第01件", "第00件"])
        self.assertNotContains(r3, 'rel="next"')
        self.assertEqual(self.titles(self.follow(r3, "prev")), self.titles(r2))
        self.assertEqual(self.titles(self.follow(r2, "prev")), self.titles(r1))
        self.assertNotContains(self.follow(r2, "prev"), 'rel="prev"')

    def test_cases_filed_while_paging_do_not_repeat_rows_on_the_next_page(self):
        r1 = self.client.get("/cases/")
        for i in range(3):
            self.file(title=f"新上报{i}")  # newer than everything: OFFSET paging would shift page 2 by 3
        r2 = self.follow(r1, "next")
        self.assertEqual(self.titles(r2), ["第06件", "第05件", "第04件", "第03件", "第02件"])
        self.assertFalse(set(self.titles(r1)) & set(self.titles(r2)))
        back = self.follow(r2, "prev")
        self.assertEqual(self.titles(back), self.titles(r1))
        self.assertContains(back, 'rel="prev"')  # the new cases are a page further up
        self.assertEqual(self.titles(self.follow(back, "prev")), ["新上报2", "新上报1", "新上报0"])

    def test_the_page_links_keep_the_filters_and_the_count(self):
        r = self.client.get(f"/cases/?status=reported&category={self.fire.pk}")
        self.assertContains(r, "共 12 件")
        html = r.content.decode()
        self.assertRegex(html, rf'href="\?status=reported&amp;category={self.fire.pk}&amp;after=\d+\.\d+&amp;p=2" rel="next"')
        r2 = self.follow(r, "next")
        self.assertContains(r2, "共 12 件")
        self.assertEqual(r2.context["filters"]["status"], "reported")
        self.assertRegex(r2.content.decode(), rf'href="\?status=reported&amp;category={self.fire.pk}&amp;before=')
        self.assertContains(r2, f'/cases/export.xlsx?status=reported&amp;category={self.fire.pk}"')

    def test_a_deep_page_costs_the_same_queries_as_the_first(self):
        r1 = self.client.get("/cases/")
        url = "/cases/" + re.search(r'href="([^"]*)" rel="next"', r1.content.decode()).group(1).replace("&amp;", "&")
        with self.assertNumQueries(14):  # the count, and the page in two parts (as above)
            self.client.get(url)
        with self.assertNumQueries(14):
            self.client.get("/cases/")

    def test_a_page_key_that_is_not_ours_is_a_chinese_400(self):
        for junk in ["abc", "1.2.3", "-5.1", "999999999999999999.1", "1." + "9" * 19, "1.%00"]:
            self.assertContains(self.client.get(f"/cases/?after={junk}"), "翻页参数无效", status_code=400)
            self.assertContains(self.client.get(f"/cases/?before={junk}"), "翻页参数无效", status_code=400)

    def test_a_before_key_with_nothing_newer_shows_the_first_page(self):
        newest = Case.objects.order_by("-created_at", "-id").first()
        from governance.pagination import encode_key

        r = self.client.get(f"/cases/?before={encode_key(newest.created_at, newest.pk)}")
        self.assertEqual(self.titles(r)[0], "第11件")

"""/disputes/sessions/: the mediation sessions of one day in scope, in time order, paged by key (the desk
shows the first few of today's and links here)."""

from datetime import timedelta

from django.utils import timezone

from disputes.actions import mediation as ma
from disputes.tests.dispute_base import DisputeTestCase


class SessionListTestCase(DisputeTestCase):
    def schedule(self, n: int, day_offset: int = 0, title: str = "纠纷"):
        start = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=day_offset)
        for i in range(n):
            d = self.mediating(title=f"{title}{i}")
            ma.do_schedule_session(actor=self.mona, dispute=d, at=start + timedelta(minutes=10 * i), room=self.room)

    def test_it_lists_today_s_sessions_in_time_order(self):
        self.schedule(3, title="今日")
        self.client.force_login(self.alice)
        body = self.client.get("/disputes/sessions/").content.decode()
        self.assertLess(body.index("今日0"), body.index("今日1"))
        self.assertLess(body.index("今日1"), body.index("今日2"))

    def test_another_day_is_chosen_by_its_date(self):
        self.schedule(1, day_offset=1, title="明日")
        self.client.force_login(self.alice)
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        self.assertNotContains(self.client.get("/disputes/sessions/"), "明日0")
        self.assertContains(self.client.get(f"/disputes/sessions/?day={tomorrow}"), "明日0")

    def test_the_other_district_sees_none_of_ours(self):
        self.schedule(1, title="八田地")
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get("/disputes/sessions/"), "八田地0")

    def test_a_bad_date_or_page_key_is_a_400_in_chinese(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.get("/disputes/sessions/?day=2026-13-01"), "日期格式应为", status_code=400)
        self.assertContains(self.client.get("/disputes/sessions/?day=9999-12-31"), "日期超出范围", status_code=400)
        self.assertContains(self.client.get("/disputes/sessions/?after=x"), "翻页参数无效", status_code=400)

    def test_it_pages_by_key_and_the_query_count_does_not_grow(self):
        from disputes.views import mediation as views

        self.schedule(3)
        self.client.force_login(self.alice)
        size = views.SESSION_PAGE_SIZE
        views.SESSION_PAGE_SIZE = 2
        try:
            first = self.client.get("/disputes/sessions/")
            self.assertContains(first, 'data-testid="next-page"')
            self.assertNotContains(first, "纠纷2")
            self.assertContains(first, "共 3 条")  # a day's sessions are counted, not estimated
            nxt = first.content.decode().split('rel="next" class="next" data-testid="next-page"')[0]
            href = nxt[nxt.rindex('href="') + 6:].split('"')[0].replace("&amp;", "&")
            self.assertContains(self.client.get(f"/disputes/sessions/{href}"), "纠纷2")
            with self.assertNumQueries(11):
                self.client.get("/disputes/sessions/")
            self.schedule(4, title="更多")
            with self.assertNumQueries(11):
                self.client.get("/disputes/sessions/")
        finally:
            views.SESSION_PAGE_SIZE = size

"""/disputes/: the dispute desk — open disputes by risk and deadline, today's sessions, follow-ups due."""

from datetime import timedelta

from django.utils import timezone

from disputes.actions import mediation as ma
from disputes.tests.dispute_base import DisputeTestCase


class DisputeDeskTestCase(DisputeTestCase):
    def test_open_disputes_are_listed_highest_risk_first(self):
        self.dispute(title="一般纠纷")
        self.dispute(title="重大纠纷", threat_violence=True)
        self.dispute(title="较大纠纷", people_count=6)
        self.client.force_login(self.alice)
        r = self.client.get("/disputes/")
        body = r.content.decode()
        self.assertLess(body.index("重大纠纷"), body.index("较大纠纷"))
        self.assertLess(body.index("较大纠纷"), body.index("一般纠纷"))

    def test_todays_sessions_and_follow_ups_due_are_shown(self):
        d = self.mediating(title="今日调解的纠纷")
        ma.do_schedule_session(actor=self.mona, dispute=d, at=timezone.now(), room=self.room)
        s = self.settled(title="待回访的纠纷")
        s.follow_ups.update(due=timezone.localdate())
        self.client.force_login(self.mona)
        r = self.client.get("/disputes/")
        self.assertContains(r, 'data-testid="sessions"')
        self.assertContains(r, "老党员调解室")
        self.assertContains(r, 'data-testid="follow-ups"')
        self.assertContains(r, "待回访的纠纷")

    def test_mine_shows_only_what_i_handle(self):
        self.mediating(title="莫娜承办")
        self.dispute(title="尚未派遣")
        self.client.force_login(self.mona)
        r = self.client.get("/disputes/?mine=1")
        self.assertContains(r, "莫娜承办")
        self.assertNotContains(r, "尚未派遣")

    def test_the_other_district_sees_nothing_of_ours(self):
        self.dispute(title="八田地的纠纷")
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get("/disputes/"), "八田地的纠纷")

    def test_closed_disputes_leave_the_desk(self):
        from disputes.actions import cases as actions

        d = self.settled(title="已结的纠纷")
        actions.do_verify_case(actor=self.carol, case=d.case, version=d.case.version, fixed=True)
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get("/disputes/"), 'href="/disputes/%d/" class="case-title"' % d.pk)

    def test_the_query_count_does_not_grow_with_the_number_of_disputes(self):
        for i in range(2):
            d = self.mediating(title=f"纠纷{i}")
            ma.do_schedule_session(actor=self.mona, dispute=d, at=timezone.now(), room=self.room)
        self.client.force_login(self.alice)
        self.client.get("/disputes/")
        with self.assertNumQueries(14):  # the figures: one query over what is in mediation
            self.client.get("/disputes/")
        for i in range(2, 6):
            d = self.mediating(title=f"纠纷{i}")
            ma.do_schedule_session(actor=self.mona, dispute=d, at=timezone.now() + timedelta(minutes=i), room=self.room)
        with self.assertNumQueries(14):  # the figures: one query over what is in mediation
            self.client.get("/disputes/")

    def test_it_shows_the_first_of_today_s_sessions_and_links_to_the_day_s_list(self):
        from disputes.selectors import mediation as selectors
        from disputes.views import mediation as views

        start = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0)
        for i in range(3):
            d = self.mediating(title=f"调解{i}")
            ma.do_schedule_session(actor=self.mona, dispute=d, at=start + timedelta(minutes=i), room=self.room)
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get("/disputes/"), 'data-testid="all-sessions"')  # all three shown
        shown = views.DESK_SESSIONS
        views.DESK_SESSIONS = 2
        try:
            r = self.client.get("/disputes/")
        finally:
            views.DESK_SESSIONS = shown
        self.assertEqual(selectors.DESK_SESSIONS, shown)
        self.assertContains(r, 'href="/disputes/sessions/" data-testid="all-sessions"')
        sessions = r.content.decode().split('data-testid="sessions"')[1].split("</ul>")[0]
        self.assertIn("调解1", sessions)
        self.assertNotIn("调解2", sessions)

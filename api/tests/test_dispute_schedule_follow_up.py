"""POST /api/v1/disputes/{id}/schedule-follow-up/: one more 回访 of a settled dispute through
do_schedule_follow_up; the dispute's detail lists it."""

from datetime import timedelta

from django.utils import timezone

from api.tests.mediation_base import MediationApiTestCase
from disputes.models import FollowUp


class ScheduleFollowUpApiTestCase(MediationApiTestCase):
    def url(self, d):
        return f"/api/v1/disputes/{d.pk}/schedule-follow-up/"

    def due(self, days=60) -> str:
        return (timezone.localdate() + timedelta(days=days)).isoformat()

    def test_the_mediator_schedules_one_more_follow_up_listed_on_the_dispute(self):
        d = self.settled()
        r = self.post(self.mona, self.url(d), {"version": self.version(d), "due": self.due(), "owner": "carol"})
        self.assertEqual(r.status_code, 200, r.content)
        rows = r.json()["follow_ups"]
        self.assertEqual(len(rows), 3)
        self.assertEqual((rows[-1]["due"], rows[-1]["owner"], rows[-1]["pending"]), (self.due(), "卡萝", True))
        self.assertMasked(r)

    def test_a_dispute_not_settled_has_no_follow_up_in_chinese(self):
        d = self.mediating()
        body = self.assertError(self.post(self.mona, self.url(d), {"version": self.version(d), "due": self.due()}), 400)
        self.assertIn("只有调解成功的纠纷需要回访", body["message"])

    def test_a_day_in_the_past_is_refused_in_chinese(self):
        d = self.settled()
        body = self.assertError(self.post(self.mona, self.url(d), {"version": self.version(d), "due": "2020-01-01"}),
                                400)
        self.assertIn("回访日期不能早于今天", body["message"])

    def test_the_other_district_gets_404(self):
        d = self.settled()
        self.assertError(self.post(self.bob, self.url(d), {"version": self.version(d), "due": self.due()}), 404)

    def test_a_grid_worker_gets_403(self):
        d = self.settled()
        self.assertError(self.post(self.carol, self.url(d), {"version": self.version(d), "due": self.due()}), 403)
        self.assertEqual(FollowUp.objects.filter(dispute=d).count(), 2)

    def test_anonymous_gets_401(self):
        self.assertAnonymousGets401(self.url(self.settled()))

    def test_a_stale_version_is_a_409(self):
        d = self.settled()
        self.assertError(self.post(self.mona, self.url(d), {"version": self.version(d) - 1, "due": self.due()}), 409)
        self.assertEqual(FollowUp.objects.filter(dispute=d).count(), 2)

    def test_bad_input_is_a_400_in_chinese_and_in_english(self):
        d = self.settled()
        self.assertBadInputIsA400InChineseAndInEnglish(self.mona, self.url(d), {"version": self.version(d),
                                                                                "due": "2026-02-30"}, "due")
        body = self.assertError(self.post(self.mona, self.url(d), {"version": self.version(d), "due": self.due(),
                                                                   "owner": "ghost"}), 400)
        self.assertIn("owner", body["fields"])

"""POST /api/v1/risks/{id}/update/: 定人、定责、定措施 through do_update_risk_entry; the owner is one of
the entry's owner_candidates (risk_owner_candidates, as on the page)."""

from datetime import timedelta

from django.utils import timezone

from api.tests.mediation_base import MediationApiTestCase
from disputes.models import Notice, RiskEntry
from governance.models import AuditEvent


class RiskUpdateApiTestCase(MediationApiTestCase):
    def url(self, entry):
        return f"/api/v1/risks/{entry.pk}/update/"

    def data(self, d, **kw):
        return {"version": self.version(d), "owner": "carol", "responsibility": "网格员每日见面",
                "measures": "调解员跟进，派出所备案", "next_review": (timezone.localdate() + timedelta(days=3)).isoformat(),
                **kw}

    def test_the_street_officer_names_the_owner_who_is_told(self):
        d, entry = self.risky()
        with self.captureOnCommitCallbacks(execute=True):
            r = self.post(self.alice, self.url(entry), self.data(d))
        self.assertEqual(r.status_code, 200, r.content)
        body = r.json()
        self.assertEqual((body["owner"], body["responsibility"], body["version"]), ("卡萝", "网格员每日见面",
                                                                                     self.version(d)))
        self.assertEqual(AuditEvent.objects.filter(action="risk.update").count(), 1)
        self.assertTrue(Notice.objects.filter(user=self.carol, text__contains="责任人").exists())
        self.assertMasked(r)

    def test_a_department_handler_or_someone_of_the_other_district_is_no_owner(self):
        d, entry = self.risky()
        for username in ("heidi", "bob", "ghost"):
            body = self.assertError(self.post(self.alice, self.url(entry), self.data(d, owner=username)), 400)
            self.assertEqual(body["fields"]["owner"], ["责任人不存在。"])
        self.assertIsNone(RiskEntry.objects.get(pk=entry.pk).owner_id)

    def test_the_action_asks_for_what_is_missing_in_chinese(self):
        d, entry = self.risky()
        body = self.assertError(self.post(self.alice, self.url(entry), {"version": self.version(d)}), 400)
        self.assertEqual(body["message"], "请指定责任人。")

    def test_the_other_district_gets_404(self):
        d, entry = self.risky()
        self.assertError(self.post(self.bob, self.url(entry), self.data(d)), 404)

    def test_a_grid_worker_and_a_mediator_get_403(self):
        d, entry = self.risky()
        for user in (self.carol, self.mona):
            self.assertError(self.post(user, self.url(entry), self.data(d)), 403, "permission_denied")
        self.assertIsNone(RiskEntry.objects.get(pk=entry.pk).owner_id)

    def test_anonymous_gets_401(self):
        self.assertAnonymousGets401(self.url(self.risky()[1]))

    def test_a_stale_version_is_a_409(self):
        d, entry = self.risky()
        self.assertError(self.post(self.alice, self.url(entry), self.data(d, version=self.version(d) - 1)), 409,
                         "conflict")
        self.assertIsNone(RiskEntry.objects.get(pk=entry.pk).owner_id)

    def test_bad_input_is_a_400_in_chinese_and_in_english(self):
        d, entry = self.risky()
        self.assertBadInputIsA400InChineseAndInEnglish(self.alice, self.url(entry), self.data(d, next_review="明天"),
                                                       "next_review")

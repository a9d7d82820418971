"""/disputes/<id>/record/: a session is recorded once it has begun, never before its scheduled time."""

from datetime import timedelta

from django.utils import timezone

from disputes.actions import mediation as ma
from disputes.models import MediationSession
from disputes.tests.dispute_base import DisputeTestCase


class RecordSessionTestCase(DisputeTestCase):
    def record(self, d, session):
        self.client.force_login(self.mona)
        return self.client.post(f"/disputes/{d.pk}/record/", {
            "session": str(session.pk), "attendees": "双方当事人", "applicant_statement": "要求赔偿",
            "respondent_statement": "同意部分赔偿"})

    def test_a_session_half_an_hour_ahead_cannot_be_recorded(self):
        d = self.mediating()
        s = ma.do_schedule_session(actor=self.mona, dispute=d, at=timezone.now() + timedelta(minutes=30), room=self.room)
        r = self.record(d, s)
        self.assertContains(r, "尚未开始", status_code=400)
        self.assertFalse(MediationSession.objects.get(pk=s.pk).held)

    def test_a_session_that_has_begun_is_recorded(self):
        d = self.mediating()
        s = ma.do_schedule_session(actor=self.mona, dispute=d, at=timezone.now() - timedelta(minutes=5), room=self.room)
        self.assertEqual(self.record(d, s).status_code, 302)
        self.assertTrue(MediationSession.objects.get(pk=s.pk).held)

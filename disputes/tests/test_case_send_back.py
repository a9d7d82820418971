"""/cases/<id>/send-back/: the handler it was dispatched to hands it back (退回/非本部门) with a reason."""

from disputes.models import Case, CaseEvent, Status
from disputes.tests.base import CaseTestCase
from governance.models import AuditEvent


class SendBackTestCase(CaseTestCase):
    def post(self, user, case, **data):
        self.client.force_login(user)
        data.setdefault("version", Case.objects.get(pk=case.pk).version)
        data.setdefault("reason", "楼道堆物不属于派出所职责，请派城管")
        return self.client.post(f"/cases/{case.pk}/send-back/", data)

    def test_the_department_handler_sends_it_back_to_the_dispatcher(self):
        case = self.assigned(department=self.police_a)
        self.assertRedirects(self.post(self.heidi, case), f"/cases/{case.pk}/", fetch_redirect_response=False)
        case.refresh_from_db()
        self.assertEqual(case.status, Status.ACCEPTED)
        self.assertIsNone(case.department)
        event = case.events.get(action=CaseEvent.Action.SEND_BACK)
        self.assertEqual(event.note, "楼道堆物不属于派出所职责，请派城管")
        self.assertEqual(AuditEvent.objects.filter(action="case.send_back").count(), 1)
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(f"/cases/{case.pk}/"), 'data-testid="assign-form"')

    def test_the_handler_still_reads_it_afterwards_but_may_not_act(self):
        case = self.assigned(department=self.police_a)
        self.post(self.heidi, case)
        r = self.client.get(f"/cases/{case.pk}/")
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, 'data-testid="send-back"')
        self.assertEqual(self.post(self.heidi, case).status_code, 403)

    def test_a_reason_is_required(self):
        case = self.assigned(department=self.police_a)
        self.assertEqual(self.post(self.heidi, case, reason=" ").status_code, 400)
        self.assertEqual(Case.objects.get(pk=case.pk).status, Status.ASSIGNED)

    def test_someone_it_was_not_dispatched_to_may_not(self):
        case = self.assigned(assignee=self.carol)
        self.assertEqual(self.post(self.alice, case).status_code, 403)

    def test_it_returns_404_outside_reach(self):
        case = self.assigned(assignee=self.carol)
        self.assertEqual(self.post(self.bob, case).status_code, 404)

    def test_only_a_case_being_handled_can_be_sent_back(self):
        case = self.handled(department=self.police_a)
        self.assertEqual(self.post(self.heidi, case).status_code, 400)

    def test_a_stale_version_is_a_409(self):
        case = self.assigned(department=self.police_a)
        self.assertEqual(self.post(self.heidi, case, version=99).status_code, 409)

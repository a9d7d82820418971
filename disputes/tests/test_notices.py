"""/cases/notices/: in-app notices when a case is assigned, returned, escalated or about to go overdue."""

from disputes.actions import cases as actions
from disputes.kernel import StaleCase
from disputes.models import Notice
from disputes.tests.base import CaseTestCase
from governance.models import AuditEvent


class NoticesTestCase(CaseTestCase):
    def test_the_assignee_is_told_after_commit(self):
        case = self.accepted()
        with self.captureOnCommitCallbacks(execute=True):
            actions.do_assign_case(actor=self.alice, case=case, version=case.version, assignee=self.carol)
        self.client.force_login(self.carol)
        r = self.client.get("/cases/notices/")
        self.assertContains(r, "新派遣事件")
        self.assertContains(r, 'class="card unread"')

    def test_every_member_of_the_department_is_told(self):
        case = self.accepted()
        with self.captureOnCommitCallbacks(execute=True):
            actions.do_assign_case(actor=self.alice, case=case, version=case.version, department=self.police_a)
        self.assertEqual(list(Notice.objects.values_list("user__username", "kind")), [("heidi", "assigned")])

    def test_no_notice_is_sent_when_the_action_fails(self):
        case = self.accepted()
        with self.captureOnCommitCallbacks(execute=True):
            try:
                actions.do_assign_case(actor=self.alice, case=case, version=99, assignee=self.carol)
            except StaleCase:
                pass
        self.assertFalse(Notice.objects.exists())

    def test_marking_all_read(self):
        case = self.accepted()
        with self.captureOnCommitCallbacks(execute=True):
            actions.do_assign_case(actor=self.alice, case=case, version=case.version, assignee=self.carol)
        self.client.force_login(self.carol)
        self.assertRedirects(self.client.post("/cases/notices/"), "/cases/notices/")
        self.assertFalse(Notice.objects.filter(read_at__isnull=True).exists())

    def test_nobody_sees_someone_elses_notices(self):
        case = self.accepted()
        with self.captureOnCommitCallbacks(execute=True):
            actions.do_assign_case(actor=self.alice, case=case, version=case.version, assignee=self.carol)
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get("/cases/notices/"), "新派遣事件")

    def test_marking_all_read_is_one_audited_action(self):
        case = self.accepted()
        with self.captureOnCommitCallbacks(execute=True):
            actions.do_assign_case(actor=self.alice, case=case, version=case.version, assignee=self.carol)
        self.client.force_login(self.carol)
        self.client.post("/cases/notices/")
        event = AuditEvent.objects.get(action="notice.read_all")
        self.assertEqual((event.actor, event.detail), (self.carol, {"count": 1}))


class UnreadBadgeTestCase(CaseTestCase):
    def test_the_nav_shows_how_many_notices_are_unread(self):
        case = self.accepted()
        with self.captureOnCommitCallbacks(execute=True):
            actions.do_assign_case(actor=self.alice, case=case, version=case.version, assignee=self.carol)
        self.client.force_login(self.carol)
        self.assertContains(self.client.get("/cases/todo/"), '<span class="badge" data-testid="unread">1</span>', html=True)
        self.client.post("/cases/notices/")
        self.assertNotContains(self.client.get("/cases/todo/"), 'data-testid="unread"')



class ReporterNoticesTestCase(CaseTestCase):
    """The filer (and the grid's workers) hear when her case waits for 核查, is closed or sent back."""

    def kinds(self, user):
        return sorted(Notice.objects.filter(user=user).values_list("kind", flat=True))

    def test_the_filer_and_the_grid_workers_are_told_it_waits_for_verification(self):
        case = self.assigned(department=self.police_a, actor=self.ivan)  # ivan (community staff) filed it
        with self.captureOnCommitCallbacks(execute=True):
            actions.do_handle_case(actor=self.heidi, case=case, version=case.version, note="已清理。")
        self.assertEqual(self.kinds(self.ivan), ["to_verify"])
        self.assertEqual(self.kinds(self.carol), ["to_verify"])  # grid_a's worker
        self.assertEqual(self.kinds(self.gina), [])  # another grid's

    def test_the_filer_is_told_when_it_is_closed(self):
        case = self.handled(department=self.police_a)
        with self.captureOnCommitCallbacks(execute=True):
            actions.do_verify_case(actor=self.alice, case=case, version=case.version, fixed=True)
        self.assertIn("closed", self.kinds(self.carol))
        self.assertEqual(self.kinds(self.alice), [])  # not the one who closed it

    def test_the_filer_is_told_when_verification_sends_it_back(self):
        case = self.handled(department=self.police_a)
        with self.captureOnCommitCallbacks(execute=True):
            actions.do_verify_case(actor=self.alice, case=case, version=case.version, fixed=False, note="仍有杂物")
        self.assertIn("returned", self.kinds(self.carol))

    def test_the_filer_is_told_when_the_department_sends_it_back(self):
        case = self.assigned(department=self.police_a)
        with self.captureOnCommitCallbacks(execute=True):
            actions.do_send_back_case(actor=self.heidi, case=case, version=case.version, reason="不属于派出所职责")
        self.assertEqual(self.kinds(self.carol), ["sent_back"])
        self.assertEqual(self.kinds(self.alice), ["sent_back"])  # the dispatcher
        self.assertEqual(self.kinds(self.heidi), [])

    def test_the_todo_lists_what_waits_for_verification_first(self):
        self.handled(title="待核查的事件", department=self.police_a)
        self.assigned(title="处置中的事件", assignee=self.carol)
        self.client.force_login(self.carol)
        r = self.client.get("/cases/todo/")
        self.assertEqual([c.title for c in r.context["to_verify"]], ["待核查的事件"])
        self.assertEqual([c.title for c in r.context["others"]], ["处置中的事件"])
        self.assertContains(r, 'data-testid="todo-verify"')

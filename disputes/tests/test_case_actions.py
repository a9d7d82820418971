"""Every step of the loop, and every refusal: wrong role, wrong scope, wrong state, stale version."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from disputes.actions import cases as actions
from disputes.kernel import StaleCase
from disputes.models import Case, CaseEvent, CasePhoto, Extension, Status
from disputes.tests.base import CaseTestCase, jpeg
from disputes.tests.link_base import LinkTestCase
from governance.models import AuditEvent
from governance.roles import Level


class FilingTestCase(CaseTestCase):
    def test_a_grid_worker_files_a_case_in_their_grid(self):
        case = self.file(photos=[jpeg()])
        self.assertEqual(case.status, Status.REPORTED)
        self.assertEqual(case.level, Level.COMMUNITY)
        self.assertIsNotNone(case.deadline)
        self.assertEqual(case.photos.count(), 1)
        self.assertEqual(list(case.events.values_list("action", flat=True)), ["file"])
        self.assertTrue(AuditEvent.objects.filter(action="case.file", target_id=str(case.pk)).exists())

    def test_a_grid_worker_cannot_file_in_another_grid(self):
        with self.assertRaises(PermissionDenied):
            self.file(grid=self.grid_a2)

    def test_a_city_leader_cannot_file(self):
        with self.assertRaises(PermissionDenied):
            self.file(actor=self.erin)

    def test_a_case_must_be_filed_in_a_grid_not_a_community(self):
        with self.assertRaises(ValidationError):
            self.file(actor=self.alice, grid=self.wudamen)

    def test_an_empty_description_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "请填写事件描述"):
            self.file(description="  ")

    def test_half_a_location_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "经度和纬度"):
            self.file(lat="40.64")

    def test_a_minor_case_is_self_handled_in_one_step_with_evidence(self):
        case = self.file(self_handle=True, evidence_note="已劝导住户清理。", evidence=[jpeg()])
        self.assertEqual(case.status, Status.CLOSED)
        self.assertTrue(case.self_handled)
        self.assertIsNotNone(case.closed_at)
        self.assertEqual(list(case.events.values_list("action", flat=True)), ["file", "self_handle"])
        self.assertEqual(case.photos.get().kind, CasePhoto.Kind.EVIDENCE)

    def test_self_handling_needs_a_photo(self):
        with self.assertRaisesMessage(ValidationError, "至少一张"):
            self.file(self_handle=True, evidence_note="已处理。")

    def test_an_urgent_case_cannot_be_self_handled(self):
        with self.assertRaisesMessage(ValidationError, "只有一般事件"):
            self.file(self_handle=True, urgency="urgent", evidence_note="x", evidence=[jpeg()])


class AcceptAndRejectTestCase(CaseTestCase):
    def test_the_street_officer_accepts_and_the_handling_clock_starts(self):
        case = self.file()
        case = actions.do_accept_case(actor=self.alice, case=case, version=case.version)
        self.assertEqual(case.status, Status.ACCEPTED)
        self.assertEqual(case.version, 2)
        self.assertGreater(case.deadline, timezone.now() + timedelta(hours=8))
        event = case.events.last()
        self.assertEqual((event.actor, event.from_status, event.to_status), (self.alice, "reported", "accepted"))

    def test_the_street_officer_rejects_with_a_reason(self):
        case = self.file()
        case = actions.do_reject_case(actor=self.alice, case=case, version=case.version, reason="不属于受理范围")
        self.assertEqual((case.status, case.reject_reason), (Status.REJECTED, "不属于受理范围"))

    def test_a_rejection_needs_a_reason(self):
        case = self.file()
        with self.assertRaisesMessage(ValidationError, "理由"):
            actions.do_reject_case(actor=self.alice, case=case, version=case.version, reason="")

    def test_a_grid_worker_cannot_accept(self):
        case = self.file()
        with self.assertRaises(PermissionDenied):
            actions.do_accept_case(actor=self.carol, case=case, version=case.version)

    def test_a_street_officer_of_the_other_district_cannot_accept(self):
        case = self.file()
        with self.assertRaises(PermissionDenied):
            actions.do_accept_case(actor=self.bob, case=case, version=case.version)

    def test_an_accepted_case_cannot_be_accepted_again(self):
        case = self.accepted()
        with self.assertRaisesMessage(ValidationError, "不能受理"):
            actions.do_accept_case(actor=self.alice, case=case, version=case.version)

    def test_a_stale_version_is_refused_and_changes_nothing(self):
        case = self.file()
        actions.do_accept_case(actor=self.alice, case=case, version=1)
        with self.assertRaises(StaleCase):
            actions.do_reject_case(actor=self.dave, case=case, version=1, reason="重复")
        case.refresh_from_db()
        self.assertEqual(case.status, Status.ACCEPTED)
        self.assertEqual(case.events.count(), 2)


class AssignTestCase(CaseTestCase):
    def test_the_street_officer_assigns_to_a_person_with_the_category_deadline(self):
        case = self.accepted()
        case = actions.do_assign_case(actor=self.alice, case=case, version=case.version, assignee=self.carol)
        self.assertEqual((case.status, case.assignee), (Status.ASSIGNED, self.carol))
        self.assertEqual(case.events.last().detail["to"], "卡萝")

    def test_the_street_officer_assigns_to_a_department(self):
        case = self.assigned(department=self.police_a)
        self.assertEqual((case.department, case.assignee), (self.police_a, None))

    def test_a_custom_deadline_must_lie_in_the_future(self):
        case = self.accepted()
        with self.assertRaisesMessage(ValidationError, "晚于当前时间"):
            actions.do_assign_case(actor=self.alice, case=case, version=case.version, assignee=self.carol,
                                   deadline=timezone.now() - timedelta(hours=1))

    def test_it_needs_exactly_one_of_person_or_department(self):
        case = self.accepted()
        with self.assertRaisesMessage(ValidationError, "二选一"):
            actions.do_assign_case(actor=self.alice, case=case, version=case.version)
        with self.assertRaisesMessage(ValidationError, "二选一"):
            actions.do_assign_case(actor=self.alice, case=case, version=case.version, assignee=self.carol,
                                   department=self.police_a)

    def test_it_refuses_an_assignee_outside_the_cases_territory(self):
        case = self.accepted()
        with self.assertRaisesMessage(ValidationError, "不在该事件所在辖区"):
            actions.do_assign_case(actor=self.alice, case=case, version=case.version, assignee=self.bob)

    def test_a_community_staff_member_cannot_assign(self):
        case = self.accepted()
        with self.assertRaises(PermissionDenied):
            actions.do_assign_case(actor=self.ivan, case=case, version=case.version, assignee=self.carol)

    def test_a_reported_case_cannot_be_assigned_before_acceptance(self):
        case = self.file()
        with self.assertRaisesMessage(ValidationError, "不能派遣"):
            actions.do_assign_case(actor=self.alice, case=case, version=case.version, assignee=self.carol)

    def test_an_assigned_case_can_be_reassigned(self):
        case = self.assigned()
        case = actions.do_assign_case(actor=self.alice, case=case, version=case.version, department=self.police_a)
        self.assertEqual((case.assignee, case.department), (None, self.police_a))


class HandleTestCase(CaseTestCase):
    def test_the_assignee_reports_back_with_evidence(self):
        case = self.assigned()
        case = actions.do_handle_case(actor=self.carol, case=case, version=case.version, note="已清理。",
                                      evidence=[jpeg()])
        self.assertEqual(case.status, Status.HANDLED)
        self.assertEqual(case.photos.get().event.action, CaseEvent.Action.HANDLE)

    def test_a_member_of_the_assigned_department_reports_back(self):
        case = self.assigned(department=self.police_a)
        case = actions.do_handle_case(actor=self.heidi, case=case, version=case.version, note="已处置。")
        self.assertEqual(case.status, Status.HANDLED)

    def test_someone_else_in_scope_cannot_report_back(self):
        case = self.assigned(assignee=self.carol)
        with self.assertRaises(PermissionDenied):
            actions.do_handle_case(actor=self.alice, case=case, version=case.version, note="x")
        with self.assertRaises(PermissionDenied):
            actions.do_handle_case(actor=self.heidi, case=case, version=case.version, note="x")

    def test_feedback_is_required(self):
        case = self.assigned()
        with self.assertRaisesMessage(ValidationError, "处置情况"):
            actions.do_handle_case(actor=self.carol, case=case, version=case.version, note="")

    def test_an_accepted_but_unassigned_case_cannot_be_handled(self):
        case = self.accepted()
        with self.assertRaises(PermissionDenied):
            actions.do_handle_case(actor=self.carol, case=case, version=case.version, note="x")


class VerifyCloseRateTestCase(CaseTestCase):
    def test_the_grid_worker_verifies_and_the_case_closes(self):
        case = self.handled()
        case = actions.do_verify_case(actor=self.carol, case=case, version=case.version, fixed=True)
        self.assertEqual(case.status, Status.CLOSED)
        self.assertIsNotNone(case.closed_at)
        self.assertEqual(
            list(case.events.values_list("action", flat=True)), ["file", "accept", "assign", "handle", "verify_ok"]
        )

    def test_not_fixed_goes_back_to_handling_and_counts_as_rework(self):
        case = self.handled()
        with self.captureOnCommitCallbacks(execute=True):
            case = actions.do_verify_case(actor=self.carol, case=case, version=case.version, fixed=False,
                                          note="杂物仍在。")
        self.assertEqual((case.status, case.rework_count), (Status.ASSIGNED, 1))
        self.assertTrue(self.carol.case_notices.filter(kind="returned").exists())

    def test_not_fixed_needs_a_reason(self):
        case = self.handled()
        with self.assertRaisesMessage(ValidationError, "未解决的原因"):
            actions.do_verify_case(actor=self.carol, case=case, version=case.version, fixed=False)

    def test_a_grid_worker_of_another_grid_cannot_verify(self):
        case = self.handled()
        with self.assertRaises(PermissionDenied):
            actions.do_verify_case(actor=self.gina, case=case, version=case.version, fixed=True)

    def test_a_department_handler_cannot_verify_their_own_work(self):
        case = self.handled(department=self.police_a)
        with self.assertRaises(PermissionDenied):
            actions.do_verify_case(actor=self.heidi, case=case, version=case.version, fixed=True)

    def test_an_assigned_case_cannot_be_verified(self):
        case = self.assigned()
        with self.assertRaisesMessage(ValidationError, "不能核查"):
            actions.do_verify_case(actor=self.carol, case=case, version=case.version, fixed=True)

    def test_the_filer_rates_a_closed_case_once(self):
        case = self.handled()
        case = actions.do_verify_case(actor=self.carol, case=case, version=case.version, fixed=True)
        case = actions.do_rate_case(actor=self.carol, case=case, version=case.version, rating=5, note="很及时")
        self.assertEqual(case.rating, 5)
        with self.assertRaisesMessage(ValidationError, "已评价"):
            actions.do_rate_case(actor=self.carol, case=case, version=case.version, rating=4)

    def test_a_rating_must_be_one_to_five(self):
        case = self.handled()
        case = actions.do_verify_case(actor=self.carol, case=case, version=case.version, fixed=True)
        with self.assertRaisesMessage(ValidationError, "1 至 5"):
            actions.do_rate_case(actor=self.carol, case=case, version=case.version, rating=9)

    def test_an_open_case_cannot_be_rated(self):
        case = self.assigned()
        with self.assertRaisesMessage(ValidationError, "不能评价"):
            actions.do_rate_case(actor=self.carol, case=case, version=case.version, rating=5)

    def test_a_stranger_cannot_rate(self):
        case = self.handled()
        case = actions.do_verify_case(actor=self.carol, case=case, version=case.version, fixed=True)
        with self.assertRaises(PermissionDenied):
            actions.do_rate_case(actor=self.bob, case=case, version=case.version, rating=1)


class CommentEscalateTestCase(CaseTestCase):
    def test_a_comment_joins_the_timeline_without_changing_the_version(self):
        case = self.file()
        actions.do_comment_case(actor=self.alice, case=case, note="已电话联系物业。")
        case.refresh_from_db()
        self.assertEqual(case.version, 1)
        self.assertEqual(case.events.last().note, "已电话联系物业。")

    def test_someone_outside_the_scope_cannot_comment(self):
        case = self.file()
        with self.assertRaises(PermissionDenied):
            actions.do_comment_case(actor=self.bob, case=case, note="x")

    def test_the_street_officer_escalates_by_hand_one_level_up(self):
        case = self.accepted()
        with self.captureOnCommitCallbacks(execute=True):
            case = actions.do_escalate_case(actor=self.alice, case=case, version=case.version, reason="涉及多部门")
        self.assertEqual(case.level, Level.STREET)
        self.assertTrue(self.alice.case_notices.filter(kind="escalated").exists())
        with self.captureOnCommitCallbacks(execute=True):
            case = actions.do_escalate_case(actor=self.dave, case=case, version=case.version, reason="需区级协调")
        self.assertEqual(case.level, Level.DISTRICT)
        self.assertTrue(self.dave.case_notices.filter(kind="escalated").exists())

    def test_a_grid_worker_cannot_escalate(self):
        case = self.file()
        with self.assertRaises(PermissionDenied):
            actions.do_escalate_case(actor=self.carol, case=case, version=case.version, reason="x")

    def test_a_closed_case_cannot_be_escalated(self):
        case = self.file(self_handle=True, evidence_note="已处理", evidence=[jpeg()])
        with self.assertRaisesMessage(ValidationError, "不能升级"):
            actions.do_escalate_case(actor=self.alice, case=case, version=case.version, reason="x")


class ExtensionTestCase(CaseTestCase):
    def test_the_handler_asks_and_the_street_grants_more_time(self):
        case = self.assigned(department=self.police_a)
        before = case.deadline
        ext = actions.do_request_extension(actor=self.heidi, case=case, version=case.version, days=2, reason="待配件")
        case.refresh_from_db()
        ext = actions.do_decide_extension(actor=self.alice, extension=ext, version=case.version, grant=True)
        case.refresh_from_db()
        self.assertEqual(ext.state, Extension.State.GRANTED)
        self.assertGreater(case.deadline, before)
        self.assertEqual(
            list(case.events.values_list("action", flat=True))[-2:], ["ext_request", "ext_grant"]
        )

    def test_the_street_refuses_and_the_deadline_stays(self):
        case = self.assigned(department=self.police_a)
        ext = actions.do_request_extension(actor=self.heidi, case=case, version=case.version, days=2, reason="待配件")
        case.refresh_from_db()
        before = case.deadline
        actions.do_decide_extension(actor=self.alice, extension=ext, version=case.version, grant=False)
        case.refresh_from_db()
        self.assertEqual(case.deadline, before)

    def test_a_handler_cannot_grant_their_own_extension(self):
        case = self.assigned(assignee=self.alice)
        ext = actions.do_request_extension(actor=self.alice, case=case, version=case.version, days=1, reason="忙")
        case.refresh_from_db()
        with self.assertRaises(PermissionDenied):
            actions.do_decide_extension(actor=self.alice, extension=ext, version=case.version, grant=True)
        actions.do_decide_extension(actor=self.dave, extension=ext, version=case.version, grant=True)

    def test_a_grid_worker_cannot_decide_an_extension(self):
        case = self.assigned(department=self.police_a)
        ext = actions.do_request_extension(actor=self.heidi, case=case, version=case.version, days=2, reason="待配件")
        case.refresh_from_db()
        with self.assertRaises(PermissionDenied):
            actions.do_decide_extension(actor=self.carol, extension=ext, version=case.version, grant=True)

    def test_only_the_handler_may_ask_and_only_once_at_a_time(self):
        case = self.assigned(department=self.police_a)
        with self.assertRaises(PermissionDenied):
            actions.do_request_extension(actor=self.carol, case=case, version=case.version, days=2, reason="x")
        actions.do_request_extension(actor=self.heidi, case=case, version=case.version, days=2, reason="x")
        case.refresh_from_db()
        with self.assertRaisesMessage(ValidationError, "待审批"):
            actions.do_request_extension(actor=self.heidi, case=case, version=case.version, days=2, reason="x")

    def test_days_must_be_between_one_and_thirty(self):
        case = self.assigned(department=self.police_a)
        with self.assertRaisesMessage(ValidationError, "1 至 30"):
            actions.do_request_extension(actor=self.heidi, case=case, version=case.version, days=99, reason="x")


class MergeTestCase(CaseTestCase):
    def test_an_officer_merges_a_duplicate_into_its_original(self):
        original = self.file()
        dup = self.file(actor=self.ivan)
        dup = actions.do_merge_case(actor=self.alice, duplicate=dup, original=original, version=dup.version)
        self.assertEqual((dup.status, dup.merged_into), (Status.MERGED, original))
        self.assertIn("已合并至本事件", original.events.last().note)

    def test_a_grid_worker_cannot_merge(self):
        original, dup = self.file(), self.file()
        with self.assertRaises(PermissionDenied):
            actions.do_merge_case(actor=self.carol, duplicate=dup, original=original, version=dup.version)

    def test_a_case_cannot_be_merged_into_itself_or_into_a_merged_case(self):
        a, b, c = self.file(), self.file(), self.file()
        with self.assertRaises(ValidationError):
            actions.do_merge_case(actor=self.alice, duplicate=a, original=a, version=a.version)
        actions.do_merge_case(actor=self.alice, duplicate=b, original=a, version=b.version)
        with self.assertRaisesMessage(ValidationError, "不能作为合并目标"):
            actions.do_merge_case(actor=self.alice, duplicate=c, original=Case.objects.get(pk=b.pk), version=c.version)




class FileCaseRegisterLinkTestCase(LinkTestCase):
    def test_do_file_case_refuses_a_resident_outside_the_actors_scope_and_writes_nothing(self):
        from django.core.exceptions import ValidationError

        from disputes.models import Case

        with self.assertRaisesMessage(ValidationError, "所选人员不属于该网格或不在您的辖区内。"):
            self.file(residents=[self.wang.pk])
        self.assertFalse(Case.objects.exists())

    def test_a_resident_may_be_passed_as_a_row_rather_than_an_id(self):
        case = actions.do_file_case(actor=self.carol, grid=self.grid_a, category=self.clutter, title="t",
                                    description="d", residents=[self.zhang])
        self.assertEqual(list(case.residents.all()), [self.zhang])

"""A department's open lists (overdue, supervision, open, the desk) read its dispatches from the rows
whose case is still open (CaseDispatch.case_open, issue 17): the same cases as the definition they
replace — every case ever dispatched to the department or the handler, among the open ones — along
every path that opens or closes a case: dispatch, redispatch, send back, handle, verify, merge, and a
broken agreement that reopens a closed dispute."""

from django.utils import timezone

from disputes.actions import cases as actions
from disputes.actions import mediation as ma
from disputes.models import OPEN_STATUSES, CaseDispatch, CaseKind, Dispute
from disputes.selectors.cases import case_list, visible_cases
from disputes.selectors.mediation import IN_MEDIATION, desk_cases
from disputes.tests.dispute_base import DisputeTestCase
from governance.models import Department, DepartmentKind
from governance.roles import Role
from governance.tests.base import make_user


class DepartmentOpenListsTestCase(DisputeTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.justice = Department.objects.create(name="八田地司法所", kind=DepartmentKind.JUSTICE, region=cls.batiandi)
        cls.ken = make_user("ken", "肯", Role.DEPT_HANDLER, cls.batiandi, department=cls.justice)

    def fresh(self, user):
        """The user as a new request sees them (no scope cache)."""
        return type(user).objects.get(pk=user.pk)

    def assert_same_as_the_old_definition(self) -> None:
        # The copy itself: exactly the dispatch rows of open cases say so (a path that forgets to keep
        # it fails here, even where the list's own status filter would hide it).
        self.assertEqual(
            set(CaseDispatch.objects.filter(case_open=True).values_list("pk", flat=True)),
            set(CaseDispatch.objects.filter(case__status__in=OPEN_STATUSES).values_list("pk", flat=True)),
        )
        for user in (self.heidi, self.ken, self.mona, self.carol, self.alice):
            old = visible_cases(self.fresh(user)).filter(status__in=OPEN_STATUSES)
            for params in ({"status": "open"}, {"supervision": "any"}, {"overdue": "1"}):
                qs, _cleaned, errors = case_list(self.fresh(user), params)
                self.assertEqual(errors, [])
                wanted = old
                if "supervision" in params:
                    wanted = old.filter(supervision__in=[1, 2])
                if "overdue" in params:
                    wanted = old.filter(deadline__lt=timezone.now())
                self.assertEqual(set(qs.values_list("pk", flat=True)), set(wanted.values_list("pk", flat=True)),
                                 f"{user.username} {params}")
            old_desk = visible_cases(self.fresh(user)).filter(kind=CaseKind.DISPUTE, status__in=IN_MEDIATION)
            self.assertEqual(set(desk_cases(self.fresh(user)).values_list("pk", flat=True)),
                             set(old_desk.values_list("pk", flat=True)), f"{user.username} desk")

    def test_a_dispatched_case_is_in_the_departments_open_lists(self):
        case = self.assigned(department=self.police_a)
        self.assert_same_as_the_old_definition()
        qs, _c, _e = case_list(self.fresh(self.heidi), {"status": "open"})
        self.assertEqual(list(qs.values_list("pk", flat=True)), [case.pk])

    def test_a_case_redispatched_elsewhere_stays_in_the_first_departments_open_lists(self):
        case = self.assigned(department=self.police_a)
        case = actions.do_assign_case(actor=self.alice, case=case, version=case.version, department=self.justice)
        self.assert_same_as_the_old_definition()
        for user in (self.heidi, self.ken):
            qs, _c, _e = case_list(self.fresh(user), {"status": "open"})
            self.assertEqual(list(qs.values_list("pk", flat=True)), [case.pk])

    def test_a_case_sent_back_handled_and_reworked_stays_in_the_open_lists(self):
        case = self.assigned(department=self.police_a)
        case = actions.do_send_back_case(actor=self.heidi, case=case, version=case.version, reason="不属于本部门职责")
        self.assert_same_as_the_old_definition()
        case = actions.do_assign_case(actor=self.alice, case=case, version=case.version, department=self.police_a)
        case = actions.do_handle_case(actor=self.heidi, case=case, version=case.version, note="已清理完毕。")
        self.assert_same_as_the_old_definition()
        case = actions.do_verify_case(actor=self.carol, case=case, version=case.version, fixed=False, note="仍有堆物")
        self.assert_same_as_the_old_definition()
        qs, _c, _e = case_list(self.fresh(self.heidi), {"status": "open"})
        self.assertEqual(list(qs.values_list("pk", flat=True)), [case.pk])

    def test_a_closed_case_leaves_the_open_lists_and_its_dispatch_rows_say_so(self):
        case = self.handled(department=self.police_a)
        actions.do_verify_case(actor=self.carol, case=case, version=case.version, fixed=True)
        self.assertFalse(CaseDispatch.objects.filter(case=case, case_open=True).exists())
        self.assert_same_as_the_old_definition()

    def test_a_merged_duplicate_leaves_the_open_lists(self):
        original = self.assigned(department=self.police_a)
        duplicate = self.assigned(department=self.justice)
        actions.do_merge_case(actor=self.alice, duplicate=duplicate, original=original, version=duplicate.version)
        self.assertFalse(CaseDispatch.objects.filter(case=duplicate, case_open=True).exists())
        self.assert_same_as_the_old_definition()

    def test_a_reopened_dispute_is_back_in_the_desk_of_every_department_it_was_dispatched_to(self):
        d = self.dispute()
        case = actions.do_accept_case(actor=self.alice, case=d.case, version=d.case.version)
        case = actions.do_assign_case(actor=self.alice, case=case, version=case.version, department=self.justice)
        self.assertEqual(set(desk_cases(self.fresh(self.ken)).values_list("pk", flat=True)), {case.pk})
        case = actions.do_assign_case(actor=self.alice, case=case, version=case.version, assignee=self.mona)
        d = Dispute.objects.select_related("case", "case__grid").get(pk=d.pk)
        ma.do_settle_dispute(
            actor=self.mona, dispute=d, version=d.case.version, facts="402室天花板因502室水管渗漏受损。",
            terms="李秀英于十日内赔偿张建国维修费人民币三千元。", performance="现金一次性支付",
            performance_due="2026-12-31",
        )
        d = Dispute.objects.select_related("case", "case__grid").get(pk=d.pk)
        actions.do_verify_case(actor=self.carol, case=d.case, version=d.case.version, fixed=True)
        self.assertFalse(desk_cases(self.fresh(self.ken)).exists())
        self.assert_same_as_the_old_definition()
        with self.captureOnCommitCallbacks(execute=True):
            ma.do_record_follow_up(actor=self.mona, follow_up=d.follow_ups.first(), version=None, holds=False,
                                   note="李秀英拒不支付")
        self.assert_same_as_the_old_definition()
        self.assertEqual(set(desk_cases(self.fresh(self.ken)).values_list("pk", flat=True)), {case.pk})

"""allowed_actions(user, case) and allowed_dispute_actions(user, dispute): what each person may do
on a case now, tested directly (the pages show exactly these actions, one URL each)."""

from disputes.actions import cases as actions
from disputes.selectors.cases import allowed_actions
from disputes.selectors.mediation import allowed_dispute_actions
from disputes.tests.base import jpeg
from disputes.tests.dispute_base import DisputeTestCase


class AllowedActionsTestCase(DisputeTestCase):
    def test_a_reported_case_may_be_accepted_or_rejected_by_the_street_officer(self):
        case = self.file()
        self.assertEqual(allowed_actions(self.alice, case), {"accept", "reject", "escalate", "merge", "comment",
                                                                "convert"})

    def test_the_grid_worker_who_filed_it_may_only_comment(self):
        self.assertEqual(allowed_actions(self.carol, self.file()), {"comment"})

    def test_the_assignee_may_handle_and_ask_for_more_time(self):
        case = self.assigned(assignee=self.carol)
        self.assertEqual(allowed_actions(self.carol, case), {"handle", "extend", "send_back", "comment"})

    def test_a_department_handler_handles_what_was_dispatched_to_the_department(self):
        case = self.assigned(department=self.police_a)
        self.assertLessEqual({"handle", "extend"}, allowed_actions(self.heidi, case))
        self.assertNotIn("assign", allowed_actions(self.heidi, case))

    def test_a_department_handler_may_send_back_what_is_not_her_department_s(self):
        case = self.assigned(department=self.police_a)
        self.assertIn("send_back", allowed_actions(self.heidi, case))
        self.assertNotIn("send_back", allowed_actions(self.alice, case))  # the dispatcher reassigns instead

    def test_a_plain_open_case_may_be_converted_by_a_dispatcher_or_a_mediator_not_by_its_filer(self):
        case = self.file()
        self.assertIn("convert", allowed_actions(self.alice, case))
        self.assertIn("convert", allowed_actions(self.mona, case))
        self.assertNotIn("convert", allowed_actions(self.carol, case))
        self.assertNotIn("convert", allowed_actions(self.alice, self.dispute().case))

    def test_the_filer_of_a_self_handled_case_is_not_offered_to_rate_it(self):
        case = self.file(self_handle=True, evidence_note="已清理", evidence=[jpeg()])
        self.assertNotIn("rate", allowed_actions(self.carol, case))
        self.assertIn("rate", allowed_actions(self.alice, case))

    def test_a_handled_case_waits_for_verification(self):
        case = self.handled()
        self.assertIn("verify", allowed_actions(self.alice, case))
        self.assertNotIn("handle", allowed_actions(self.carol, case))

    def test_the_filer_may_rate_a_closed_case_once(self):
        case = self.handled()
        case = actions.do_verify_case(actor=self.alice, case=case, version=case.version, fixed=True)
        self.assertIn("rate", allowed_actions(self.carol, case))
        case = actions.do_rate_case(actor=self.carol, case=case, version=case.version, rating=5)
        self.assertNotIn("rate", allowed_actions(self.carol, case))

    def test_the_city_leader_may_not_escalate_beyond_the_city(self):
        case = self.accepted()
        for _step in range(3):  # community → street → district → city
            case = actions.do_escalate_case(actor=self.erin, case=case, version=case.version, reason="久拖不决")
        self.assertNotIn("escalate", allowed_actions(self.erin, case))

    def test_nobody_outside_the_territory_may_act(self):
        self.assertEqual(allowed_actions(self.bob, self.file()), frozenset())

    def test_a_dispute_is_not_handled_on_the_case_page_but_its_mediator_may_ask_for_time(self):
        dispute = self.mediating()
        allowed = allowed_actions(self.mona, dispute.case)
        self.assertNotIn("handle", allowed)
        self.assertIn("extend", allowed)


class AllowedDisputeActionsTestCase(DisputeTestCase):
    def test_the_mediator_of_an_open_dispute_may_mediate_it(self):
        allowed = allowed_dispute_actions(self.mona, self.mediating())
        self.assertLessEqual({"schedule", "record", "settle", "refer", "add_party"}, allowed)
        self.assertNotIn("follow_up", allowed)
        self.assertNotIn("agreement", allowed)

    def test_a_settled_dispute_has_an_agreement_and_follow_ups(self):
        allowed = allowed_dispute_actions(self.mona, self.settled())
        self.assertLessEqual({"agreement", "follow_up", "schedule_follow_up"}, allowed)
        self.assertNotIn("settle", allowed)

    def test_only_a_court_referred_dispute_may_be_extended(self):
        self.assertNotIn("extend", allowed_dispute_actions(self.mona, self.mediating()))
        court = self.mediating(source="court", source_detail="站前区人民法院（2026）辽0802民调1号")
        self.assertIn("extend", allowed_dispute_actions(self.mona, court))

    def test_the_grid_worker_may_add_a_party_but_not_reveal_personal_data(self):
        allowed = allowed_dispute_actions(self.carol, self.mediating())
        self.assertIn("add_party", allowed)
        self.assertNotIn("reveal", allowed)
        self.assertIn("reveal", allowed_dispute_actions(self.alice, self.mediating()))

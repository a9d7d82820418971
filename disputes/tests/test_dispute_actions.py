"""Filing a dispute, risk assessment and the risk register, every outcome path, court time limits,
follow-ups (a broken agreement reopens), and party data kept encrypted and masked."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from disputes.actions import cases as actions
from disputes.actions import mediation as ma
from disputes.kernel import CaseStateError, StaleCase
from disputes.models import (
    Case,
    Dispute,
    FollowUp,
    Notice,
    Outcome,
    Party,
    RiskEntry,
    RiskLevel,
    Status,
)
from disputes.tests.dispute_base import APPLICANT, RESPONDENT, DisputeTestCase
from disputes.tests.link_base import ZHANG_ID, ZHANG_PHONE, LinkTestCase
from governance.models import AuditEvent
from parties.pii import decrypt, mask_id_number

MASKED_ID = mask_id_number("11010519491231002X")  # what a user who may not reveal sees


class FileDisputeTestCase(DisputeTestCase):
    def test_filing_creates_a_case_of_the_dispute_kind_with_its_parties(self):
        d = self.dispute()
        self.assertEqual((d.case.kind, d.case.status, d.case.category.name), ("dispute", Status.REPORTED, "邻里纠纷"))
        self.assertEqual(list(d.parties.values_list("side", "name")),
                         [("applicant", "张建国"), ("respondent", "李秀英")])
        self.assertEqual(Case.objects.get(pk=d.pk).involved, "张建国；李秀英")
        self.assertTrue(AuditEvent.objects.filter(action="dispute.file", target_id=str(d.pk)).exists())

    def test_party_id_numbers_and_phones_are_stored_encrypted_and_masked(self):
        d = self.dispute()
        p = d.parties.get(side="applicant")
        self.assertEqual((p.id_number_masked, p.phone_masked), (MASKED_ID, "138****1234"))
        self.assertNotIn("11010519491231002X", p.id_number_enc)
        self.assertEqual((decrypt(p.id_number_enc), decrypt(p.phone_enc)), ("11010519491231002X", "13812341234"))

    def test_a_bad_id_checksum_is_refused_and_nothing_is_written(self):
        bad = dict(APPLICANT, id_number="110105194912310021")
        with self.assertRaisesMessage(ValidationError, "校验不通过"):
            self.dispute(parties=[bad, dict(RESPONDENT)])
        self.assertFalse(Case.objects.exists())

    def test_both_sides_are_required(self):
        with self.assertRaisesMessage(ValidationError, "被申请人"):
            self.dispute(parties=[dict(APPLICANT)])

    def test_a_referred_dispute_needs_the_referring_body(self):
        with self.assertRaisesMessage(ValidationError, "移交单位"):
            self.dispute(source="court")

    def test_someone_without_filing_rights_in_the_grid_cannot_file(self):
        with self.assertRaises(PermissionDenied):
            self.dispute(actor=self.bob)

    def test_the_mediation_clock_is_one_month_or_thirty_days_for_a_court_referral(self):
        now = timezone.now()
        d = self.dispute(now=now)
        self.assertEqual(d.mediation_due, ma.add_months(now, 1))
        court = self.dispute(source="court", source_detail="站前区人民法院 委派〔2026〕12号", now=now)
        self.assertEqual(court.mediation_due, now + timedelta(days=30))

    def test_accepting_a_dispute_puts_the_mediation_limit_on_the_case(self):
        d = self.mediating()
        self.assertEqual(d.case.deadline, d.mediation_due)


class RiskTestCase(DisputeTestCase):
    def test_a_small_dispute_is_general_and_stays_out_of_the_register(self):
        d = self.dispute()
        self.assertEqual(d.risk_level, RiskLevel.GENERAL)
        self.assertFalse(RiskEntry.objects.exists())

    def test_many_people_make_it_major_and_it_enters_the_register(self):
        d = self.dispute(people_count=8)
        self.assertEqual(d.risk_level, RiskLevel.MAJOR)
        entry = RiskEntry.objects.get(dispute=d)
        self.assertEqual((entry.level, entry.grid_id, entry.closed_at), (RiskLevel.MAJOR, self.grid_a.code, None))
        self.assertIn("涉及 5 人以上（较大）", d.risk_reasons)

    def test_a_threat_of_violence_makes_it_severe(self):
        d = self.dispute(threat_violence=True, amount="200000")
        self.assertEqual(d.risk_level, RiskLevel.SEVERE)
        self.assertEqual(len(d.risk_reasons), 2)

    def test_the_dispute_type_can_be_a_criterion(self):
        self.assertEqual(self.dispute(dispute_type=self.land).risk_level, RiskLevel.MAJOR)

    def test_reassessment_raises_the_level_and_updates_the_open_entry_without_a_second_one(self):
        d = self.dispute(people_count=6)
        d = ma.do_assess_risk(actor=self.alice, dispute=d, version=None, threat_violence=True)
        self.assertEqual(d.risk_level, RiskLevel.SEVERE)
        self.assertEqual(list(RiskEntry.objects.values_list("level", flat=True)), [RiskLevel.SEVERE])

    def test_an_officer_may_raise_the_level_by_hand_with_a_reason(self):
        d = self.dispute()
        with self.assertRaisesMessage(ValidationError, "理由"):
            ma.do_assess_risk(actor=self.alice, dispute=d, version=None, level=3)
        d = ma.do_assess_risk(actor=self.alice, dispute=d, version=None, level=3, note="一方扬言报复")
        self.assertEqual(d.risk_level, RiskLevel.SEVERE)
        self.assertTrue(RiskEntry.objects.filter(dispute=d, closed_at=None).exists())

    def test_a_grid_worker_cannot_assess_risk(self):
        with self.assertRaises(PermissionDenied):
            ma.do_assess_risk(actor=self.carol, dispute=self.dispute(), version=None, people_count=50)

    def test_the_register_entry_gets_an_owner_reviews_and_is_closed(self):
        d = self.dispute(people_count=40)
        entry = RiskEntry.objects.get(dispute=d)
        with self.captureOnCommitCallbacks(execute=True):
            ma.do_update_risk_entry(actor=self.alice, entry=entry, version=None, owner=self.carol, responsibility="网格员每日走访",
                                    measures="双方隔离劝导，街道派出所介入", next_review=timezone.localdate() + timedelta(days=3))
        self.assertTrue(Notice.objects.filter(user=self.carol, text__contains="责任人").exists())
        ma.do_review_risk(actor=self.carol, entry=entry, version=None, note="情绪已平稳", next_review=timezone.localdate() + timedelta(days=7))
        ma.do_close_risk(actor=self.alice, entry=entry, version=None, note="已调解成功，风险消除")
        entry.refresh_from_db()
        self.assertIsNotNone(entry.closed_at)
        self.assertEqual(entry.reviews.count(), 1)
        with self.assertRaises(CaseStateError):
            ma.do_close_risk(actor=self.alice, entry=entry, version=None, note="again")

    def test_after_closing_a_new_assessment_opens_a_new_entry(self):
        d = self.dispute(people_count=6)
        ma.do_close_risk(actor=self.alice, entry=RiskEntry.objects.get(dispute=d), version=None, note="已化解")
        ma.do_assess_risk(actor=self.alice, dispute=d, version=None, threat_petition=True)
        self.assertEqual(RiskEntry.objects.filter(dispute=d).count(), 2)

    def test_the_owner_must_be_in_the_territory(self):
        entry = RiskEntry.objects.get(dispute=self.dispute(people_count=6))
        with self.assertRaisesMessage(ValidationError, "辖区"):
            ma.do_update_risk_entry(actor=self.alice, entry=entry, version=None, owner=self.bob, responsibility="x", measures="y",
                                    next_review="2030-01-01")


class OutcomeTestCase(DisputeTestCase):
    def test_sessions_are_scheduled_in_a_room_and_recorded(self):
        d = self.mediating()
        at = timezone.now() - timedelta(minutes=5)
        s = ma.do_schedule_session(actor=self.mona, dispute=d, at=at, room=self.room)
        self.assertEqual(list(s.mediators.all()), [self.mona])
        ma.do_record_session(actor=self.mona, session=s, attendees="张建国、李秀英、莫娜",
                             applicant_statement="要求赔偿五千元", respondent_statement="只愿承担两千元", agreed="三千元")
        s.refresh_from_db()
        self.assertTrue(s.held)

    def test_a_session_cannot_be_scheduled_before_the_dispute_is_accepted(self):
        d = self.dispute()
        with self.assertRaises(CaseStateError):
            ma.do_schedule_session(actor=self.mona, dispute=d, at=timezone.now(), room=self.room)

    def test_a_grid_worker_cannot_mediate(self):
        d = self.mediating()
        with self.assertRaises(PermissionDenied):
            ma.do_settle_dispute(actor=self.carol, dispute=d, version=d.case.version, facts="f", terms="t",
                                 performance="p")

    def test_settling_records_the_agreement_schedules_follow_ups_and_goes_to_verification(self):
        d = self.settled()
        self.assertEqual((d.outcome, d.case.status), (Outcome.SETTLED, Status.HANDLED))
        self.assertTrue(d.agreement_no.startswith("调协字〔"))
        self.assertEqual(list(d.follow_ups.values_list("owner__username", flat=True)), ["mona", "mona"])
        case = actions.do_verify_case(actor=self.carol, case=d.case, version=d.case.version, fixed=True)
        self.assertEqual(case.status, Status.CLOSED)

    def test_not_settled_it_is_referred_with_the_hand_off_recorded(self):
        d = self.mediating()
        ma.do_refer_dispute(actor=self.mona, dispute=d, version=d.case.version, target="court",
                            target_name="站前区人民法院", note="双方分歧较大，已告知可向法院起诉。")
        d.refresh_from_db()
        self.assertEqual((d.outcome, d.referred_to, d.referred_to_name), (Outcome.REFERRED, "court", "站前区人民法院"))
        self.assertIn("移交人民法院（诉讼）", d.case.events.last().note)
        self.assertFalse(d.follow_ups.exists())

    def test_a_stale_version_is_refused(self):
        d = self.mediating()
        with self.assertRaises(StaleCase):
            ma.do_refer_dispute(actor=self.mona, dispute=d, version=d.case.version - 1, target="court",
                                target_name="法院", note="x")

    def test_an_unknown_referral_target_is_refused(self):
        d = self.mediating()
        with self.assertRaisesMessage(ValidationError, "移交去向"):
            ma.do_refer_dispute(actor=self.mona, dispute=d, version=d.case.version, target="moon", target_name="x",
                                note="x")


class CourtTimeLimitTestCase(DisputeTestCase):
    def court(self):
        return self.mediating(source="court", source_detail="站前区人民法院 委派〔2026〕12号")

    def test_a_court_referral_can_be_extended_once_by_thirty_days(self):
        d = self.court()
        due = d.mediation_due
        ma.do_extend_mediation(actor=self.mona, dispute=d, version=d.case.version, reason="当事人申请，法院同意")
        d = Dispute.objects.select_related("case").get(pk=d.pk)
        self.assertEqual(d.mediation_due, due + timedelta(days=30))
        self.assertEqual(d.case.deadline, d.mediation_due)
        with self.assertRaisesMessage(CaseStateError, "只能延长一次"):
            ma.do_extend_mediation(actor=self.mona, dispute=d, version=d.case.version, reason="再延")

    def test_other_disputes_cannot_be_extended_this_way(self):
        d = self.mediating()
        with self.assertRaisesMessage(CaseStateError, "法院委派"):
            ma.do_extend_mediation(actor=self.mona, dispute=d, version=d.case.version, reason="x")

    def test_an_expired_court_referral_is_overdue_like_any_case(self):
        from disputes.tasks.cases import supervise_overdue_cases

        d = self.court()
        Case.objects.filter(pk=d.pk).update(deadline=timezone.now() - timedelta(hours=1))
        supervise_overdue_cases()
        self.assertEqual(Case.objects.get(pk=d.pk).supervision, 1)


class FollowUpTestCase(DisputeTestCase):
    def test_an_agreement_that_holds_is_recorded(self):
        d = self.settled()
        f = d.follow_ups.first()
        ma.do_record_follow_up(actor=self.mona, follow_up=f, version=None, holds=True, note="已履行")
        f.refresh_from_db()
        self.assertEqual((f.holds, f.is_pending), (True, False))
        self.assertEqual(Dispute.objects.get(pk=d.pk).outcome, Outcome.SETTLED)

    def test_a_broken_agreement_reopens_the_dispute(self):
        d = self.settled()
        case = actions.do_verify_case(actor=self.carol, case=d.case, version=d.case.version, fixed=True)
        f = d.follow_ups.first()
        with self.captureOnCommitCallbacks(execute=True):
            ma.do_record_follow_up(actor=self.mona, follow_up=f, version=None, holds=False, note="李秀英拒不支付")
        d = Dispute.objects.select_related("case").get(pk=d.pk)
        self.assertEqual((d.outcome, d.reopen_count, d.case.status), (Outcome.BROKEN, 1, Status.ASSIGNED))
        self.assertIsNone(d.case.closed_at)
        self.assertEqual(d.case.deadline, d.mediation_due)
        self.assertEqual(d.follow_ups.filter(cancelled=True).count(), 1)
        self.assertTrue(Notice.objects.filter(user=self.mona, kind="returned").exists())
        self.assertGreater(d.case.version, case.version)

    def test_a_broken_agreement_needs_a_note(self):
        f = self.settled().follow_ups.first()
        with self.assertRaises(ValidationError):
            ma.do_record_follow_up(actor=self.mona, follow_up=f, version=None, holds=False, note="")

    def test_a_follow_up_is_recorded_once(self):
        f = self.settled().follow_ups.first()
        ma.do_record_follow_up(actor=self.mona, follow_up=f, version=None, holds=True, note="")
        with self.assertRaises(CaseStateError):
            ma.do_record_follow_up(actor=self.mona, follow_up=f, version=None, holds=True, note="")

    def test_more_follow_ups_can_be_scheduled_for_someone_in_the_territory(self):
        d = self.settled()
        f = ma.do_schedule_follow_up(actor=self.mona, dispute=d, version=None, due=timezone.localdate() + timedelta(days=60),
                                     owner=self.carol)
        self.assertEqual(f.owner, self.carol)
        with self.assertRaises(ValidationError):
            ma.do_schedule_follow_up(actor=self.mona, dispute=d, version=None, due="2020-01-01")


class LoopHookTestCase(DisputeTestCase):
    def test_the_generic_handling_step_is_refused_for_a_dispute(self):
        d = self.mediating()
        with self.assertRaisesMessage(CaseStateError, "纠纷页登记调解结果"):
            actions.do_handle_case(actor=self.mona, case=d.case, version=d.case.version, note="已处理")

    def test_a_failed_verification_sends_it_back_on_the_mediation_clock(self):
        d = self.settled()
        case = actions.do_verify_case(actor=self.carol, case=d.case, version=d.case.version, fixed=False,
                                      note="协议未签字")
        # The agreement failed: a fresh mediation time limit, as after a broken follow-up.
        fresh = Dispute.objects.get(pk=d.pk).mediation_due
        self.assertGreater(fresh, d.mediation_due)
        self.assertEqual((case.status, case.deadline), (Status.ASSIGNED, fresh))




class FileDisputeRegisterLinkTestCase(LinkTestCase):
    def test_filing_a_dispute_writes_exactly_one_audit_row(self):
        d = self.dispute()
        rows = list(AuditEvent.objects.filter(action__regex=r"^(case|dispute)\.").values_list("action", flat=True))
        self.assertEqual(rows, ["dispute.file"])
        self.assertEqual(d.case.events.count(), 1)

    def test_a_registered_party_keeps_no_copy_of_the_register_pii(self):
        d = self.dispute(parties=[{"side": "applicant", "resident": self.zhang.pk}, dict(RESPONDENT)])
        party = d.parties.get(side="applicant")
        self.assertEqual(party.resident, self.zhang)
        self.assertEqual((party.name, party.id_number_enc, party.phone_enc, party.id_number_masked), ("", "", "", ""))
        self.assertEqual(party.display_name, "张三")
        self.assertEqual(party.shown_id_number(), MASKED_ID)
        self.assertEqual(party.shown_phone(plain=True), ZHANG_PHONE)
        self.assertEqual(list(d.case.residents.all()), [self.zhang])
        # Free-text notes name only the people not in the register.
        self.assertEqual(Case.objects.get(pk=d.pk).involved, RESPONDENT["name"])

    def test_a_registered_unit_may_be_a_party(self):
        d = self.dispute(parties=[dict(APPLICANT), {"side": "respondent", "unit": self.shop.pk}])
        party = d.parties.get(side="respondent")
        self.assertEqual((party.unit, party.kind, party.display_name), (self.shop, "unit", "五大门便民超市"))
        self.assertEqual(list(d.case.units.all()), [self.shop])

    def test_a_resident_of_another_district_is_refused_and_nothing_is_written(self):
        with self.assertRaisesMessage(ValidationError, "所选人员不属于该网格或不在您的辖区内。"):
            self.dispute(parties=[{"side": "applicant", "resident": self.wang.pk}, dict(RESPONDENT)])
        self.assertFalse(Case.objects.exists())
        self.assertFalse(Party.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action__startswith="dispute.").exists())

    def test_a_party_may_not_be_both_a_resident_and_a_unit(self):
        with self.assertRaisesMessage(ValidationError, "二选一"):
            self.dispute(parties=[{"side": "applicant", "resident": self.zhang.pk, "unit": self.shop.pk},
                                  dict(RESPONDENT)])

    def test_adding_a_registered_party_links_the_resident_to_the_case(self):
        d = self.dispute()
        party = ma.do_add_party(actor=self.carol, dispute=d, version=None, side="respondent", resident=str(self.zhang.pk))
        self.assertEqual(party.resident, self.zhang)
        self.assertIn(self.zhang, d.case.residents.all())
        self.assertNotIn(ZHANG_ID, party.id_number_enc)


class FailedVerificationTestCase(DisputeTestCase):
    """核查不通过 on a settled dispute: the agreement did not hold, so it no longer reads 调解成功."""

    def fail(self, d: Dispute, note="协议约定的维修费未支付") -> Dispute:
        actions.do_verify_case(actor=self.carol, case=d.case, version=d.case.version, fixed=False, note=note)
        return Dispute.objects.select_related("case").get(pk=d.pk)

    def test_a_settled_dispute_that_fails_verification_is_broken_and_back_in_mediation(self):
        d = self.settled()
        old_due = d.mediation_due
        d = self.fail(d)
        self.assertEqual((d.outcome, d.reopen_count, d.case.status), (Outcome.BROKEN, 1, Status.ASSIGNED))
        self.assertEqual(d.get_outcome_display(), "协议未履行，待重新调解")
        self.assertGreater(d.mediation_due, old_due)
        self.assertEqual(d.case.deadline, d.mediation_due)
        self.assertEqual(d.follow_ups.filter(cancelled=False, done_at__isnull=True).count(), 0)

    def test_a_broken_dispute_settled_again_reads_settled_with_its_agreement_number(self):
        d = self.settled()
        number = d.agreement_no
        d = self.fail(d)
        ma.do_settle_dispute(actor=self.mona, dispute=d, version=d.case.version, facts="同前", terms="改为分期支付",
                             performance="分两期支付")
        d = Dispute.objects.get(pk=d.pk)
        self.assertEqual((d.outcome, d.agreement_no), (Outcome.SETTLED, number))
        self.assertEqual(d.follow_ups.filter(cancelled=False).count(), 2)

    def test_a_broken_dispute_may_be_referred_onward(self):
        d = self.fail(self.settled())
        ma.do_refer_dispute(actor=self.mona, dispute=d, version=d.case.version, target="court", target_name="法院",
                            note="对方拒不履行，告知起诉")
        self.assertEqual(Dispute.objects.get(pk=d.pk).outcome, Outcome.REFERRED)

    def test_a_referred_dispute_that_fails_verification_keeps_its_outcome(self):
        d = self.mediating()
        ma.do_refer_dispute(actor=self.mona, dispute=d, version=d.case.version, target="court", target_name="法院",
                            note="调解不成")
        d = self.fail(Dispute.objects.select_related("case").get(pk=d.pk), note="移交材料不全")
        self.assertEqual((d.outcome, d.reopen_count), (Outcome.REFERRED, 0))

    def test_a_plain_case_that_fails_verification_is_untouched_by_the_hook(self):
        case = self.handled()
        case = actions.do_verify_case(actor=self.carol, case=case, version=case.version, fixed=False, note="未修好")
        self.assertEqual(case.status, Status.ASSIGNED)


class AddPartyWhileOpenTestCase(DisputeTestCase):
    def test_no_party_is_added_once_the_dispute_is_closed(self):
        d = self.settled()
        actions.do_verify_case(actor=self.carol, case=d.case, version=d.case.version, fixed=True, note="已履行")
        d = Dispute.objects.select_related("case").get(pk=d.pk)
        self.assertEqual(d.case.status, Status.CLOSED)
        with self.assertRaisesMessage(CaseStateError, "不能添加当事人"):
            ma.do_add_party(actor=self.mona, dispute=d, version=None, side="third", name="王物业")
        self.assertEqual(d.parties.count(), 2)
        self.assertFalse(AuditEvent.objects.filter(action="dispute.add_party").exists())

    def test_a_rejected_dispute_takes_no_party_either(self):
        d = self.dispute()
        actions.do_reject_case(actor=self.alice, case=d.case, version=d.case.version, reason="不属于受理范围")
        d = Dispute.objects.select_related("case").get(pk=d.pk)
        with self.assertRaises(CaseStateError):
            ma.do_add_party(actor=self.alice, dispute=d, version=None, side="third", name="王物业")


class VersionedMediationActionsTestCase(DisputeTestCase):
    """The risk, party and follow-up actions take the version of the dispute's case, as its steps do:
    a stale one is refused and changes nothing; each write moves the version on."""

    def test_a_stale_version_refuses_each_action_and_changes_nothing(self):
        d = self.settled(people_count=8)
        entry = RiskEntry.objects.get(dispute=d)
        stale = d.case.version - 1
        f = d.follow_ups.first()
        attempts = [
            lambda: ma.do_assess_risk(actor=self.alice, dispute=d, version=stale, people_count=40),
            lambda: ma.do_add_party(actor=self.mona, dispute=d, version=stale, side="third", name="王物业"),
            lambda: ma.do_schedule_follow_up(actor=self.mona, dispute=d, version=stale,
                                             due=timezone.localdate() + timedelta(days=60)),
            lambda: ma.do_record_follow_up(actor=self.mona, follow_up=f, version=stale, holds=True, note=""),
            lambda: ma.do_update_risk_entry(actor=self.alice, entry=entry, version=stale, owner=self.carol,
                                            responsibility="走访", measures="稳控", next_review=timezone.localdate()),
            lambda: ma.do_review_risk(actor=self.alice, entry=entry, version=stale, note="平稳", next_review=""),
            lambda: ma.do_close_risk(actor=self.alice, entry=entry, version=stale, note="已化解"),
        ]
        for attempt in attempts:
            with self.assertRaises(StaleCase):
                attempt()
        d = Dispute.objects.select_related("case").get(pk=d.pk)
        self.assertEqual((d.people_count, d.parties.count(), d.follow_ups.count()), (8, 2, 2))
        self.assertTrue(FollowUp.objects.get(pk=f.pk).is_pending)
        entry.refresh_from_db()
        self.assertEqual((entry.owner_id, entry.closed_at, entry.reviews.count()), (None, None, 0))

    def test_each_action_moves_the_version_on(self):
        d = self.settled(people_count=8)
        entry = RiskEntry.objects.get(dispute=d)

        def version():
            return Case.objects.get(pk=d.pk).version

        v = version()
        ma.do_review_risk(actor=self.alice, entry=entry, version=v, note="平稳", next_review="")
        self.assertEqual(version(), v + 1)
        ma.do_add_party(actor=self.mona, dispute=d, version=v + 1, side="third", name="王物业")
        ma.do_record_follow_up(actor=self.mona, follow_up=d.follow_ups.first(), version=v + 2, holds=True, note="")
        self.assertEqual(version(), v + 3)
        with self.assertRaises(StaleCase):
            ma.do_close_risk(actor=self.alice, entry=entry, version=v, note="已化解")

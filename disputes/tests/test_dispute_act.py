"""/disputes/<id>/<action>/ (one view per action): every mediation action over HTTP; bad input is a Chinese 400,
a stale form 409, no right 403, outside scope 404."""

from datetime import timedelta

from django.utils import timezone

from disputes.models import Case, Dispute, FollowUp, MediationSession, Outcome, Status
from disputes.tests.dispute_base import DisputeTestCase
from disputes.tests.link_base import LinkTestCase


class DisputeActTestCase(DisputeTestCase):
    def act(self, d, action_name, **data):
        """Post the dispute page's form, with the version it would carry now unless one is given."""
        data.setdefault("version", str(Case.objects.get(pk=d.pk).version))
        return self.client.post(f"/disputes/{d.pk}/{action_name.replace('_', '-')}/", data)

    def test_the_mediator_schedules_a_session_in_a_room_and_records_it(self):
        d = self.mediating()
        self.client.force_login(self.mona)
        at = timezone.localtime() - timedelta(minutes=10)
        r = self.act(d, "schedule", at=at.strftime("%Y-%m-%dT%H:%M"), room=str(self.clinic.pk),
                     mediators=[str(self.mona.pk)])
        self.assertRedirects(r, f"/disputes/{d.pk}/")
        s = MediationSession.objects.get()
        self.assertEqual(s.room, self.clinic)
        r = self.act(d, "record", session=str(s.pk), attendees="双方当事人", applicant_statement="要求赔偿",
                     respondent_statement="同意部分赔偿", agreed="三千元")
        self.assertRedirects(r, f"/disputes/{d.pk}/")
        self.assertTrue(MediationSession.objects.get().held)

    def test_a_session_without_time_or_place_gives_400(self):
        d = self.mediating()
        self.client.force_login(self.mona)
        self.assertContains(self.act(d, "schedule", at=""), "请填写调解时间", status_code=400)
        self.assertContains(self.act(d, "schedule", at="2026-13-45T99:00"), "调解时间格式不正确", status_code=400)
        self.assertContains(self.act(d, "schedule", at="2026-11-30T10:00"), "请选择调解室或填写调解地点",
                            status_code=400)

    def test_settling_over_http(self):
        d = self.mediating()
        self.client.force_login(self.mona)
        r = self.act(d, "settle", version=str(d.case.version), facts="事实", terms="赔偿三千元", performance="现金",
                     performance_due="2026-12-31")
        self.assertRedirects(r, f"/disputes/{d.pk}/")
        d = Dispute.objects.select_related("case").get(pk=d.pk)
        self.assertEqual((d.outcome, d.case.status), (Outcome.SETTLED, Status.HANDLED))

    def test_settling_without_terms_gives_400_and_keeps_what_was_typed(self):
        d = self.mediating()
        self.client.force_login(self.mona)
        r = self.act(d, "settle", version=str(d.case.version), facts="已查明的事实", terms="", performance="现金")
        self.assertContains(r, "请填写协议内容", status_code=400)
        self.assertContains(r, "已查明的事实", status_code=400)

    def test_a_bad_performance_date_gives_400(self):
        d = self.mediating()
        self.client.force_login(self.mona)
        r = self.act(d, "settle", version=str(d.case.version), facts="f", terms="t", performance="p",
                     performance_due="下周")
        self.assertContains(r, "履行期限格式应为", status_code=400)

    def test_a_stale_form_gives_409(self):
        d = self.mediating()
        self.client.force_login(self.mona)
        r = self.act(d, "refer", version=str(d.case.version - 1), target="court", target_name="法院", note="x")
        self.assertContains(r, "已被他人更新", status_code=409)

    def test_referring_over_http(self):
        d = self.mediating()
        self.client.force_login(self.mona)
        r = self.act(d, "refer", version=str(d.case.version), target="arbitration", target_name="营口市劳动人事争议仲裁委员会",
                     note="调解不成，告知申请仲裁。")
        self.assertRedirects(r, f"/disputes/{d.pk}/")
        self.assertEqual(Dispute.objects.get(pk=d.pk).referred_to, "arbitration")

    def test_a_grid_worker_gets_403_for_mediation_actions(self):
        d = self.mediating()
        self.client.force_login(self.carol)
        r = self.act(d, "refer", version=str(d.case.version), target="court", target_name="法院", note="x")
        self.assertContains(r, "只有调解员", status_code=403)

    def test_the_other_district_gets_404(self):
        d = self.mediating()
        self.client.force_login(self.bob)
        self.assertEqual(self.act(d, "refer", version="1").status_code, 404)

    def test_an_unknown_action_gives_404(self):
        d = self.mediating()
        self.client.force_login(self.mona)
        self.assertEqual(self.act(d, "explode").status_code, 404)

    def test_a_broken_agreement_recorded_over_http_reopens_the_dispute(self):
        d = self.settled()
        f = d.follow_ups.first()
        self.client.force_login(self.mona)
        self.assertContains(self.act(d, "follow_up", follow_up=str(f.pk)), "请选择协议是否履行", status_code=400)
        r = self.act(d, "follow_up", follow_up=str(f.pk), holds="0", note="未按期付款")
        self.assertRedirects(r, f"/disputes/{d.pk}/")
        d = Dispute.objects.select_related("case").get(pk=d.pk)
        self.assertEqual((d.outcome, d.case.status), (Outcome.BROKEN, Status.ASSIGNED))

    def test_the_court_extension_over_http_works_once(self):
        d = self.mediating(source="court", source_detail="站前区人民法院")
        self.client.force_login(self.mona)
        self.assertRedirects(self.act(d, "extend", version=str(d.case.version), reason="法院同意"), f"/disputes/{d.pk}/")
        d = Dispute.objects.select_related("case").get(pk=d.pk)
        self.assertContains(self.act(d, "extend", version=str(d.case.version), reason="再延"), "只能延长一次",
                            status_code=400)

    def test_adding_a_party_and_assessing_risk(self):
        d = self.mediating()
        self.client.force_login(self.alice)
        self.assertRedirects(self.act(d, "add_party", side="respondent", kind="unit", name="某物业公司",
                                      id_type="credit_code", id_number="91210800MA0T4XQ12L"), f"/disputes/{d.pk}/")
        self.assertEqual(d.parties.count(), 3)
        self.assertRedirects(self.act(d, "assess", people_count="35", amount="0"), f"/disputes/{d.pk}/")
        self.assertEqual(Dispute.objects.get(pk=d.pk).risk_level, 3)
        self.assertContains(self.act(d, "assess", people_count="很多"), "涉及人数须为整数", status_code=400)

    def test_a_stale_assessment_party_or_follow_up_form_gives_409_and_changes_nothing(self):
        d = self.settled()
        stale = str(d.case.version)
        self.client.force_login(self.alice)
        self.assertRedirects(self.act(d, "assess", people_count="3", amount="0"), f"/disputes/{d.pk}/")
        r = self.act(d, "add_party", version=stale, side="third", name="王物业")
        self.assertContains(r, "已被他人更新", status_code=409)
        self.client.force_login(self.mona)
        f = d.follow_ups.first()
        r = self.act(d, "follow_up", version=stale, follow_up=str(f.pk), holds="1", note="")
        self.assertContains(r, "已被他人更新", status_code=409)
        due = (timezone.localdate() + timedelta(days=90)).isoformat()
        self.assertContains(self.act(d, "schedule_follow_up", version=stale, due=due), "已被他人更新", status_code=409)
        self.assertEqual((d.parties.count(), FollowUp.objects.filter(dispute=d).count()), (2, 2))
        self.assertTrue(FollowUp.objects.get(pk=f.pk).is_pending)

    def test_the_forms_carry_the_version(self):
        d = self.settled()
        self.client.force_login(self.mona)
        body = self.client.get(f"/disputes/{d.pk}/").content.decode()
        hidden = f'<input type="hidden" name="version" value="{Case.objects.get(pk=d.pk).version}">'
        for action in ("add-party", "assess", "follow-up", "schedule-follow-up"):
            form = body.split(f'action="/disputes/{d.pk}/{action}/"', 1)
            if action == "assess":  # the mediator does not assess risk
                self.assertEqual(len(form), 1)
                continue
            self.assertIn(hidden, form[1].split("</form>", 1)[0], action)

    def test_scheduling_another_follow_up(self):
        d = self.settled()
        self.client.force_login(self.mona)
        due = (timezone.localdate() + timedelta(days=90)).isoformat()
        self.assertRedirects(self.act(d, "schedule_follow_up", due=due), f"/disputes/{d.pk}/")
        self.assertEqual(FollowUp.objects.filter(dispute=d).count(), 3)




class DisputeAddRegisteredPartyTestCase(LinkTestCase):
    def act(self, d, action_name, **data):
        """Post the dispute page's form, with the version it would carry now unless one is given."""
        data.setdefault("version", str(Case.objects.get(pk=d.pk).version))
        return self.client.post(f"/disputes/{d.pk}/{action_name.replace('_', '-')}/", data)

    def test_adding_a_registered_resident_as_a_party_over_http(self):
        d = self.dispute()
        self.client.force_login(self.carol)
        r = self.act(d, "add_party", side="respondent", resident=str(self.zhang.pk), name="")
        self.assertRedirects(r, f"/disputes/{d.pk}/")
        self.assertTrue(d.parties.filter(resident=self.zhang, name="").exists())
        self.assertIn(self.zhang, d.case.residents.all())

    def test_adding_a_resident_of_another_grid_gives_a_chinese_400_and_adds_nothing(self):
        d = self.dispute()
        self.client.force_login(self.alice)
        r = self.act(d, "add_party", side="respondent", resident=str(self.li.pk))
        self.assertContains(r, "所选人员不属于该网格或不在您的辖区内。", status_code=400)
        self.assertEqual(d.parties.count(), 2)
        r = self.act(d, "add_party", side="respondent", unit="x1")
        self.assertContains(r, "所选单位不正确。", status_code=400)

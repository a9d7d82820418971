"""/disputes/<id>/: the dispute with parties (masked), risk, sessions, outcome, follow-ups; 404 outside scope."""

from django.utils import timezone

from disputes.actions import mediation as ma
from disputes.tests.dispute_base import RESPONDENT, DisputeTestCase
from disputes.tests.link_base import ZHANG_ID, ZHANG_PHONE, LinkTestCase
from parties.pii import mask_id_number

MASKED_ID = mask_id_number("11010519491231002X")  # what a user who may not reveal sees


class DisputeDetailTestCase(DisputeTestCase):
    def test_the_filer_sees_the_dispute_with_masked_party_data(self):
        d = self.dispute()
        self.client.force_login(self.carol)
        r = self.client.get(f"/disputes/{d.pk}/")
        self.assertContains(r, "楼上漏水引发邻里纠纷")
        self.assertContains(r, MASKED_ID)
        self.assertContains(r, "138****1234")
        self.assertNotContains(r, "11010519491231002X")
        self.assertNotContains(r, "13812341234")
        self.assertNotContains(r, "/reveal/")  # a grid worker may not reveal

    def test_in_english_the_people_involved_read_as_a_plural(self):
        d = self.dispute()  # two parties: two people involved
        self.client.force_login(self.carol)
        r = self.client.get(f"/disputes/{d.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(r, "<dt>Involved</dt><dd>2 people ·")

    def test_the_mediator_sees_the_mediation_forms_once_assigned(self):
        d = self.mediating()
        self.client.force_login(self.mona)
        r = self.client.get(f"/disputes/{d.pk}/")
        self.assertContains(r, 'data-testid="settle-form"')
        self.assertContains(r, 'data-testid="refer-form"')
        self.assertContains(r, "老党员调解室")
        self.assertContains(r, "法律诊所")
        self.assertContains(r, "/reveal/")

    def test_a_grid_worker_sees_no_mediation_forms(self):
        d = self.mediating()
        self.client.force_login(self.carol)
        self.assertNotContains(self.client.get(f"/disputes/{d.pk}/"), 'data-testid="settle-form"')

    def test_a_settled_dispute_links_to_its_agreement(self):
        d = self.settled()
        self.client.force_login(self.carol)
        self.assertContains(self.client.get(f"/disputes/{d.pk}/"), f"/disputes/{d.pk}/agreement.pdf")

    def test_a_settled_dispute_that_failed_verification_reads_broken_with_a_fresh_time_limit(self):
        from disputes.actions import cases as actions

        d = self.settled()
        actions.do_verify_case(actor=self.carol, case=d.case, version=d.case.version, fixed=False, note="未付款")
        self.client.force_login(self.mona)
        r = self.client.get(f"/disputes/{d.pk}/")
        self.assertContains(r, "协议未履行，待重新调解")
        self.assertContains(r, "重新调解 1 次")
        self.assertContains(r, "调解期限")
        self.assertContains(r, 'data-testid="broken-agreement"')
        self.assertNotContains(r, 'data-testid="agreement"')

    def test_it_returns_404_to_the_other_district_and_for_a_plain_case(self):
        d = self.dispute()
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(f"/disputes/{d.pk}/").status_code, 404)
        plain = self.file()
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(f"/disputes/{plain.pk}/").status_code, 404)

    def test_it_returns_404_to_a_grid_worker_of_another_grid(self):
        d = self.dispute()
        self.client.force_login(self.gina)
        self.assertEqual(self.client.get(f"/disputes/{d.pk}/").status_code, 404)

    def test_the_query_count_does_not_grow_with_sessions_and_parties(self):
        d = self.mediating()
        self.client.force_login(self.mona)

        def add(i):
            ma.do_schedule_session(actor=self.mona, dispute=d, at=timezone.now(), room=self.room,
                                   mediators=[self.mona, self.alice])
            ma.do_add_party(actor=self.mona, dispute=d, version=None, side="respondent", name=f"当事人{i}")

        add(0)
        self.client.get(f"/disputes/{d.pk}/")  # warm the content-type cache
        with self.assertNumQueries(17):  # the add-party form searches the register: no lists
            self.client.get(f"/disputes/{d.pk}/")
        for i in range(1, 5):
            add(i)
        with self.assertNumQueries(17):
            self.client.get(f"/disputes/{d.pk}/")


class CasePageLinkTestCase(DisputeTestCase):
    def test_the_case_page_of_a_dispute_links_to_the_dispute_page(self):
        d = self.dispute()
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(f"/cases/{d.pk}/"), f'href="/disputes/{d.pk}/" data-testid="dispute-link"')
        plain = self.file()
        self.assertNotContains(self.client.get(f"/cases/{plain.pk}/"), 'data-testid="dispute-link"')




class DisputeDetailRegisterLinkTestCase(LinkTestCase):
    def test_a_registered_party_is_shown_masked_from_the_register_with_a_link(self):
        d = self.dispute(parties=[{"side": "applicant", "resident": self.zhang.pk}, dict(RESPONDENT)])
        self.client.force_login(self.carol)
        r = self.client.get(f"/disputes/{d.pk}/")
        self.assertContains(r, f'href="/registers/residents/{self.zhang.pk}/" data-testid="party-resident-link">张三</a>')
        self.assertContains(r, MASKED_ID)
        self.assertContains(r, "138****5678")
        self.assertNotContains(r, ZHANG_ID)
        self.assertNotContains(r, ZHANG_PHONE)

    def test_the_mediator_sees_the_name_without_a_register_link_and_may_reveal_it(self):
        d = self.mediating(parties=[{"side": "applicant", "resident": self.zhang.pk}, dict(RESPONDENT)])
        party = d.parties.get(side="applicant")
        self.client.force_login(self.mona)
        r = self.client.get(f"/disputes/{d.pk}/")
        self.assertContains(r, "张三")
        self.assertNotContains(r, 'data-testid="party-resident-link"')
        r = self.client.post(f"/disputes/{d.pk}/parties/{party.pk}/reveal/")
        self.assertContains(r, ZHANG_ID)

    def test_the_add_party_form_searches_the_case_grids_register_instead_of_listing_it(self):
        d = self.dispute()
        self.client.force_login(self.carol)
        r = self.client.get(f"/disputes/{d.pk}/")
        self.assertContains(r, 'data-testid="party-resident-picker"')
        self.assertContains(r, 'data-register-search="/registers/residents/search/"')
        self.assertContains(r, f'<input type="hidden" name="grid" value="{d.case.grid_id}">')
        self.assertNotContains(r, f"张三（{MASKED_ID}）")  # nothing listed: found by search

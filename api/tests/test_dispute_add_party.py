"""POST /api/v1/disputes/{id}/add-party/: a party more through do_add_party, while the dispute is open;
the answer (the dispute) shows the new party masked."""

from api.tests.mediation_base import MediationApiTestCase
from disputes.actions import cases as actions
from disputes.models import Dispute
from parties.pii import mask_id_number

THIRD = {"side": "third", "name": "王物业", "id_type": "resident_id", "id_number": "110105198001010016",
         "phone": "13700007777"}


class DisputeAddPartyApiTestCase(MediationApiTestCase):
    def url(self, d):
        return f"/api/v1/disputes/{d.pk}/add-party/"

    def test_the_mediator_adds_a_third_party_shown_masked(self):
        d = self.dispute()
        r = self.post(self.mona, self.url(d), {"version": self.version(d), **THIRD})
        self.assertEqual(r.status_code, 200, r.content)
        body = r.json()
        self.assertEqual((len(body["parties"]), body["people_count"]), (3, 3))
        self.assertEqual(body["parties"][2]["id_number"], mask_id_number(THIRD["id_number"]))
        self.assertMasked(r, THIRD["id_number"], THIRD["phone"])

    def test_a_registered_resident_is_linked_not_copied(self):
        d = self.dispute()
        r = self.post(self.carol, self.url(d), {"version": self.version(d), "side": "respondent",
                                                "resident": self.zhang.pk})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json()["parties"][2]["resident"], self.zhang.pk)
        self.assertMasked(r, self.zhang.id_number)

    def test_no_party_is_added_once_the_dispute_is_closed(self):
        d = self.settled()
        actions.do_verify_case(actor=self.carol, case=d.case, version=d.case.version, fixed=True, note="已履行")
        body = self.assertError(self.post(self.mona, self.url(d), {"version": self.version(d), **THIRD}), 400)
        self.assertIn("不能添加当事人", body["message"])
        self.assertEqual(d.parties.count(), 2)

    def test_the_other_district_gets_404(self):
        d = self.dispute()
        self.assertError(self.post(self.bob, self.url(d), {"version": self.version(d), **THIRD}), 404)

    def test_the_district_centre_gets_403_before_any_field_is_checked(self):
        d = self.dispute()
        self.assertError(self.post(self.dave, self.url(d), {"version": self.version(d), **THIRD}), 403)
        self.assertError(self.post(self.dave, self.url(d), {"version": self.version(d)}), 403)
        self.assertEqual(d.parties.count(), 2)
        body = self.assertError(self.post(self.mona, self.url(d), {"version": self.version(d)}), 400)
        self.assertIn("当事人身份须为申请人、被申请人或第三人", body["message"])

    def test_anonymous_gets_401(self):
        self.assertAnonymousGets401(self.url(self.dispute()))

    def test_a_stale_version_is_a_409(self):
        d = self.dispute()
        self.assertError(self.post(self.mona, self.url(d), {"version": self.version(d) - 1, **THIRD}), 409, "conflict")
        self.assertEqual(Dispute.objects.get(pk=d.pk).parties.count(), 2)

    def test_bad_input_is_a_400_in_chinese_and_in_english(self):
        d = self.dispute()
        self.assertBadInputIsA400InChineseAndInEnglish(self.mona, self.url(d), {"version": self.version(d),
                                                                                "side": "witness"}, "side")
        body = self.assertError(self.post(self.mona, self.url(d), {"version": self.version(d), "side": "third",
                                                                   "id_number": "123"}), 400)
        self.assertRegex(body["message"], "[\u4e00-\u9fff]")

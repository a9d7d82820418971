"""/disputes/<id>/add-party/: the mediator names the parties — registered residents through the
picker (she holds no view_register, yet picks in her territory), a 第三人 side, and 涉及人数 that
follows the parties (and may raise the risk level)."""

from disputes.models import Case, Dispute, PartySide, RiskEntry, RiskLevel
from disputes.tests.link_base import LinkTestCase
from governance.models import AuditEvent


class AddPartyTestCase(LinkTestCase):
    def post(self, user, d, **data):
        self.client.force_login(user)
        data.setdefault("version", str(Case.objects.get(pk=d.pk).version))  # as the dispute page's form
        return self.client.post(f"/disputes/{d.pk}/add-party/", data)

    def test_the_mediator_is_offered_the_resident_picker(self):
        d = self.dispute()
        self.client.force_login(self.mona)
        r = self.client.get(f"/disputes/{d.pk}/")
        self.assertContains(r, 'data-testid="party-resident-picker"')
        self.assertContains(r, 'data-register-search="/registers/residents/search/"')

    def test_the_mediator_finds_residents_of_her_territory_by_name_with_masked_labels(self):
        self.client.force_login(self.mona)
        rows = self.client.get("/registers/residents/search/", {"q": "张", "grid": self.grid_a.code}).json()["results"]
        self.assertEqual([row["id"] for row in rows], [self.zhang.pk])
        self.assertNotIn(self.zhang.id_number, rows[0]["label"])
        rows = self.client.get("/registers/residents/search/", {"q": "王"}).json()["results"]
        self.assertEqual(rows, [])  # 王六 lives in the other district

    def test_the_mediator_finds_a_resident_by_id_number_in_one_audited_look_up(self):
        self.client.force_login(self.mona)
        rows = self.client.post("/registers/residents/search/", {"q": self.zhang.id_number}).json()["results"]
        self.assertEqual([row["id"] for row in rows], [self.zhang.pk])
        self.assertEqual(AuditEvent.objects.filter(action="resident.lookup", actor=self.mona).count(), 1)

    def test_the_mediator_adds_a_registered_resident_as_a_party(self):
        d = self.dispute()
        r = self.post(self.mona, d, side="respondent", resident=str(self.zhang.pk))
        self.assertRedirects(r, f"/disputes/{d.pk}/", fetch_redirect_response=False)
        self.assertTrue(d.parties.filter(resident=self.zhang).exists())

    def test_a_third_party_side_and_the_people_count_follows_the_parties(self):
        d = self.dispute()
        self.assertEqual(d.people_count, 2)
        self.post(self.mona, d, side="third", name="王物业")
        d = Dispute.objects.get(pk=d.pk)
        self.assertEqual(d.parties.filter(side=PartySide.THIRD).count(), 1)
        self.assertEqual(d.people_count, 3)
        self.assertContains(self.client.get(f"/disputes/{d.pk}/"), "第三人：王物业")

    def test_a_fifth_party_raises_the_risk_to_the_register(self):
        d = self.dispute()
        for name in ("甲", "乙", "丙"):
            self.post(self.mona, d, side="third", name=name)
        d = Dispute.objects.get(pk=d.pk)
        self.assertEqual(d.people_count, 5)
        self.assertEqual(d.risk_level, RiskLevel.MAJOR)
        self.assertTrue(RiskEntry.objects.filter(dispute=d).exists())

    def test_a_larger_people_count_is_kept(self):
        d = self.dispute(people_count=12)
        self.post(self.mona, d, side="third", name="王物业")
        self.assertEqual(Dispute.objects.get(pk=d.pk).people_count, 12)

    def test_an_unknown_side_gives_a_chinese_400(self):
        d = self.dispute()
        self.assertContains(self.post(self.mona, d, side="witness", name="路人"), "第三人", status_code=400)

"""Disputes on top of CaseTestCase: the 矛盾纠纷 category, a few dispute types, the risk
criteria, a committee with two rooms, and mona (mediator, 八田地街道)."""

from __future__ import annotations

from disputes.actions import cases as actions
from disputes.actions import mediation as ma
from disputes.models import (
    Category,
    Dispute,
    DisputeType,
    MediationCommittee,
    MediationRoom,
    Mediator,
    RiskCriterion,
    RiskLevel,
    Stage,
    TimeLimit,
    TimeUnit,
)
from disputes.tests.base import CaseTestCase
from governance.roles import Role
from governance.tests.base import make_user

APPLICANT = {"side": "applicant", "name": "张建国", "id_type": "resident_id", "id_number": "11010519491231002X",
             "phone": "13812341234", "address": "五大门社区3号楼"}
RESPONDENT = {"side": "respondent", "name": "李秀英", "id_type": "resident_id", "id_number": "",
              "phone": "13900001111"}


class DisputeTestCase(CaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.dispute_cat = Category.objects.create(code="01", name="矛盾纠纷")
        cls.neighbour_cat = Category.objects.create(code="0101", name="邻里纠纷", parent=cls.dispute_cat)
        for stage, amount, unit in (
            (Stage.ACCEPT, 2, TimeUnit.HOURS), (Stage.HANDLE, 5, TimeUnit.DAYS), (Stage.VERIFY, 1, TimeUnit.DAYS)
        ):
            TimeLimit.objects.create(category=cls.dispute_cat, stage=stage, amount=amount, unit=unit)
        cls.neighbour = DisputeType.objects.create(code="02", name="邻里纠纷")
        cls.contract = DisputeType.objects.create(code="05", name="合同纠纷")
        cls.land = DisputeType.objects.create(code="07", name="征地拆迁")
        C = RiskCriterion.Measure
        RiskCriterion.objects.create(name="涉及 5 人以上", measure=C.PEOPLE, threshold=5, level=RiskLevel.MAJOR)
        RiskCriterion.objects.create(name="涉及 30 人以上", measure=C.PEOPLE, threshold=30, level=RiskLevel.SEVERE)
        RiskCriterion.objects.create(name="金额 10 万元以上", measure=C.AMOUNT, threshold=100000, level=RiskLevel.MAJOR)
        RiskCriterion.objects.create(name="有暴力冲突苗头", measure=C.VIOLENCE, level=RiskLevel.SEVERE)
        RiskCriterion.objects.create(name="有群体上访苗头", measure=C.PETITION, level=RiskLevel.MAJOR)
        RiskCriterion.objects.create(name="征地拆迁", measure=C.TYPE, dispute_type=cls.land, level=RiskLevel.MAJOR)
        cls.mona = make_user("mona", "莫娜", Role.MEDIATOR, cls.batiandi)
        cls.committee = MediationCommittee.objects.create(name="八田地街道人民调解委员会", region=cls.batiandi)
        cls.room = MediationRoom.objects.create(committee=cls.committee, name="老党员调解室", kind="named")
        cls.clinic = MediationRoom.objects.create(committee=cls.committee, name="法律诊所", kind="clinic",
                                                  hours="每周三 14:00–17:00 律师坐诊")
        Mediator.objects.create(committee=cls.committee, user=cls.mona, title="专职调解员")

    def dispute(self, actor=None, grid=None, parties=None, **kw) -> Dispute:
        kw.setdefault("dispute_type", self.neighbour)
        kw.setdefault("title", "楼上漏水引发邻里纠纷")
        kw.setdefault("description", "3号楼502漏水至402，双方就维修费用发生争执。")
        return ma.do_file_dispute(
            actor=actor or self.carol, grid=grid or self.grid_a,
            parties=parties if parties is not None else [dict(APPLICANT), dict(RESPONDENT)], **kw
        )

    def mediating(self, **kw) -> Dispute:
        """Filed, accepted and assigned to mona."""
        d = self.dispute(**kw)
        case = actions.do_accept_case(actor=self.alice, case=d.case, version=d.case.version)
        actions.do_assign_case(actor=self.alice, case=case, version=case.version, assignee=self.mona)
        return Dispute.objects.select_related("case", "case__grid").get(pk=d.pk)

    def settled(self, **kw) -> Dispute:
        d = self.mediating(**kw)
        ma.do_settle_dispute(
            actor=self.mona, dispute=d, version=d.case.version, facts="402室天花板因502室水管渗漏受损。",
            terms="李秀英于十日内赔偿张建国维修费人民币三千元。", performance="现金一次性支付",
            performance_due="2026-12-31",
        )
        return Dispute.objects.select_related("case", "case__grid").get(pk=d.pk)

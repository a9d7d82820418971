"""Demo data for disputes: the dispute types, the risk criteria, 八田地街道's mediation committee
with its rooms (老党员调解室, 法律诊所), the demo `mediator` as its mediator, and a handful of
disputes in various states. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from disputes.actions import cases as actions
from disputes.actions import mediation as ma
from disputes.models import (
    Dispute,
    DisputeType,
    FollowUp,
    MediationCommittee,
    MediationRoom,
    Mediator,
    RiskCriterion,
    RiskEntry,
    RiskLevel,
)
from governance.models import Region, User

DISPUTE_TYPES = [
    ("01", "婚姻家庭继承纠纷"), ("02", "邻里纠纷"), ("03", "房屋宅基地纠纷"), ("04", "损害赔偿纠纷"), ("05", "合同纠纷"),
    ("06", "山林土地承包纠纷"), ("07", "征地拆迁纠纷"), ("08", "劳动争议纠纷"), ("09", "村务管理纠纷"),
    ("10", "环境保护纠纷"), ("11", "交通事故纠纷"), ("12", "医患纠纷"), ("13", "物业纠纷"), ("14", "消费纠纷"),
    ("99", "其他纠纷"),
]

M = RiskCriterion.Measure
CRITERIA = [
    ("涉及 5 人以上", M.PEOPLE, 5, None, RiskLevel.MAJOR),
    ("涉及 30 人以上（群体性）", M.PEOPLE, 30, None, RiskLevel.SEVERE),
    ("涉及金额 10 万元以上", M.AMOUNT, 100000, None, RiskLevel.MAJOR),
    ("涉及金额 100 万元以上", M.AMOUNT, 1000000, None, RiskLevel.SEVERE),
    ("有暴力冲突苗头（民转刑风险）", M.VIOLENCE, None, None, RiskLevel.SEVERE),
    ("有群体上访或越级上访苗头", M.PETITION, None, None, RiskLevel.MAJOR),
    ("征地拆迁纠纷", M.TYPE, None, "07", RiskLevel.MAJOR),
]


def seed_dispute_config() -> int:
    made = 0
    types = {}
    for sort, (code, name) in enumerate(DISPUTE_TYPES):
        types[code], created = DisputeType.objects.get_or_create(code=code, defaults={"name": name, "sort": sort})
        made += created
    for name, measure, threshold, type_code, level in CRITERIA:
        _, created = RiskCriterion.objects.get_or_create(
            name=name, defaults={"measure": measure, "threshold": threshold, "level": level,
                                 "dispute_type": types.get(type_code)},
        )
        made += created
    street = Region.objects.filter(code="210802001").first()
    if street is None:
        return made
    committee, created = MediationCommittee.objects.get_or_create(region=street, name=f"{street.name}人民调解委员会")
    made += created
    for name, kind, hours in (
        ("老党员调解室", MediationRoom.Kind.NAMED, "工作日 9:00–17:00"),
        ("法律诊所", MediationRoom.Kind.LEGAL_CLINIC, "每周三 14:00–17:00 律师坐诊"),
        ("街道调解室", MediationRoom.Kind.ROOM, "工作日 9:00–17:00"),
    ):
        _, created = MediationRoom.objects.get_or_create(
            committee=committee, name=name, defaults={"kind": kind, "hours": hours, "address": "八田地街道综治中心"}
        )
        made += created
    mediator = User.objects.filter(username="mediator").first()
    if mediator is not None:
        _, created = Mediator.objects.get_or_create(committee=committee, user=mediator,
                                                    defaults={"title": "专职人民调解员"})
        made += created
    return made


PARTIES = [
    ({"side": "applicant", "name": "刘淑芬", "id_type": "resident_id", "id_number": "210802196505120028",
      "phone": "13804171234"},
     {"side": "respondent", "name": "陈志刚", "id_type": "resident_id", "id_number": "", "phone": "13942375678"}),
    ({"side": "applicant", "name": "五大门小区业主代表 赵文", "phone": "15841716655"},
     {"side": "respondent", "kind": "unit", "name": "营口某物业服务有限公司", "id_type": "credit_code",
      "id_number": "91210800MA0T4XQ12L"}),
]


@transaction.atomic
def seed_demo_disputes() -> int:
    """A handful of disputes in 八田地街道 in various states (once)."""
    # Its own first dispute marks it done: the demo cases filed in a 矛盾纠纷 category are disputes too.
    if Dispute.objects.filter(case__grid__code__startswith="210802001", case__title="楼上漏水引发邻里纠纷").exists():
        return 0
    try:
        worker = User.objects.get(username="grid_worker")
        officer = User.objects.get(username="street_officer")
        mediator = User.objects.get(username="mediator")
    except User.DoesNotExist:
        return 0
    grid = Region.objects.filter(code="210802001001001").first()
    types = {t.code: t for t in DisputeType.objects.all()}
    room = MediationRoom.objects.filter(name="老党员调解室", committee__region_id="210802001").first()
    if grid is None or not types:
        return 0
    now = timezone.now()

    def file(title, type_code, parties, **kw):
        return ma.do_file_dispute(actor=worker, grid=grid, dispute_type=types[type_code], title=title,
                                  description=f"{title}，网格员排查发现，双方情绪激动。",
                                  parties=[dict(p) for p in parties], **kw)

    def to_mediator(d):
        case = actions.do_accept_case(actor=officer, case=d.case, version=d.case.version)
        actions.do_assign_case(actor=officer, case=case, version=case.version, assignee=mediator)
        return Dispute.objects.select_related("case").get(pk=d.pk)

    made = 0
    # 1. Just filed (reported).
    file("楼上漏水引发邻里纠纷", "02", PARTIES[0])
    made += 1
    # 2. Major risk, in mediation, a session today in 老党员调解室.
    d = to_mediator(file("物业费上涨引发业主集体不满", "13", PARTIES[1], people_count=40, amount="86000",
                         threat_petition=True))
    ma.do_schedule_session(actor=mediator, dispute=d, at=now + timedelta(hours=1), room=room)
    entry = RiskEntry.objects.filter(dispute=d, closed_at__isnull=True).first()
    if entry:
        ma.do_update_risk_entry(actor=officer, entry=entry, version=None, owner=officer, responsibility="街道包案领导牵头，社区每日报告",
                                measures="组织业主代表与物业公司对话；法律诊所律师释法。",
                                next_review=timezone.localdate() + timedelta(days=3))
    made += 1
    # 3. Court-referred, in mediation.
    to_mediator(file("房屋买卖合同定金纠纷", "05", PARTIES[0], source="court",
                     source_detail="站前区人民法院 委派调解〔2026〕辽0802诉前调 15 号", amount="20000"))
    made += 1
    # 4. Settled, follow-up due today.
    d = to_mediator(file("宠物狗咬伤赔偿纠纷", "04", PARTIES[0], amount="3000"))
    ma.do_settle_dispute(actor=mediator, dispute=d, version=d.case.version, facts="陈志刚饲养的犬只咬伤刘淑芬左腿。",
                         terms="陈志刚赔偿刘淑芬医疗费、误工费共计人民币叁仟元，于协议签订之日起七日内付清。",
                         performance="银行转账", performance_due=timezone.localdate() + timedelta(days=7))
    first = FollowUp.objects.filter(dispute=d).order_by("due").first()
    if first is not None:
        FollowUp.objects.filter(pk=first.pk).update(due=timezone.localdate())
    made += 1
    # 5. Not settled, referred to labour arbitration.
    d = to_mediator(file("拖欠装修工人工资", "08", PARTIES[0], people_count=6, amount="48000"))
    ma.do_refer_dispute(actor=mediator, dispute=d, version=d.case.version, target="arbitration",
                        target_name="营口市劳动人事争议仲裁委员会", note="双方对工程量分歧较大，调解不成，已告知申请劳动仲裁。")
    made += 1
    return made

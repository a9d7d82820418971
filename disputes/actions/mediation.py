"""Writes on disputes (矛盾纠纷). A dispute is a case: filing goes through the case loop's
filing (file_case_unaudited: one audit row, dispute.file, per filing), acceptance and dispatch to a mediator through do_accept_case / do_assign_case,
closing through do_verify_case. What is added here: parties, risk assessment and the risk
register, mediation sessions, the outcome (settled with an agreement, or referred onward),
the court-referral extension and follow-up visits (a broken agreement reopens the dispute).
Same house rules: keyword-only, one transaction, a capability check first, one audit row."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disputes.actions.cases import file_case_unaudited, notify_handled
from disputes.agreement_pdf import SIDE_ORDER, agreement_pdf
from disputes.kernel import (
    CaseStateError,
    KindRules,
    clean_text,
    counts_of,
    handler_ids,
    holders_of,
    lock_case,
    notify,
    record_dispatch,
    record_event,
    recount,
    require_status,
    save_case,
    stage_deadline,
)
from disputes.links import resolve_residents, resolve_units
from disputes.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseKind,
    Category,
    Dispute,
    DisputeType,
    FollowUp,
    IdType,
    MediationRoom,
    MediationSession,
    Notice,
    Outcome,
    Party,
    PartyKind,
    PartySide,
    ReferralTarget,
    RiskCriterion,
    RiskEntry,
    RiskLevel,
    RiskReview,
    Source,
    Stage,
    Status,
    Urgency,
)
from disputes.selectors.mediation import (
    committee_name,
    may_add_party,
    may_mediate,
    may_reveal,
    party_rows,
    risk_owner_candidates,
)
from governance.actions import record_audit, require
from governance.inputs import parse_date
from governance.models import Region, User
from governance.roles import CODE_LENGTH, Cap, Level
from governance.scope import can
from parties.idnumbers import normalize_id_number, validate_id_number
from parties.pii import encrypt, mask_id_number, mask_phone
from parties.validators import normalize_phone, validate_credit_code, validate_phone

DISPUTE_CATEGORY = "矛盾纠纷"
COURT_DAYS = 30  # 委派调解: 30 days, extendable once by 30
COURT_EXTENSION_DAYS = 30
FOLLOW_UP_DAYS = (7, 30)  # after settlement: a first visit after a week, a second after a month
MAX_PARTIES = 20


# ---------------------------------------------------------------- helpers


def add_months(moment: datetime, months: int = 1) -> datetime:
    """Same day next month (clamped to the month's last day): 人民调解 "一般在一个月内调结"."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def mediation_limit(source: str, start: datetime) -> datetime:
    if source == Source.COURT:
        return start + timedelta(days=COURT_DAYS)
    return add_months(start, 1)


def mediation_deadline(case: Case) -> datetime | None:
    """The case loop's handling deadline for a dispute: its mediation time limit."""
    return Dispute.objects.filter(pk=case.pk).values_list("mediation_due", flat=True).first()


def dispute_category(dispute_type: DisputeType | None = None) -> Category:
    cat = Category.objects.filter(name=DISPUTE_CATEGORY, parent__isnull=True).first()
    if cat is None:
        raise ValidationError(_("尚未配置“矛盾纠纷”事件类别，请联系管理员。"))
    if dispute_type is not None:
        sub = Category.objects.filter(parent=cat, name__startswith=dispute_type.name[:2], is_active=True).first()
        if sub is not None:
            return sub
    return cat


def is_dispute_category(category: Category) -> bool:
    """A 矛盾纠纷 category: the top category itself or one of its sub-categories (邻里纠纷…)."""
    top = category.parent if category.parent_id else category
    return top is not None and top.parent_id is None and top.name == DISPUTE_CATEGORY


def type_for_category(category: Category) -> DisputeType | None:
    """The dispute type of a 矛盾纠纷 sub-category (the reverse of dispute_category: 邻里纠纷 → 邻里纠纷,
    婚姻家庭 → 婚姻家庭继承纠纷), else 其他纠纷, else the first active type; None when none is configured."""
    types = list(DisputeType.objects.filter(is_active=True))
    if category.parent_id:
        for t in types:
            if t.name.startswith(category.name[:2]):
                return t
    other = [t for t in types if t.code == "99" or t.name.startswith("其他")]
    return (other or types or [None])[0]


def claims_category(category: Category) -> bool:
    """For the case loop's filing: a case filed in a 矛盾纠纷 category is a dispute (when a type is configured)."""
    return is_dispute_category(category) and DisputeType.objects.filter(is_active=True).exists()


def adopt_case(case: Case, *, actor: User | None, dispute_type: DisputeType | None = None,
               source: str = Source.PATROL, announce: bool = True) -> Dispute:
    """Write the dispute side of a case (filed in a 矛盾纠纷 category, or converted): it is on the
    mediation desk from now on. No parties yet (the mediator adds them), 涉及人数 from the linked
    residents and units (at least 2), the risk assessment pending (risk_assessed_at empty: the
    dispute page asks for it; 较大/重大 enter the 风险台账 when it is made), the mediation clock
    from filing. The caller holds the case's row and writes the audit row."""
    dispute_type = dispute_type or type_for_category(case.category)
    if dispute_type is None:
        raise ValidationError(_("尚未配置纠纷类型，请联系管理员。"))
    linked = case.residents.count() + case.units.count()
    dispute = Dispute(case=case, dispute_type=dispute_type, source=source, people_count=max(2, linked),
                      mediation_due=mediation_limit(source, case.created_at), risk_assessed_at=None)
    dispute.risk_level, dispute.risk_reasons = RiskLevel.GENERAL, []
    dispute.save(force_insert=True)
    record_event(case, actor, CaseEvent.Action.COMMENT, case.status,
                 f"矛盾纠纷（{dispute_type.name}），已转调解台，待风险评估", dispute=True)
    if announce:  # the street's mediators hear of it (a conversion says so itself)
        notify(holders_of(Cap.MEDIATE, case.grid_id[: CODE_LENGTH[Level.STREET]]), case, Notice.Kind.OTHER,
               f"新的矛盾纠纷“{case.title}”已上报，请评估风险并安排调解。", actor=actor)
    return dispute


def _audit(actor: User | None, action: str, dispute: Dispute, **detail) -> None:
    record_audit(actor=actor, action=f"dispute.{action}", target=dispute, region_code=dispute.case.grid_id,
                 detail=detail)


def _int(value, what: str, low: int = 0, high: int = 1_000_000) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(_("%(what)s须为整数。") % {"what": what}) from None
    if not low <= number <= high:
        raise ValidationError(_("%(what)s须在 %(low)s 至 %(high)s 之间。") % {"what": what, "low": low, "high": high})
    return number


def _amount(value) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("涉及金额格式不正确。")) from None
    if not number.is_finite() or number < 0 or number >= Decimal("1e12"):
        raise ValidationError(_("涉及金额超出范围。"))
    return round(number, 2)


def _clean_id(id_type: str, number: str) -> str:
    number = normalize_id_number(number)
    if not number:
        return ""
    if id_type == IdType.RESIDENT_ID:
        validate_id_number(number)
    elif id_type == IdType.CREDIT_CODE:
        validate_credit_code(number)
    elif len(number) > 30:
        raise ValidationError(_("证件号码过长。"))
    return number


def _clean_phone(phone: str) -> str:
    phone = normalize_phone(phone)
    if phone:
        validate_phone(phone)
    return phone


def _require_mediator(actor: User | None, case: Case) -> None:
    if not may_mediate(actor, case):
        raise PermissionDenied(_("只有调解员或被指派的承办人可以进行调解。"))


def _register_row(actor: User | None, grid_code: str, data: dict):
    """The registered resident or unit a party dict points at (validated), or (None, None)."""
    resident = data.get("resident") or None
    unit = data.get("unit") or None
    if resident and unit:
        raise ValidationError(_("当事人只能关联一名实有人口或一个实有单位（二选一）。"))
    if resident:
        return resolve_residents(actor, grid_code, [resident])[0], None
    if unit:
        return None, resolve_units(actor, grid_code, [unit])[0]
    return None, None


def _build_party(dispute: Dispute, data: dict, sort: int, actor: User | None = None) -> Party:
    side = data.get("side")
    if side not in PartySide.values:
        raise ValidationError(_("当事人身份须为申请人、被申请人或第三人。"))
    resident, unit = _register_row(actor, dispute.case.grid_id, data)
    address = clean_text(data.get("address", ""), _("住址"), required=False, max_length=120)
    if resident is not None or unit is not None:
        # Name, ID number and phone stay in the register: nothing of it is copied here.
        kind = PartyKind.PERSON if resident is not None else PartyKind.UNIT
        id_type = IdType.RESIDENT_ID if resident is not None else IdType.CREDIT_CODE
        return Party(dispute=dispute, side=side, kind=kind, id_type=id_type, resident=resident, unit=unit,
                     address=address, sort=sort)
    kind = data.get("kind") or PartyKind.PERSON
    if kind not in PartyKind.values:
        raise ValidationError(_("当事人类型不正确。"))
    id_type = data.get("id_type") or (IdType.CREDIT_CODE if kind == PartyKind.UNIT else IdType.RESIDENT_ID)
    if id_type not in IdType.values:
        raise ValidationError(_("证件类型不正确。"))
    number = _clean_id(id_type, data.get("id_number", ""))
    phone = _clean_phone(data.get("phone", ""))
    return Party(
        dispute=dispute, side=side, kind=kind, name=clean_text(data.get("name", ""), _("当事人姓名或名称"), max_length=64),
        id_type=id_type, id_number_enc=encrypt(number), id_number_masked=mask_id_number(number),
        phone_enc=encrypt(phone), phone_masked=mask_phone(phone), address=address, sort=sort,
    )


# ---------------------------------------------------------------- risk


def assess(dispute: Dispute) -> tuple[int, list[str]]:
    """The risk level from the configured criteria: the highest level any active criterion gives."""
    level, reasons = RiskLevel.GENERAL, []
    for criterion in RiskCriterion.objects.filter(is_active=True):
        if criterion.matches(dispute):
            reasons.append(f"{criterion.name}（{criterion.get_level_display()}）")
            level = max(level, criterion.level)
    return level, reasons


def _sync_register(dispute: Dispute, actor: User | None) -> RiskEntry | None:
    """较大 and 重大 enter the risk register (once: one open entry per dispute). Leaving the
    register is an explicit close (销号), never a silent drop."""
    entry = RiskEntry.objects.select_for_update().filter(dispute=dispute, closed_at__isnull=True).first()
    if dispute.risk_level >= RiskLevel.MAJOR:
        if entry is None:
            entry = RiskEntry.objects.create(
                dispute=dispute, grid_id=dispute.case.grid_id, level=dispute.risk_level,
                next_review=timezone.localdate() + timedelta(days=7),
            )
            record_event(dispute.case, actor, CaseEvent.Action.COMMENT, dispute.case.status,
                   f"风险等级{dispute.get_risk_level_display()}，已纳入风险台账", risk=int(dispute.risk_level))
        elif entry.level != dispute.risk_level:
            entry.level = dispute.risk_level
            entry.save(update_fields=["level"])
    return entry


@transaction.atomic
def do_assess_risk(
    *,
    actor: User | None,
    dispute: Dispute,
    version: int | None,
    people_count=None,
    amount=None,
    threat_violence: bool | None = None,
    threat_petition: bool | None = None,
    level: int | None = None,
    note: str = "",
) -> Dispute:
    """Re-assess: update the facts the criteria look at; an officer may raise (never lower) the level.
    `version`: the dispute's case as the officer saw it (optimistic locking, as the case's own steps)."""
    require(actor, Cap.MANAGE_RISK, dispute.case.grid_id)
    case = lock_case(dispute.case, version)
    dispute = Dispute.objects.select_for_update(of=("self",)).get(pk=dispute.pk)
    dispute.case = case
    if people_count is not None and people_count != "":
        dispute.people_count = _int(people_count, _("涉及人数"), 1)
    if amount is not None:
        dispute.amount = _amount(amount)
    if threat_violence is not None:
        dispute.threat_violence = bool(threat_violence)
    if threat_petition is not None:
        dispute.threat_petition = bool(threat_petition)
    computed, reasons = assess(dispute)
    if level not in (None, ""):
        level = _int(level, _("风险等级"), RiskLevel.GENERAL, RiskLevel.SEVERE)
        if level > computed:
            reasons.append(f"人工研判：{clean_text(note, '提高风险等级的理由', max_length=200)}")
            computed = level
    before = dispute.risk_level
    dispute.risk_level, dispute.risk_reasons, dispute.risk_assessed_at = computed, reasons, timezone.now()
    dispute.save(update_fields=["people_count", "amount", "threat_violence", "threat_petition", "risk_level",
                                "risk_reasons", "risk_assessed_at"])
    _sync_register(dispute, actor)
    save_case(case, [])  # the next stale form about this dispute is refused
    _audit(actor, "assess", dispute, before=int(before), level=int(computed))
    return dispute


def _entry_for(entry: RiskEntry, version: int | None) -> tuple[RiskEntry, Case]:
    """The entry under a row lock, and its dispute's case: a risk entry is versioned with its dispute's
    case (the version the dispute and the entry show), locked first as every dispute action does."""
    case = lock_case(entry.dispute.case, version)
    entry = RiskEntry.objects.select_for_update(of=("self",)).select_related("dispute").get(pk=entry.pk)
    entry.dispute.case = case
    if entry.closed_at is not None:
        raise CaseStateError(_("该风险已销号。"), code="state")
    return entry, case


@transaction.atomic
def do_update_risk_entry(
    *, actor: User | None, entry: RiskEntry, version: int | None, owner: User | None, responsibility: str,
    measures: str, next_review
) -> RiskEntry:
    """定人、定责、定措施. The owner is one of risk_owner_candidates(entry)."""
    require(actor, Cap.MANAGE_RISK, entry.grid_id)
    entry, case = _entry_for(entry, version)
    if owner is None:
        raise ValidationError(_("请指定责任人。"))
    if not can(owner, Cap.VIEW, entry.grid_id) or not risk_owner_candidates(entry).filter(pk=owner.pk).exists():
        raise ValidationError(_("责任人不在该风险所在辖区。"))
    entry.owner = owner
    entry.responsibility = clean_text(responsibility, _("责任分工"), max_length=200)
    entry.measures = clean_text(measures, _("稳控化解措施"))
    entry.next_review = parse_date(next_review, _("下次研判日期"))
    if entry.next_review is None:
        raise ValidationError(_("请填写下次研判日期。"))
    entry.save(update_fields=["owner", "responsibility", "measures", "next_review"])
    save_case(case, [])
    record_audit(actor=actor, action="risk.update", target=entry, region_code=entry.grid_id,
                 detail={"owner": owner.username})
    notify([owner.pk], entry.dispute.case, Notice.Kind.OTHER,
            f"您已被指定为风险“{entry.dispute.case.title}”的责任人。")
    return entry


@transaction.atomic
def do_review_risk(*, actor: User, entry: RiskEntry, version: int | None, note: str, next_review) -> RiskReview:
    """研判: by the entry's owner (as it is under the lock) or whoever manages risks in its grid."""
    entry, case = _entry_for(entry, version)
    if actor.pk != entry.owner_id:
        require(actor, Cap.MANAGE_RISK, entry.grid_id)
    nxt = parse_date(next_review, _("下次研判日期"))
    if nxt is not None and nxt < timezone.localdate():
        raise ValidationError(_("下次研判日期不能早于今天。"))
    review = RiskReview.objects.create(entry=entry, by=actor, note=clean_text(note, _("研判情况"), max_length=1000),
                                       next_review=nxt)
    entry.next_review = nxt
    entry.save(update_fields=["next_review"])
    save_case(case, [])
    record_audit(actor=actor, action="risk.review", target=entry, region_code=entry.grid_id)
    return review


@transaction.atomic
def do_close_risk(*, actor: User | None, entry: RiskEntry, version: int | None, note: str) -> RiskEntry:
    """销号: the risk is resolved; the entry stays in the register's history."""
    require(actor, Cap.MANAGE_RISK, entry.grid_id)
    entry, case = _entry_for(entry, version)
    entry.close_note = clean_text(note, _("销号说明"), max_length=200)
    entry.closed_at, entry.closed_by = timezone.now(), actor
    entry.save(update_fields=["close_note", "closed_at", "closed_by"])
    save_case(case, [])
    record_event(case, actor, CaseEvent.Action.COMMENT, case.status, f"风险销号：{entry.close_note}")
    record_audit(actor=actor, action="risk.close", target=entry, region_code=entry.grid_id)
    return entry


# ---------------------------------------------------------------- filing and parties


@transaction.atomic
def do_file_dispute(
    *,
    actor: User,
    grid: Region,
    dispute_type: DisputeType,
    title: str,
    description: str,
    parties: list[dict],
    source: str = Source.PATROL,
    source_detail: str = "",
    people_count=2,
    amount=0,
    threat_violence: bool = False,
    threat_petition: bool = False,
    urgency: str = Urgency.NORMAL,
    address: str = "",
    now: datetime | None = None,
) -> Dispute:
    """File a dispute: the case (category 矛盾纠纷) and the dispute details in one transaction,
    risk assessed against the criteria, 较大/重大 straight into the risk register."""
    require(actor, Cap.FILE_CASE, grid.code)
    if not dispute_type.is_active:
        raise ValidationError(_("该纠纷类型已停用。"))
    if source not in Source.values:
        raise ValidationError(_("纠纷来源不正确。"))
    if source in (Source.COURT, Source.POLICE, Source.PETITION, Source.DEPARTMENT) and not source_detail.strip():
        raise ValidationError(_("移交来的纠纷须填写移交单位（及文号）。"))
    if not parties or len(parties) > MAX_PARTIES:
        raise ValidationError(_("请填写当事人（至多 %(MAX_PARTIES)s 人）。") % {"MAX_PARTIES": MAX_PARTIES})
    if not any(p.get("side") == PartySide.APPLICANT for p in parties):
        raise ValidationError(_("请至少填写一名申请人。"))
    if not any(p.get("side") == PartySide.RESPONDENT for p in parties):
        raise ValidationError(_("请至少填写一名被申请人。"))
    now = now or timezone.now()
    case = file_case_unaudited(
        actor=actor, category=dispute_category(dispute_type), grid=grid, title=title, description=description,
        urgency=urgency, address=address, now=now,
        residents=[p["resident"] for p in parties if p.get("resident")],
        units=[p["unit"] for p in parties if p.get("unit")], kind=CaseKind.DISPUTE,
    )
    dispute = Dispute(
        case=case, dispute_type=dispute_type, source=source,
        source_detail=clean_text(source_detail, _("移交单位及文号"), required=False, max_length=120),
        # 涉及人数: at least the parties named.
        people_count=max(_int(people_count, _("涉及人数"), 1), len(parties)), amount=_amount(amount),
        threat_violence=bool(threat_violence), threat_petition=bool(threat_petition),
        mediation_due=mediation_limit(source, now),
    )
    dispute.risk_level, dispute.risk_reasons = assess(dispute)
    dispute.risk_assessed_at = now
    dispute.save(force_insert=True)
    built = [_build_party(dispute, p, i, actor) for i, p in enumerate(parties)]
    Party.objects.bulk_create(built)
    # Free-text notes name only the people not in the register (the others are linked).
    names = "；".join(p.name for p in built if p.name)[:500]
    Case.objects.filter(pk=case.pk).update(involved=names)
    _sync_register(dispute, actor)
    _audit(actor, "file", dispute, type=dispute_type.code, source=source, risk=int(dispute.risk_level))
    return dispute


@transaction.atomic
def do_add_party(*, actor: User, dispute: Dispute, version: int | None, **data) -> Party:
    """A party more, while the dispute's case is open (not after it is closed or rejected)."""
    if not may_add_party(actor, dispute.case):
        raise PermissionDenied(_("您无权为该纠纷添加当事人。"))
    case = lock_case(dispute.case, version)
    require_status(case, OPEN_STATUSES, _("添加当事人"))
    dispute = Dispute.objects.select_for_update(of=("self",)).get(pk=dispute.pk)
    dispute.case = case
    count = dispute.parties.count()
    if count >= MAX_PARTIES:
        raise ValidationError(_("当事人至多 %(MAX_PARTIES)s 人。") % {"MAX_PARTIES": MAX_PARTIES})
    party = _build_party(dispute, data, count, actor)
    party.save()
    if party.resident_id:
        case.residents.add(party.resident)
    if party.unit_id:
        case.units.add(party.unit)
    # 涉及人数 follows the parties (never below them); more people may raise the risk level (never lower it).
    if dispute.people_count < count + 1:
        dispute.people_count = count + 1
        fields = ["people_count"]
        if dispute.risk_assessed_at is not None:
            level, reasons = assess(dispute)
            if level > dispute.risk_level:
                dispute.risk_level, dispute.risk_reasons = level, reasons
                fields += ["risk_level", "risk_reasons"]
        dispute.save(update_fields=fields)
        _sync_register(dispute, actor)
    save_case(case, [])
    _audit(actor, "add_party", dispute, party=party.pk, people=dispute.people_count)
    return party


@transaction.atomic
def do_convert_case_to_dispute(
    *, actor: User | None, case: Case, version: int | None, dispute_type: DisputeType | None, note: str = ""
) -> Dispute:
    """转为矛盾纠纷: an open plain case (filed in another category) becomes a dispute and reaches
    the mediation desk. A dispatcher (派遣) or a mediator of the case's territory; its category
    stays; the handling clock becomes the mediation time limit once accepted; counted as a dispute
    in the summaries from now on."""
    if actor is not None and not can(actor, Cap.MEDIATE, case.grid_id):
        require(actor, Cap.ASSIGN_CASE, case.grid_id)
    case = lock_case(case, version)
    if case.kind != CaseKind.CASE:
        raise CaseStateError(_("该事件已是矛盾纠纷。"), code="state")
    require_status(case, (Status.REPORTED, Status.ACCEPTED, Status.ASSIGNED), _("转为矛盾纠纷"))
    if dispute_type is None:
        raise ValidationError(_("请选择纠纷类型。"))
    if not dispute_type.is_active:
        raise ValidationError(_("该纠纷类型已停用。"))
    note = clean_text(note, _("转为矛盾纠纷的理由"), max_length=200)
    counted = counts_of(case)
    case.kind = CaseKind.DISPUTE
    fields = ["kind"]
    dispute = adopt_case(case, actor=actor, dispute_type=dispute_type, announce=False)
    if case.status in (Status.ACCEPTED, Status.ASSIGNED):
        case.deadline = dispute.mediation_due
        fields.append("deadline")
    save_case(case, fields)
    record_event(case, actor, CaseEvent.Action.CONVERT, case.status, note, type=dispute_type.code)
    recount(case, counted)  # counted as a dispute from now on
    _audit(actor, "convert", dispute, type=dispute_type.code, category=case.category.code)
    notify(holders_of(Cap.MEDIATE, case.grid_id[: CODE_LENGTH[Level.STREET]]) + handler_ids(case), case,
           Notice.Kind.OTHER, f"事件“{case.title}”已转为矛盾纠纷，请安排调解。", actor=actor)
    return dispute


# ---------------------------------------------------------------- mediation sessions


@transaction.atomic
def do_schedule_session(
    *, actor: User, dispute: Dispute, at: datetime, room: MediationRoom | None = None, place: str = "",
    mediators: list[User] | tuple = (),
) -> MediationSession:
    case = dispute.case
    _require_mediator(actor, case)
    require_status(case, (Status.ACCEPTED, Status.ASSIGNED), _("安排调解"))
    if at is None:
        raise ValidationError(_("请填写调解时间。"))
    if room is not None and not case.grid_id.startswith(room.committee.region_id):
        raise ValidationError(_("该调解室不服务该纠纷所在辖区。"))
    place = clean_text(place, _("地点"), required=False, max_length=120)
    if room is None and not place:
        raise ValidationError(_("请选择调解室或填写调解地点。"))
    people = list(mediators) or [actor]
    for person in people:
        if not can(person, Cap.VIEW, case.grid_id):
            raise ValidationError(_("调解员“%(person)s”不在该纠纷所在辖区。") % {"person": person})
    session = MediationSession.objects.create(dispute=dispute, at=at, room=room, place=place, scheduled_by=actor)
    session.mediators.set(people)
    where = room.name if room else place
    record_event(case, actor, CaseEvent.Action.COMMENT, case.status,
           f"安排调解：{timezone.localtime(at):%Y-%m-%d %H:%M}，{where}", session=session.pk)
    _audit(actor, "schedule_session", dispute, session=session.pk)
    notify([p.pk for p in people if p.pk != actor.pk], case, Notice.Kind.OTHER,
            f"纠纷“{case.title}”安排于 {timezone.localtime(at):%m-%d %H:%M} 在{where}调解。")
    return session


@transaction.atomic
def do_record_session(
    *, actor: User, session: MediationSession, attendees: str, applicant_statement: str,
    respondent_statement: str, agreed: str = "",
) -> MediationSession:
    session = MediationSession.objects.select_for_update(of=("self", "dispute", "dispute__case")).select_related("dispute__case").get(pk=session.pk)
    case = session.dispute.case
    _require_mediator(actor, case)
    if session.at > timezone.now():
        raise ValidationError(_("调解安排于 %(at)s，尚未开始，不能记录。") % {"at": f"{timezone.localtime(session.at):%Y-%m-%d %H:%M}"})
    session.attendees = clean_text(attendees, _("参加人员"), max_length=300)
    session.applicant_statement = clean_text(applicant_statement, _("申请人陈述"))
    session.respondent_statement = clean_text(respondent_statement, _("被申请人陈述"))
    session.agreed = clean_text(agreed, _("达成的意见"), required=False)
    session.held, session.recorded_at = True, timezone.now()
    session.save()
    record_event(case, actor, CaseEvent.Action.COMMENT, case.status,
           f"调解记录：{session.agreed or '未达成一致'}"[:2000], session=session.pk)
    _audit(actor, "record_session", session.dispute, session=session.pk)
    return session


# ---------------------------------------------------------------- outcome


def _outcome_case(actor: User | None, dispute: Dispute, version: int | None, doing: str) -> Case:
    case = lock_case(dispute.case, version)
    _require_mediator(actor, case)
    require_status(case, (Status.ACCEPTED, Status.ASSIGNED), doing)
    return case


@transaction.atomic
def do_settle_dispute(
    *, actor: User, dispute: Dispute, version: int | None, facts: str, terms: str, performance: str,
    performance_due=None, follow_up_days: tuple[int, ...] = FOLLOW_UP_DAYS,
) -> Dispute:
    """调解成功: the agreement is recorded (printable as 人民调解协议书), the case goes to 核查
    like any handled case, and follow-up visits are scheduled for the mediator."""
    case = _outcome_case(actor, dispute, version, _("登记调解成功"))
    counted = counts_of(case)
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    dispute.case = case
    if not dispute.parties.filter(side=PartySide.APPLICANT).exists() or not dispute.parties.filter(
        side=PartySide.RESPONDENT
    ).exists():
        raise ValidationError(_("调解协议须有申请人和被申请人。"))
    dispute.facts = clean_text(facts, _("纠纷事实及争议事项"), max_length=3000)
    dispute.terms = clean_text(terms, _("协议内容"), max_length=3000)
    dispute.performance = clean_text(performance, _("履行方式"), max_length=200)
    dispute.performance_due = parse_date(performance_due, _("履行期限"))
    now = timezone.now()
    dispute.outcome, dispute.settled_at = Outcome.SETTLED, now
    dispute.agreement_no = dispute.agreement_no or f"调协字〔{timezone.localdate():%Y}〕{dispute.pk:06d}号"
    dispute.referred_to, dispute.referred_to_name, dispute.referral_note, dispute.referred_at = "", "", "", None
    dispute.save()
    before = case.status
    case.status = Status.HANDLED
    case.deadline = stage_deadline(case.category, Stage.VERIFY)
    save_case(case, ["status", "deadline"])
    record_event(case, actor, CaseEvent.Action.HANDLE, before, f"调解成功：{dispute.terms}"[:2000], outcome="settled",
           agreement=dispute.agreement_no)
    recount(case, counted)
    owner = actor if actor is not None else case.assignee
    today = timezone.localdate()
    if owner is not None:
        FollowUp.objects.bulk_create([FollowUp(dispute=dispute, due=today + timedelta(days=d), owner=owner)
                                      for d in follow_up_days])
    _audit(actor, "settle", dispute, agreement=dispute.agreement_no)
    notify_handled(case, actor)
    return dispute


@transaction.atomic
def do_refer_dispute(
    *, actor: User, dispute: Dispute, version: int | None, target: str, target_name: str, note: str
) -> Dispute:
    """调解不成: handed off to a court, arbitration, a department or petition office, recorded."""
    case = _outcome_case(actor, dispute, version, _("登记调解不成"))
    counted = counts_of(case)
    if target not in ReferralTarget.values:
        raise ValidationError(_("请选择移交去向。"))
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    dispute.case = case
    dispute.referred_to = target
    dispute.referred_to_name = clean_text(target_name, _("接收单位"), max_length=80)
    dispute.referral_note = clean_text(note, _("移交说明（调解不成的原因、已告知当事人的救济途径）"), max_length=1000)
    dispute.outcome, dispute.referred_at = Outcome.REFERRED, timezone.now()
    dispute.save()
    before = case.status
    case.status = Status.HANDLED
    case.deadline = stage_deadline(case.category, Stage.VERIFY)
    save_case(case, ["status", "deadline"])
    record_event(case, actor, CaseEvent.Action.HANDLE, before,
           f"调解不成，移交{dispute.get_referred_to_display()}（{dispute.referred_to_name}）：{dispute.referral_note}"[:2000],
           outcome="referred", to=target)
    recount(case, counted)  # a dispute referred after its agreement broke was not settled either way; cheap to be sure
    _audit(actor, "refer", dispute, to=target, name=dispute.referred_to_name)
    notify_handled(case, actor)
    return dispute


@transaction.atomic
def do_extend_mediation(*, actor: User, dispute: Dispute, version: int | None, reason: str) -> Dispute:
    """Court-referred (委派) mediation: 30 days, extendable once by 30 (with the court's consent)."""
    case = _outcome_case(actor, dispute, version, _("延长调解期限"))
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if dispute.source != Source.COURT:
        raise CaseStateError(_("只有法院委派调解的纠纷可以延长调解期限。"), code="state")
    if dispute.extended:
        raise CaseStateError(_("委派调解期限只能延长一次。"), code="state")
    reason = clean_text(reason, _("延长理由"), max_length=200)
    dispute.mediation_due = (dispute.mediation_due or timezone.now()) + timedelta(days=COURT_EXTENSION_DAYS)
    dispute.extended = True
    dispute.save(update_fields=["mediation_due", "extended"])
    case.deadline = dispute.mediation_due
    case.supervision = 0
    save_case(case, ["deadline", "supervision"])
    record_event(case, actor, CaseEvent.Action.EXTENSION_GRANT, case.status, reason, days=COURT_EXTENSION_DAYS)
    _audit(actor, "extend", dispute, days=COURT_EXTENSION_DAYS)
    return dispute


# ---------------------------------------------------------------- follow-up


@transaction.atomic
def do_schedule_follow_up(
    *, actor: User, dispute: Dispute, version: int | None, due, owner: User | None = None
) -> FollowUp:
    _require_mediator(actor, dispute.case)
    case = lock_case(dispute.case, version)
    dispute = Dispute.objects.select_for_update(of=("self",)).get(pk=dispute.pk)
    dispute.case = case
    if dispute.outcome != Outcome.SETTLED:
        raise CaseStateError(_("只有调解成功的纠纷需要回访。"), code="state")
    day = parse_date(due, _("回访日期"))
    if day is None or day < timezone.localdate():
        raise ValidationError(_("回访日期不能早于今天。"))
    owner = owner or actor
    if not can(owner, Cap.VIEW, dispute.case.grid_id):
        raise ValidationError(_("回访人不在该纠纷所在辖区。"))
    follow_up = FollowUp.objects.create(dispute=dispute, due=day, owner=owner)
    save_case(case, [])
    _audit(actor, "schedule_follow_up", dispute, due=day.isoformat())
    return follow_up


@transaction.atomic
def do_record_follow_up(*, actor: User, follow_up: FollowUp, version: int | None, holds: bool, note: str) -> FollowUp:
    """回访: the agreement holds, or it is broken and the dispute goes back to mediation."""
    case = lock_case(follow_up.dispute.case, version)
    follow_up = FollowUp.objects.select_for_update(of=("self",)).select_related("dispute").get(pk=follow_up.pk)
    dispute = follow_up.dispute
    dispute.case = case
    if actor.pk != follow_up.owner_id:
        _require_mediator(actor, dispute.case)
    if not follow_up.is_pending:
        raise CaseStateError(_("该回访已完成。"), code="state")
    follow_up.holds = bool(holds)
    follow_up.note = clean_text(note, _("回访情况"), required=not holds, max_length=500)
    follow_up.done_at = timezone.now()
    follow_up.save(update_fields=["holds", "note", "done_at"])
    if holds:
        save_case(case, [])
        record_event(case, actor, CaseEvent.Action.COMMENT, case.status, f"回访：协议履行良好。{follow_up.note}".strip())
        _audit(actor, "follow_up", dispute, holds=True)
        return follow_up
    _reopen(actor, dispute, follow_up.note)
    _audit(actor, "follow_up", dispute, holds=False)
    return follow_up


def _mark_broken(dispute: Dispute) -> None:
    """The agreement did not hold: outcome 协议未履行，待重新调解, a fresh mediation time limit,
    the remaining follow-ups of the broken agreement cancelled. The caller holds the locks."""
    dispute.outcome = Outcome.BROKEN
    dispute.reopen_count += 1
    dispute.mediation_due = mediation_limit(Source.VISIT, timezone.now())
    dispute.save(update_fields=["outcome", "reopen_count", "mediation_due"])
    FollowUp.objects.filter(dispute=dispute, done_at__isnull=True, cancelled=False).update(cancelled=True)


def agreement_failed_verification(case: Case) -> bool:
    """For the case loop (do_verify_case, not fixed, the case already locked): a settled
    dispute whose agreement fails 核查 is no longer 调解成功. True when the dispute was settled."""
    dispute = Dispute.objects.select_for_update().filter(pk=case.pk, outcome=Outcome.SETTLED).first()
    if dispute is None:
        return False
    _mark_broken(dispute)
    return True


def _reopen(actor: User | None, dispute: Dispute, why: str) -> None:
    """A broken agreement reopens the dispute: back to mediation with a fresh time limit."""
    case = lock_case(dispute.case, None)
    require_status(case, (Status.HANDLED, Status.CLOSED), _("重新调解"))
    counted = counts_of(case)
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    _mark_broken(dispute)
    before = case.status
    case.status = Status.ASSIGNED
    if case.assignee_id is None and case.department_id is None and actor is not None:
        case.assignee = actor
    case.deadline = dispute.mediation_due
    case.closed_at = None
    case.supervision = 0
    save_case(case, ["status", "assignee", "deadline", "closed_at", "supervision"])
    record_dispatch(case)
    record_event(case, actor, CaseEvent.Action.VERIFY_FAIL, before, f"回访发现调解协议未履行，重新调解：{why}",
           reopened=dispute.reopen_count)
    recount(case, counted)
    notify(handler_ids(case), case, Notice.Kind.RETURNED,
            f"纠纷“{case.title}”调解协议未履行，已重新进入调解。")


@transaction.atomic
def do_remind_follow_up(*, follow_up_id: int, now: datetime | None = None) -> bool:
    """The periodic task's step: remind the owner of a follow-up that is due, once."""
    now = now or timezone.now()
    follow_up = FollowUp.objects.select_for_update(of=("self", "dispute", "dispute__case")).select_related("dispute__case").get(pk=follow_up_id)
    if not follow_up.is_pending or follow_up.reminded_at is not None or follow_up.due > timezone.localdate(now):
        return False
    follow_up.reminded_at = now
    follow_up.save(update_fields=["reminded_at"])
    case = follow_up.dispute.case
    notify([follow_up.owner_id], case, Notice.Kind.DUE_SOON,
            f"纠纷“{case.title}”应于 {follow_up.due:%m-%d} 回访，请核实调解协议履行情况。")
    record_audit(actor=None, action="dispute.follow_up_remind", target=follow_up, region_code=case.grid_id)
    return True


# ---------------------------------------------------------------- reading personal data


@transaction.atomic
def do_reveal_party(*, actor: User, dispute: Dispute, party: Party) -> Party:
    """Show one party's ID number and phone in full: only with reveal_pii on the dispute's grid.
    Changes nothing; the audit row is the point (who saw whose personal data, when, where)."""
    if party.dispute_id != dispute.pk:
        raise ValidationError(_("当事人不存在。"))
    if not may_reveal(actor, dispute):
        raise PermissionDenied(_("您无权查看当事人的完整个人信息。"))
    record_audit(actor=actor, action="dispute.reveal_party", target=party, region_code=dispute.case.grid_id,
                 detail={"dispute": dispute.pk})
    return party


@transaction.atomic
def do_print_agreement(*, actor: User, dispute: Dispute) -> bytes:
    """人民调解协议书 as a PDF. ID numbers and phones in full only for those who may reveal them;
    every print is audited (with whether it was unmasked)."""
    if dispute.outcome != Outcome.SETTLED:
        raise CaseStateError(_("该纠纷尚未调解成功，没有调解协议书。"), code="state")
    full = may_reveal(actor, dispute)
    with translation.override("zh-hans"):  # the document is Chinese whatever the page's language
        parties = party_rows(dispute, set(dispute.parties.values_list("pk", flat=True)) if full else set())
        parties.sort(key=lambda p: SIDE_ORDER.index(p["side_code"]) if p["side_code"] in SIDE_ORDER else 9)
        mediators = sorted({m.get_full_name() for s in dispute.sessions.prefetch_related("mediators")
                            for m in s.mediators.all()})
        if not mediators and dispute.case.assignee_id:
            mediators = [dispute.case.assignee.get_full_name()]
        pdf = agreement_pdf(dispute, parties, mediators, committee_name(dispute.case.grid_id))
    record_audit(actor=actor, action="dispute.agreement_pdf", target=dispute, region_code=dispute.case.grid_id,
                 detail={"unmasked": full})
    return pdf


# How a dispute departs from the plain loop; registered by DisputesConfig.ready().
DISPUTE_RULES = KindRules(
    kind=CaseKind.DISPUTE,
    handle_deadline=mediation_deadline,
    on_verification_failed=agreement_failed_verification,
    handled_elsewhere=gettext_lazy("矛盾纠纷请在纠纷页登记调解结果（调解成功或调解不成）。"),
    page_url=lambda case: reverse("mediation:detail", args=[case.pk]),
    claims_category=claims_category,
    adopt=adopt_case,
)

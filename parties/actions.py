"""Writes on the registers and the party organisation. Each is a do_* function:
keyword-only arguments, one transaction, the actor's capability checked on the
territory first, one audit row. Audit details never hold plain ID numbers or
phones: only masked values or blind indexes."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.actions import record_audit, require
from governance.models import Region, User
from governance.roles import Cap, Level
from governance.scope import can, region_codes
from parties import lookups, pii
from parties.idnumbers import birth_date_and_gender, normalize_id_number, validate_id_number
from parties.models import (
    SENSITIVE_TAGS,
    Building,
    CoBuildingAgreement,
    House,
    Household,
    HouseUse,
    InServiceMember,
    JointMeeting,
    PartyBranch,
    PartyCenterHousehold,
    PartyGroup,
    PartyMember,
    PoliticalStatus,
    ResidencyType,
    Resident,
    ResidentTag,
    TagKind,
    Unit,
    UnitKind,
    tag_from_label,
)
from parties.validators import normalize_credit_code, normalize_phone, validate_credit_code, validate_phone


@contextmanager
def _unique(field: str, message: str):
    """A unique constraint lost to a concurrent writer becomes a Chinese ValidationError, not a 500."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        raise ValidationError({field: message}) from None


def _require_grid(grid: Region) -> None:
    if grid is None or grid.level != Level.GRID:
        raise ValidationError({"grid": _("请选择一个网格（不能是社区、街道等上级区划）。")})


def _require_community(region: Region) -> None:
    if region is None or region.level != Level.COMMUNITY:
        raise ValidationError({"community": _("请选择一个社区。")})


def _choice(value: str, choices: type[models.TextChoices], field: str, label: str) -> str:
    """Accept a choice's key or its Chinese label (as rosters write it)."""
    value = (value or "").strip()
    if value in choices.values:
        return value
    for key, text in choices.choices:
        if value == str(text):
            return key
    raise ValidationError(
        {field: _("%(label)s“%(value)s”不在可选范围内（%(options)s）。")
         % {"label": label, "value": value, "options": "、".join(str(t) for __, t in choices.choices)}}
    )


def clean_id_number(raw: str) -> tuple[str, str]:
    """(normalised number, blind index) or ValidationError on field id_number."""
    value = normalize_id_number(raw)
    try:
        validate_id_number(value)
    except ValidationError as e:
        raise ValidationError({"id_number": e.messages}) from None
    return value, pii.blind_index(value)


def clean_phone(raw: str, field: str = "phone") -> str:
    value = normalize_phone(raw)
    if not value:
        return ""
    try:
        validate_phone(value)
    except ValidationError as e:
        raise ValidationError({field: e.messages}) from None
    return value


def _check_house(house: House | None, grid: Region) -> None:
    if house is not None and house.grid_id != grid.code:
        raise ValidationError({"house": _("所选房屋不在该网格内。")})


# ---- buildings and houses -----------------------------------------------------------------


@transaction.atomic
def do_create_building(*, actor: User | None, grid: Region, name: str, address: str = "", floors: int | None = None) -> Building:
    _require_grid(grid)
    require(actor, Cap.CHANGE_REGISTER, grid.code)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("楼栋名称不能为空。")})
    if Building.objects.filter(grid=grid, name=name).exists():
        raise ValidationError({"name": _("本网格已有楼栋“%(name)s”。") % {"name": name}})
    with _unique("name", _("本网格已有楼栋“%(name)s”。") % {"name": name}):
        building = Building.objects.create(grid=grid, name=name, address=address.strip(), floors=floors)
    record_audit(actor=actor, action="building.create", target=building, region_code=grid.code, detail={"name": name})
    return building


@transaction.atomic
def do_create_house(
    *,
    actor: User | None,
    building: Building,
    unit_no: str = "",
    room: str,
    use: str = HouseUse.OWNER,
    area=None,
    owner_name: str = "",
    note: str = "",
) -> House:
    require(actor, Cap.CHANGE_REGISTER, building.grid_id)
    room = (room or "").strip()
    unit_no = (unit_no or "").strip()
    if not room:
        raise ValidationError({"room": _("房号不能为空。")})
    use = _choice(use, HouseUse, "use", _("房屋用途"))
    if House.objects.filter(building=building, unit_no=unit_no, room=room).exists():
        raise ValidationError({"room": _("%(building)s%(unit_no)s%(room)s 已登记。") % {"building": building.name, "unit_no": unit_no, "room": room}})
    with _unique("room", _("%(building)s%(unit_no)s%(room)s 已登记。") % {"building": building.name, "unit_no": unit_no, "room": room}):
        house = House.objects.create(
            grid_id=building.grid_id, building=building, unit_no=unit_no, room=room, use=use, area=area,
            owner_name=owner_name.strip(), note=note,
        )
    record_audit(
        actor=actor, action="house.create", target=house, region_code=house.grid_id,
        detail={"address": house.address, "use": use},
    )
    return house


HOUSE_FIELDS = ("unit_no", "room", "use", "area", "owner_name", "note")


@transaction.atomic
def do_update_house(*, actor: User | None, house: House, **changes: Any) -> House:
    require(actor, Cap.CHANGE_REGISTER, house.grid_id)
    unknown = set(changes) - set(HOUSE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if "use" in changes:
        changes["use"] = _choice(changes["use"], HouseUse, "use", _("房屋用途"))
    diff = _apply(house, changes)
    if not house.room:
        raise ValidationError({"room": _("房号不能为空。")})
    if House.objects.filter(building=house.building_id, unit_no=house.unit_no, room=house.room).exclude(pk=house.pk).exists():
        raise ValidationError({"room": _("该楼栋已有相同单元和房号的房屋。")})
    with _unique("room", _("该楼栋已有相同单元和房号的房屋。")):
        house.save()
    record_audit(actor=actor, action="house.update", target=house, region_code=house.grid_id, detail={"changes": diff})
    return house


def _apply(obj: models.Model, changes: dict[str, Any]) -> dict[str, list]:
    """Set the changed attributes and return {field: [old, new]} for the audit (PII fields masked by callers)."""
    diff: dict[str, list] = {}
    for field, new in changes.items():
        if isinstance(new, str):
            new = new.strip()
        old = getattr(obj, field)
        if old != new:
            setattr(obj, field, new)
            diff[field] = [_plain(old), _plain(new)]
    return diff


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


# ---- residents ------------------------------------------------------------------------------


@transaction.atomic
def do_create_resident(
    *,
    actor: User | None,
    grid: Region,
    name: str,
    id_number: str,
    phone: str = "",
    ethnicity: str = "汉族",
    political_status: str = PoliticalStatus.MASSES,
    residency_type: str = ResidencyType.REGISTERED,
    house: House | None = None,
    household: Household | None = None,
    relation_to_head: str = "",
    note: str = "",
    tags: list[str] | tuple[str, ...] = (),
) -> Resident:
    _require_grid(grid)
    require(actor, Cap.CHANGE_REGISTER, grid.code)
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("姓名不能为空。")]
    try:
        number, number_hash = clean_id_number(id_number)
    except ValidationError as e:
        errors.update(e.message_dict)
        number = number_hash = ""
    try:
        phone = clean_phone(phone)
    except ValidationError as e:
        errors.update(e.message_dict)
    try:
        political_status = _choice(political_status, PoliticalStatus, "political_status", _("政治面貌"))
        residency_type = _choice(residency_type, ResidencyType, "residency_type", _("人口类型"))
        _check_house(house, grid)
    except ValidationError as e:
        errors.update(e.message_dict)
    if errors:
        raise ValidationError(errors)
    if Resident.objects.filter(id_number_hash=number_hash).exists():
        raise ValidationError({"id_number": _("该公民身份号码已登记在册，请勿重复登记（可按身份证号查找后修改）。")})
    born, gender = birth_date_and_gender(number)
    resident = Resident(
        grid=grid, house=house, household=household, relation_to_head=relation_to_head.strip(), name=name,
        id_number_encrypted=pii.encrypt(number, aad=pii.aad(Resident, "id_number_encrypted", number_hash)),
        id_number_hash=number_hash, gender=gender, birth_date=born,
        phone_encrypted=pii.encrypt(phone, aad=pii.aad(Resident, "phone_encrypted", number_hash)),
        phone_hash=pii.blind_index(phone),
        ethnicity=(ethnicity or "汉族").strip(), political_status=political_status, residency_type=residency_type,
        note=note,
    )
    with _unique("id_number", _("该公民身份号码已登记在册，请勿重复登记。")):
        resident.save(force_insert=True)
    for tag in tags:
        _add_tag(actor, resident, tag)
    record_audit(
        actor=actor, action="resident.create", target=resident, region_code=grid.code,
        detail={"name": name, "id_number": pii.mask_id_number(number), "tags": list(tags)},
    )
    return resident


RESIDENT_FIELDS = (
    "name", "id_number", "phone", "ethnicity", "political_status", "residency_type", "house", "household",
    "relation_to_head", "note",
)


@transaction.atomic
def do_update_resident(*, actor: User | None, resident: Resident, **changes: Any) -> Resident:
    """Change some of RESIDENT_FIELDS. The audit row lists what changed (PII masked)."""
    require(actor, Cap.CHANGE_REGISTER, resident.grid_id)
    unknown = set(changes) - set(RESIDENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    diff: dict[str, list] = {}
    errors: dict[str, list[str]] = {}
    old_phone_masked = resident.phone_masked if "phone" in changes else ""  # read before a new ID number rebinds it
    if "id_number" in changes:
        try:
            number, number_hash = clean_id_number(changes.pop("id_number"))
        except ValidationError as e:
            errors.update(e.message_dict)
        else:
            if number_hash != resident.id_number_hash:
                if Resident.objects.filter(id_number_hash=number_hash).exclude(pk=resident.pk).exists():
                    errors["id_number"] = [_("该公民身份号码已登记在册。")]
                else:
                    diff["id_number"] = [resident.id_number_masked, pii.mask_id_number(number)]
                    phone = resident.phone
                    resident.id_number_hash = number_hash
                    resident.id_number_encrypted = pii.encrypt(number, aad=resident.pii_aad("id_number_encrypted"))
                    # The phone's token is bound to the ID number's blind index too: bind it anew.
                    if phone and phone != str(pii.UNREADABLE) and "phone" not in changes:
                        resident.phone_encrypted = pii.encrypt(phone, aad=resident.pii_aad("phone_encrypted"))
                    resident.birth_date, resident.gender = birth_date_and_gender(number)
    if "phone" in changes:
        try:
            phone = clean_phone(changes.pop("phone"))
        except ValidationError as e:
            errors.update(e.message_dict)
        else:
            phone_hash = pii.blind_index(phone)
            if phone_hash != resident.phone_hash:
                diff["phone"] = [old_phone_masked, pii.mask_phone(phone)]
            if phone_hash != resident.phone_hash or "id_number" in diff:  # a new ID number rebinds the phone
                resident.phone_encrypted = pii.encrypt(phone, aad=resident.pii_aad("phone_encrypted"))
                resident.phone_hash = phone_hash
    try:
        if "political_status" in changes:
            changes["political_status"] = _choice(changes["political_status"], PoliticalStatus, "political_status", _("政治面貌"))
        if "residency_type" in changes:
            changes["residency_type"] = _choice(changes["residency_type"], ResidencyType, "residency_type", _("人口类型"))
        if "house" in changes:
            _check_house(changes["house"], resident.grid)
        if changes.get("household") is not None:
            household = changes["household"]
            house_id = changes["house"].pk if changes.get("house") is not None else resident.house_id
            if household.house_id != house_id:
                raise ValidationError({"household": _("所选家庭户不在该人员居住的房屋。")})
    except ValidationError as e:
        errors.update(e.message_dict)
    if "name" in changes and not (changes["name"] or "").strip():
        errors["name"] = [_("姓名不能为空。")]
    if errors:
        raise ValidationError(errors)
    diff.update(_apply(resident, changes))
    if diff:
        with _unique("id_number", _("该公民身份号码已登记在册。")):
            resident.save()
        record_audit(
            actor=actor, action="resident.update", target=resident, region_code=resident.grid_id,
            detail={"name": resident.name, "changes": diff},
        )
    return resident


def _add_tag(actor: User | None, resident: Resident, tag: str, note: str = "") -> ResidentTag:
    key = tag_from_label(tag)
    if key is None:
        options = "、".join(str(t) for __, t in TagKind.choices)
        raise ValidationError({"tag": _("人员标签“%(tag)s”不在可选范围内（%(options)s）。") % {"tag": tag, "options": options}})
    tag = key
    if tag in SENSITIVE_TAGS and actor is not None and not can(actor, Cap.VIEW_SENSITIVE_TAGS, resident.grid_id):
        raise PermissionDenied(_("您没有在该辖区标记敏感人员标签的权限。"))
    if ResidentTag.objects.filter(resident=resident, tag=tag, removed_at__isnull=True).exists():
        raise ValidationError({"tag": _("该人员已有标签“%(label)s”。") % {"label": TagKind(tag).label}})
    return ResidentTag.objects.create(resident=resident, tag=tag, note=note.strip(), set_by=actor)


@transaction.atomic
def do_set_resident_tag(*, actor: User | None, resident: Resident, tag: str, note: str = "") -> ResidentTag:
    require(actor, Cap.CHANGE_REGISTER, resident.grid_id)
    row = _add_tag(actor, resident, tag, note)
    record_audit(
        actor=actor, action="resident.tag.set", target=resident, region_code=resident.grid_id,
        detail={"tag": row.tag, "note": row.note},
    )
    return row


@transaction.atomic
def do_remove_resident_tag(*, actor: User | None, tag: ResidentTag, reason: str = "") -> ResidentTag:
    resident = tag.resident
    if tag.tag in SENSITIVE_TAGS and actor is not None and not can(actor, Cap.VIEW_SENSITIVE_TAGS, resident.grid_id):
        raise PermissionDenied(_("您没有在该辖区撤销敏感人员标签的权限。"))
    require(actor, Cap.CHANGE_REGISTER, resident.grid_id)
    if tag.removed_at is not None:
        raise ValidationError(_("该标签已撤销。"))
    tag.removed_at = timezone.now()
    tag.removed_by = actor
    tag.removed_reason = reason.strip()
    tag.save(update_fields=["removed_at", "removed_by", "removed_reason"])
    record_audit(
        actor=actor, action="resident.tag.remove", target=resident, region_code=resident.grid_id,
        detail={"tag": tag.tag, "reason": tag.removed_reason},
    )
    return tag


@transaction.atomic
def do_reveal_pii(*, actor: User | None, target: Resident | Unit) -> dict[str, str]:
    """The plain ID number (with the birth date it holds) and phone of one record, for a role that
    may reveal; every reveal is audited. A token that does not decrypt shows pii.UNREADABLE."""
    require(actor, Cap.REVEAL_PII, target.grid_id)
    if isinstance(target, Resident):
        values = {"id_number": target.id_number, "phone": target.phone,
                  "birth_date": target.birth_date.isoformat() if target.birth_date else ""}
    elif isinstance(target, Unit):
        values = {"phone": target.contact_phone}
    else:
        raise TypeError("reveal: resident or unit only")
    unreadable = [k for k, v in values.items() if v == str(pii.UNREADABLE)]
    detail = {"name": target.name, "fields": [k for k, v in values.items() if v and k not in unreadable]}
    if unreadable:
        detail["unreadable"] = unreadable
    record_audit(actor=actor, action="pii.reveal", target=target, region_code=target.grid_id, detail=detail)
    return values


# ---- units -------------------------------------------------------------------------------------


def clean_credit_code(raw: str) -> str | None:
    value = normalize_credit_code(raw)
    if not value:
        return None
    try:
        validate_credit_code(value)
    except ValidationError as e:
        raise ValidationError({"credit_code": e.messages}) from None
    return value


@transaction.atomic
def do_create_unit(
    *,
    actor: User | None,
    grid: Region,
    name: str,
    credit_code: str = "",
    kind: str = UnitKind.ENTERPRISE,
    address: str = "",
    building: Building | None = None,
    legal_person: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    employees: int | None = None,
    note: str = "",
) -> Unit:
    _require_grid(grid)
    require(actor, Cap.CHANGE_REGISTER, grid.code)
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("单位名称不能为空。")]
    code = None
    # Each check runs at once, in its own iteration (B023's late binding cannot bite here).
    for field, fn in (("credit_code", lambda: clean_credit_code(credit_code)),  # noqa: B023
                      ("contact_phone", lambda: clean_phone(contact_phone, "contact_phone")),  # noqa: B023
                      ("kind", lambda: _choice(kind, UnitKind, "kind", _("单位类别")))):  # noqa: B023
        try:
            result = fn()
        except ValidationError as e:
            errors.update(e.message_dict)
            continue
        if field == "credit_code":
            code = result
        elif field == "contact_phone":
            contact_phone = result
        else:
            kind = result
    if building is not None and building.grid_id != grid.code:
        errors["building"] = [_("所选楼栋不在该网格内。")]
    if code and Unit.objects.filter(credit_code=code).exists():
        errors["credit_code"] = [_("该统一社会信用代码已登记。")]
    if errors:
        raise ValidationError(errors)
    with _unique("credit_code", _("该统一社会信用代码已登记。")):
        unit = Unit.objects.create(
            grid=grid, name=name, credit_code=code, kind=kind, address=address.strip(), building=building,
            legal_person=legal_person.strip(), contact_name=contact_name.strip(),
            contact_phone_encrypted=_unit_phone_token(contact_phone), contact_phone_hash=pii.blind_index(contact_phone),
            employees=employees, note=note,
        )
    record_audit(
        actor=actor, action="unit.create", target=unit, region_code=grid.code,
        detail={"name": name, "credit_code": code or ""},
    )
    return unit


def _unit_phone_token(phone: str) -> str:
    return pii.encrypt(phone, aad=pii.aad(Unit, "contact_phone_encrypted", pii.blind_index(phone))) if phone else ""


UNIT_FIELDS = ("name", "credit_code", "kind", "address", "legal_person", "contact_name", "contact_phone", "employees", "note")


@transaction.atomic
def do_update_unit(*, actor: User | None, unit: Unit, **changes: Any) -> Unit:
    require(actor, Cap.CHANGE_REGISTER, unit.grid_id)
    unknown = set(changes) - set(UNIT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    diff: dict[str, list] = {}
    if "credit_code" in changes:
        changes["credit_code"] = clean_credit_code(changes["credit_code"])
        if changes["credit_code"] and Unit.objects.filter(credit_code=changes["credit_code"]).exclude(pk=unit.pk).exists():
            raise ValidationError({"credit_code": _("该统一社会信用代码已登记。")})
    if "kind" in changes:
        changes["kind"] = _choice(changes["kind"], UnitKind, "kind", _("单位类别"))
    if "contact_phone" in changes:
        phone = clean_phone(changes.pop("contact_phone"), "contact_phone")
        if pii.blind_index(phone) != unit.contact_phone_hash:
            diff["contact_phone"] = [unit.contact_phone_masked, pii.mask_phone(phone)]
            unit.contact_phone_encrypted = _unit_phone_token(phone)
            unit.contact_phone_hash = pii.blind_index(phone)
    if "name" in changes and not (changes["name"] or "").strip():
        raise ValidationError({"name": _("单位名称不能为空。")})
    diff.update(_apply(unit, changes))
    if diff:
        with _unique("credit_code", _("该统一社会信用代码已登记。")):
            unit.save()
        record_audit(actor=actor, action="unit.update", target=unit, region_code=unit.grid_id, detail={"changes": diff})
    return unit


# ---- party organisation -----------------------------------------------------------------------


@transaction.atomic
def do_create_party_branch(
    *, actor: User | None, grid: Region, name: str, secretary: Resident | None = None, established_on: date | None = None
) -> PartyBranch:
    _require_grid(grid)
    require(actor, Cap.CHANGE_REGISTER, grid.code)
    if PartyBranch.objects.filter(grid=grid).exists():
        raise ValidationError({"grid": _("该网格已有党支部（一格一支部）。")})
    if secretary is not None and secretary.grid_id != grid.code:
        raise ValidationError({"secretary": _("支部书记须为本网格的人员。")})
    with _unique("grid", _("该网格已有党支部（一格一支部）。")):
        branch = PartyBranch.objects.create(grid=grid, name=name.strip(), secretary=secretary, established_on=established_on)
    record_audit(actor=actor, action="party.branch.create", target=branch, region_code=grid.code, detail={"name": branch.name})
    return branch


@transaction.atomic
def do_create_party_group(
    *, actor: User | None, branch: PartyBranch, name: str, building: Building | None = None, leader: Resident | None = None
) -> PartyGroup:
    require(actor, Cap.CHANGE_REGISTER, branch.grid_id)
    if building is not None and building.grid_id != branch.grid_id:
        raise ValidationError({"building": _("楼院须在支部所在网格内。")})
    group = PartyGroup.objects.create(grid_id=branch.grid_id, branch=branch, name=name.strip(), building=building, leader=leader)
    record_audit(actor=actor, action="party.group.create", target=group, region_code=branch.grid_id, detail={"name": group.name})
    return group


@transaction.atomic
def do_register_party_member(
    *,
    actor: User | None,
    resident: Resident,
    branch: PartyBranch | None = None,
    group: PartyGroup | None = None,
    joined_on: date | None = None,
    probationary: bool = False,
    role: str = "",
) -> PartyMember:
    """Record a resident's party details; their political status follows."""
    require(actor, Cap.CHANGE_REGISTER, resident.grid_id)
    if hasattr(resident, "party_member"):
        raise ValidationError(_("该人员已登记为党员。"))
    member = PartyMember.objects.create(
        grid_id=resident.grid_id, resident=resident, branch=branch, group=group, joined_on=joined_on,
        probationary=probationary, role=role.strip(),
    )
    status = PoliticalStatus.CPC_PROBATIONARY if probationary else PoliticalStatus.CPC_MEMBER
    if resident.political_status != status:
        Resident.objects.filter(pk=resident.pk).update(political_status=status)
        resident.political_status = status
    record_audit(
        actor=actor, action="party.member.register", target=member, region_code=resident.grid_id,
        detail={"name": resident.name, "branch": str(branch) if branch else ""},
    )
    return member


@transaction.atomic
def do_create_center_household(
    *, actor: User | None, member: PartyMember, house: House, linked_houses: list[House] = ()
) -> PartyCenterHousehold:
    require(actor, Cap.CHANGE_REGISTER, member.grid_id)
    if any(h.grid_id != member.grid_id for h in [house, *linked_houses]):
        raise ValidationError(_("党员中心户及其联系户须在同一网格内。"))
    center = PartyCenterHousehold.objects.create(grid_id=member.grid_id, member=member, house=house)
    center.linked_houses.set(linked_houses)
    record_audit(
        actor=actor, action="party.center_household.create", target=center, region_code=member.grid_id,
        detail={"house": house.address, "linked": len(linked_houses)},
    )
    return center


@transaction.atomic
def do_register_in_service_member(
    *,
    actor: User | None,
    community: Region,
    name: str,
    employer: str,
    registered_on: date,
    party_org: str = "",
    phone: str = "",
    grid: Region | None = None,
    service: str = "",
) -> InServiceMember:
    _require_community(community)
    require(actor, Cap.CHANGE_REGISTER, community.code)
    phone = clean_phone(phone)
    if grid is not None and not grid.code.startswith(community.code):
        raise ValidationError({"grid": _("服务网格须在报到社区内。")})
    member = InServiceMember.objects.create(
        community=community, grid=grid, name=name.strip(), employer=employer.strip(), party_org=party_org.strip(),
        registered_on=registered_on, service=service.strip(),
    )
    if phone:  # bound to the pk, which exists only now
        member.phone_encrypted = pii.encrypt(phone, aad=member.pii_aad("phone_encrypted"))
        member.save(update_fields=["phone_encrypted"])
    record_audit(
        actor=actor, action="party.in_service.register", target=member, region_code=community.code,
        detail={"name": member.name, "employer": member.employer},
    )
    return member


@transaction.atomic
def do_sign_co_building_agreement(
    *, actor: User | None, community: Region, unit: Unit, title: str, signed_on: date,
    valid_until: date | None = None, content: str = "",
) -> CoBuildingAgreement:
    _require_community(community)
    require(actor, Cap.CHANGE_REGISTER, community.code)
    agreement = CoBuildingAgreement.objects.create(
        community=community, unit=unit, title=title.strip(), signed_on=signed_on, valid_until=valid_until, content=content
    )
    record_audit(
        actor=actor, action="party.agreement.sign", target=agreement, region_code=community.code,
        detail={"unit": unit.name, "title": agreement.title},
    )
    return agreement


@transaction.atomic
def do_record_joint_meeting(
    *, actor: User | None, community: Region, held_on: date, title: str, minutes: str = "",
    attendees: str = "", units: list[Unit] = (),
) -> JointMeeting:
    _require_community(community)
    require(actor, Cap.CHANGE_REGISTER, community.code)
    meeting = JointMeeting.objects.create(
        community=community, held_on=held_on, title=title.strip(), minutes=minutes, attendees=attendees
    )
    meeting.units.set(units)
    record_audit(
        actor=actor, action="party.meeting.record", target=meeting, region_code=community.code,
        detail={"title": meeting.title, "units": len(units)},
    )
    return meeting


def find_or_create_house(
    *, actor: User | None, grid: Region, building_name: str, unit_no: str = "", room: str, use: str = HouseUse.OWNER
) -> House:
    """The house at 楼栋/单元/房号 in `grid`, registering the building and the house (each audited) if new."""
    building_name = (building_name or "").strip()
    if not building_name:
        raise ValidationError({"building": _("请填写楼栋。")})
    if not (room or "").strip():
        raise ValidationError({"room": _("请填写房号。")})
    building = Building.objects.filter(grid=grid, name=building_name).first()
    if building is None:
        building = do_create_building(actor=actor, grid=grid, name=building_name)
    house = House.objects.filter(building=building, unit_no=(unit_no or "").strip(), room=room.strip()).first()
    if house is None:
        house = do_create_house(actor=actor, building=building, unit_no=unit_no, room=room, use=use)
    return house


@transaction.atomic
def do_create_household(*, actor: User | None, house: House, head_name: str, number: str = "") -> Household:
    """A household (户) in a house; residents join it through do_update_resident(household=…)."""
    require(actor, Cap.CHANGE_REGISTER, house.grid_id)
    head_name = (head_name or "").strip()
    if not head_name:
        raise ValidationError({"head_name": _("户主姓名不能为空。")})
    household = Household.objects.create(grid_id=house.grid_id, house=house, head_name=head_name, number=(number or "").strip())
    record_audit(
        actor=actor, action="household.create", target=household, region_code=house.grid_id,
        detail={"house": house.address, "head_name": head_name},
    )
    return household


def _require_register_scope(actor: User | None, cap: str = Cap.VIEW_REGISTER) -> str:
    """For a read across the actor's whole scope (a search, an export): PermissionDenied unless they
    hold `cap` somewhere; the audit row's region code (the nodes' common prefix)."""
    if actor is None:
        return ""
    codes = region_codes(actor, cap)
    if not codes:
        raise PermissionDenied(_("您没有查看实有人口的权限。"))
    for code in codes:
        require(actor, cap, code)
    return os.path.commonprefix(list(codes))


@transaction.atomic
def do_record_export(*, actor: User, what: str, filters: dict, rows: int | None = None) -> None:
    """Exports change nothing, but who took which list out of the system is recorded. `filters`: the
    search as ResidentSearch.filters() gives it (exact keys only as a flag, never a number); `rows`:
    how many rows the file holds, counted before the first one leaves."""
    region_code = _require_register_scope(actor)
    detail: dict = {"filters": filters}
    if rows is not None:
        detail["rows"] = rows
    record_audit(actor=actor, action=f"{what}.export", target=actor, region_code=region_code, detail=detail)


@transaction.atomic
def do_look_up(*, actor: User, what: str, exact: dict[str, str], rows: models.QuerySet, source: str,
               limit: int = 1, cap: str = Cap.VIEW_REGISTER) -> list:
    """An exact look-up by ID number or phone (`exact`: their blind indexes) in the actor's scope:
    at most settings.PII_LOOKUPS_PER_MINUTE a minute (lookups.TooManyLookups past it), each one
    audited with the blind indexes and whether anything was found — never the number itself.
    `rows`: the scoped search, not yet run; returns its first `limit` rows. `cap`: what the search
    was scoped by (a picker's: selectors.link_cap)."""
    region_code = _require_register_scope(actor, cap)
    if not exact:
        raise TypeError("do_look_up: an exact look-up needs the blind index of an ID number or a phone")
    lookups.take(actor)
    found = list(rows[:limit])
    record_audit(actor=actor, action=f"{what}.lookup", target=actor, region_code=region_code,
                 detail={"by": sorted(exact), "hashes": exact, "found": len(found), "source": source})
    return found


@transaction.atomic
def do_reencrypt_pii_batch(*, actor: User | None, model: type[models.Model], fields: tuple[str, ...],
                           rows: list[dict], masks: dict[str, tuple[str, Callable[[str], str]]] | None = None) -> int:
    """Write one batch's encrypted columns again with the newest key, bound to their row
    (model.pii_bindings; a model without them keeps unbound tokens), and recompute the masks
    stored beside some of them (`masks`: token field → (mask field, mask function)).

    rows: dicts of the pk, the token fields, the binding keys and the mask fields. Only the system
    (actor=None, the reencrypt_pii command) does this: nothing is revealed, the plain values never
    leave this function. Returns how many rows changed; one audit row a batch. A token that does
    not decrypt raises ValueError naming its row."""
    if actor is not None:
        raise PermissionError("re-encryption is run by the system only")
    masks = masks or {}
    bindings = getattr(model, "pii_bindings", {})
    columns = [*fields, *(mask_field for mask_field, __ in masks.values())]
    updates = []
    for row in rows:
        aads = [pii.aad(model, f, row[bindings[f]]) if f in bindings and row[f] else None for f in fields]
        try:
            opened = pii.reopened([row[f] for f in fields], aads=aads)
        except ValueError as error:
            raise ValueError(f"id {row['pk']}: {error}") from None
        changes = {f: fresh for f, (__, fresh) in zip(fields, opened) if fresh is not None}
        for f, (plain, __) in zip(fields, opened):
            if f in masks:
                mask_field, mask = masks[f]
                if row[mask_field] != mask(plain):
                    changes[mask_field] = mask(plain)
        if changes:
            updates.append(model(pk=row["pk"], **({c: row[c] for c in columns} | changes)))
    if not updates:
        return 0
    model._base_manager.bulk_update(updates, columns, batch_size=1000)
    record_audit(actor=None, action="pii.reencrypt", target=updates[0],
                 detail={"model": model._meta.label_lower, "rows": len(updates),
                         "ids": [rows[0]["pk"], rows[-1]["pk"]]})
    return len(updates)

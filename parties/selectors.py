"""Reads on the registers. Each starts from `scoped(...)`.

Lists are keyset pages by the pk (governance.pagination; `?after=` the last id shown, newest
first) that ask for one row more than a page to know whether there is a next page: no
COUNT(*) of a 10-million-row table, ever. Searches are exact on the blind index (ID
number, phone), prefix on the name, prefix on building + exact room.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from governance.models import AuditEvent, Region, User
from governance.pagination import KeysetPage, keyset_page
from governance.roles import Cap, Level
from governance.scope import can, get_in_scope_or_404, region_codes, scope_condition, scoped
from parties import pii
from parties.idnumbers import normalize_id_number, validate_id_number
from parties.models import (
    SENSITIVE_TAGS,
    Building,
    CoBuildingAgreement,
    House,
    Household,
    InServiceMember,
    JointMeeting,
    PartyBranch,
    PartyCenterHousehold,
    PartyGroup,
    PartyMember,
    Resident,
    ResidentTag,
    TagKind,
    Unit,
)
from parties.validators import normalize_phone, validate_phone

PAGE_SIZE = 50


def register_page(qs: QuerySet, after: str | None = None, before: str | None = None,
                  size: int = PAGE_SIZE, ascending: bool = False) -> KeysetPage:
    """A page of a register, newest first by the pk (`ascending`: in the order entered), never counted
    in full (its total: an estimate, exact when small). Raises BadPageKey for a bad key."""
    return keyset_page(qs, after=after, before=before, size=size, counted=False, ascending=ascending)


@dataclass
class ResidentSearch:
    """A register search. The exact keys come either typed (`id_number`, `phone`: a POSTed form, the
    API) or as blind indexes (`id_number_hash`, `phone_hash`: from a page's search token)."""

    name: str = ""
    id_number: str = ""
    phone: str = ""
    building: str = ""
    room: str = ""
    grid: str = ""
    tag: str = ""
    id_number_hash: str = ""
    phone_hash: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any((self.name, self.id_number, self.phone, self.building, self.room, self.grid, self.tag,
                        self.id_number_hash, self.phone_hash))

    def clean_exact(self) -> None:
        """Typed ID number and phone → their blind indexes (problems go to errors). Idempotent."""
        if self.id_number and not self.id_number_hash:
            number = normalize_id_number(self.id_number)
            try:
                validate_id_number(number)
            except ValidationError:
                self.errors.append(_("按身份证号查找须输入完整、正确的 18 位号码（号码加密存储，不支持部分匹配）。"))
            else:
                self.id_number_hash = pii.blind_index(number)
                self.id_number = number
        if self.phone and not self.phone_hash:
            phone = normalize_phone(self.phone)
            try:
                validate_phone(phone)
            except ValidationError:
                self.errors.append(_("按电话查找须输入完整、正确的号码（号码加密存储，不支持部分匹配）。"))
            else:
                self.phone_hash = pii.blind_index(phone)
                self.phone = phone

    @property
    def exact(self) -> dict[str, str]:
        """The blind indexes this search looks up ({"id_number": …, "phone": …}, the ones given)."""
        return {k: v for k, v in (("id_number", self.id_number_hash), ("phone", self.phone_hash)) if v}

    @property
    def masks(self) -> dict[str, str]:
        """What to show of the typed exact keys (masked)."""
        shown = {}
        if self.id_number and self.id_number_hash:
            shown["id_number"] = pii.mask_id_number(self.id_number)
        if self.phone and self.phone_hash:
            shown["phone"] = pii.mask_phone(self.phone)
        return shown

    def filters(self) -> dict[str, str]:
        """The search for an audit row: plain filters as given, exact keys only as a flag."""
        plain = {k: getattr(self, k) for k in ("name", "building", "room", "grid", "tag") if getattr(self, k)}
        return plain | {k: "（精确）" for k in self.exact}


def visible_tags_q(user: User, field: str = "resident__grid__code") -> Q:
    """The tags `user` may see: every tag but the sensitive ones (SENSITIVE_TAGS), and those only
    under the nodes where the user holds Cap.VIEW_SENSITIVE_TAGS. For ResidentTag querysets (and,
    with `field`, any query over tags): every page, list, filter, export, API and count of tags."""
    condition = ~Q(tag__in=SENSITIVE_TAGS)
    sensitive = scope_condition(ResidentTag, user, Cap.VIEW_SENSITIVE_TAGS, field=field)
    return condition | (Q(tag__in=SENSITIVE_TAGS) & sensitive) if sensitive is not None else condition


def visible_tag_choices(user: User, region_code: str | None = None) -> list[tuple[str, str]]:
    """The tag choices to offer `user` (in a filter, a form): without the capability (on the node
    `region_code`, or anywhere when None) no sensitive tag is offered."""
    if region_code is None:
        sees = bool(region_codes(user, Cap.VIEW_SENSITIVE_TAGS))
    else:
        sees = can(user, Cap.VIEW_SENSITIVE_TAGS, region_code)
    return [(k, v) for k, v in TagKind.choices if sees or k not in SENSITIVE_TAGS]


def active_tags_prefetch(user: User) -> Prefetch:
    return Prefetch("tags", queryset=ResidentTag.objects.filter(visible_tags_q(user), removed_at__isnull=True),
                    to_attr="active_tags")


# Who may pick a registered resident or unit to link it to a case or name it a party to a dispute
# (the pickers: masked labels only): those who see the register, and mediators in their territory
# (the parties they mediate between are residents; they hold no view_register).
LINK_CAPS = (Cap.VIEW_REGISTER, Cap.MEDIATE)


def link_scoped(qs: QuerySet, user: User) -> QuerySet:
    """`qs` cut to where `user` may link rows (LINK_CAPS)."""
    out = scoped(qs, user, Cap.VIEW_REGISTER)
    if not user.is_authenticated or user.is_superuser:
        return out
    seen = region_codes(user, Cap.VIEW_REGISTER)
    extra = [c for c in region_codes(user, Cap.MEDIATE) if not c.startswith(seen)]  # a street officer: none
    if extra:
        q = Q()
        for code in extra:
            q |= Q(**{f"{qs.model.territory_field}__startswith": code})
        out = out | qs.filter(q)
    return out


def link_cap(user: User) -> str:
    """The capability a picker's exact look-up is checked and audited against."""
    if user.is_superuser or region_codes(user, Cap.VIEW_REGISTER):
        return Cap.VIEW_REGISTER
    return Cap.MEDIATE


def resident_queryset(user: User, search: ResidentSearch, link: bool = False) -> QuerySet:
    """The scoped, filtered residents (not yet ordered or sliced); problems go to search.errors.
    An exact look-up (search.exact) is the caller's to rate-limit and audit (actions.do_look_up).
    `link`: the pickers' scope (LINK_CAPS) instead of the register's."""
    qs = link_scoped(Resident.objects.all(), user) if link else scoped(Resident.objects.all(), user, Cap.VIEW_REGISTER)
    search.clean_exact()
    if search.errors:
        return qs.none()
    if search.name:
        qs = qs.filter(name__startswith=search.name.strip())
    if search.id_number_hash:
        qs = qs.filter(id_number_hash=search.id_number_hash)
    if search.phone_hash:
        qs = qs.filter(phone_hash=search.phone_hash)
    if search.building:
        qs = qs.filter(house__building__name__startswith=search.building.strip())
    if search.room:
        qs = qs.filter(house__room=search.room.strip())
    if search.grid:
        qs = qs.filter(grid__code__startswith=search.grid.strip())
    if search.tag:
        qs = qs.filter(tags__tag=search.tag, tags__removed_at__isnull=True)
        if search.tag in SENSITIVE_TAGS:  # a filter by a tag one may not see finds no one
            sensitive = scope_condition(Resident, user, Cap.VIEW_SENSITIVE_TAGS)
            qs = qs.filter(sensitive) if sensitive is not None else qs.none()
    return qs.select_related("grid", "house", "house__building").prefetch_related(active_tags_prefetch(user))


def search_residents(user: User, search: ResidentSearch, after: str | None = None, before: str | None = None,
                     size: int = PAGE_SIZE) -> KeysetPage:
    qs = resident_queryset(user, search)
    if search.errors:
        return KeysetPage(rows=[], counted=None)
    return register_page(qs, after, before, size)


def get_resident(user: User, pk: int, cap: str = Cap.VIEW_REGISTER) -> Resident:
    qs = Resident.objects.select_related("grid", "grid__parent", "house", "house__building", "household")
    return get_in_scope_or_404(qs, user, cap, pk=pk)


def resident_tags(resident: Resident, user: User) -> list[ResidentTag]:
    """Every tag ever set that `user` may see, active first: the tag history."""
    return sorted(
        ResidentTag.objects.filter(resident=resident).filter(_visible_here(user, resident))
        .select_related("set_by", "removed_by"),
        key=lambda t: (t.removed_at is not None, -t.set_at.timestamp()),
    )


def _visible_here(user: User, resident: Resident) -> Q:
    return Q() if can(user, Cap.VIEW_SENSITIVE_TAGS, resident.grid_id) else ~Q(tag__in=SENSITIVE_TAGS)


# Audit rows that are not changes to the record (reads, refusals): the audit administrator's alone.
NOT_CHANGES = ("pii.", "request.", "audit.")
NOT_CHANGE_SUFFIXES = (".reveal", ".lookup", ".export", ".download")


def history_of(obj, user: User, limit: int = 50) -> list[AuditEvent]:
    """A record's own change history, newest first, as its pages show it to whoever sees the record:
    the successful writes on it (who, when, what changed) — never who read or revealed it, never a
    source address or request (the audit trail is the audit administrator's: governance.audit), and
    on a resident no sensitive tag the user may not see."""
    qs = AuditEvent.objects.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk), outcome="success")
    for prefix in NOT_CHANGES:
        qs = qs.exclude(action__startswith=prefix)
    for suffix in NOT_CHANGE_SUFFIXES:
        qs = qs.exclude(action__endswith=suffix)
    rows = list(qs.select_related("actor").only("at", "action", "detail", "actor__username", "actor__name")
                .order_by("-at", "-id")[:limit])
    if isinstance(obj, Resident) and not can(user, Cap.VIEW_SENSITIVE_TAGS, obj.grid_id):
        rows = [e for e in rows if (e.detail or {}).get("tag") not in SENSITIVE_TAGS]
    return rows


def has_grids(user: User, cap: str = Cap.CHANGE_REGISTER) -> bool:
    """Whether `user` holds `cap` on at least one grid."""
    return scoped(Region.objects.filter(level=Level.GRID), user, cap).exists()


def grids_without_a_branch(user: User) -> QuerySet:
    """The grids where `user` may found a party branch and none exists yet (a queryset)."""
    return scoped(Region.objects.filter(level=Level.GRID), user, Cap.CHANGE_REGISTER).exclude(
        code__in=PartyBranch.objects.values("grid_id")
    ).order_by("code")


def search_houses(user: User, building: str = "", room: str = "", grid: str = "", after: str | None = None,
                  before: str | None = None) -> KeysetPage:
    qs = scoped(House.objects.all(), user, Cap.VIEW_REGISTER)
    if building:
        qs = qs.filter(building__name__startswith=building.strip())
    if room:
        qs = qs.filter(room=room.strip())
    if grid:
        qs = qs.filter(grid__code__startswith=grid.strip())
    # In the order entered (building by building, room by room, as rosters list them), not backwards.
    return register_page(qs.select_related("building", "grid"), after, before, ascending=True)


def get_house(user: User, pk: int, cap: str = Cap.VIEW_REGISTER) -> House:
    return get_in_scope_or_404(House.objects.select_related("building", "grid"), user, cap, pk=pk)


def search_units(user: User, name: str = "", credit_code: str = "", kind: str = "", grid: str = "",
                 after: str | None = None, before: str | None = None) -> KeysetPage:
    qs = unit_queryset(user, name=name, credit_code=credit_code, kind=kind, grid=grid)
    return register_page(qs.select_related("grid"), after, before)


def get_unit(user: User, pk: int, cap: str = Cap.VIEW_REGISTER) -> Unit:
    return get_in_scope_or_404(Unit.objects.select_related("grid", "building"), user, cap, pk=pk)


def buildings_in(grid_code: str) -> list[Building]:
    return list(Building.objects.filter(grid_id=grid_code).order_by("name"))


def party_branches(user: User, after: str | None = None, before: str | None = None) -> KeysetPage:
    qs = scoped(PartyBranch.objects.all(), user, Cap.VIEW_REGISTER).select_related("grid", "grid__parent", "secretary")
    return register_page(qs, after, before)


def get_party_branch(user: User, pk: int) -> PartyBranch:
    return get_in_scope_or_404(
        PartyBranch.objects.select_related("grid", "grid__parent", "secretary"), user, Cap.VIEW_REGISTER, pk=pk
    )


# ---- reads behind the detail pages. Each takes an object already fetched through scope
# (get_in_scope_or_404), so what it reads lives under the same grid or community.


def resident_page_extras(resident: Resident) -> dict:
    return {
        "household_members": list(
            Resident.objects.filter(house_id=resident.house_id).exclude(pk=resident.pk)
            .only("id", "name", "relation_to_head")[:30]
        ) if resident.house_id else [],
        "party_member": PartyMember.objects.filter(resident=resident).select_related("branch", "group").first(),
    }


def households_of(house_id: int | None) -> list:
    return list(Household.objects.filter(house_id=house_id).order_by("id")) if house_id else []


def active_tag_of(resident: Resident, tag_pk: int, user: User) -> ResidentTag | None:
    return ResidentTag.objects.filter(_visible_here(user, resident), resident=resident, pk=tag_pk).first()


def building_names(grids) -> list[str]:
    """Building names in (the first 50 of) `grids`, for the form's suggestions."""
    codes = [g.code for g in grids][:50]
    return list(Building.objects.filter(grid_id__in=codes).order_by("name").values_list("name", flat=True).distinct()[:300])


def house_page_extras(user: User, house: House) -> dict:
    residents = list(
        scoped(Resident.objects.filter(house=house), user, Cap.VIEW_REGISTER).prefetch_related(active_tags_prefetch(user))[:100]
    )
    members: dict[int | None, list] = {}
    for r in residents:
        members.setdefault(r.household_id, []).append(r)
    return {
        "residents": residents,
        "households": [(h, members.get(h.pk, [])) for h in households_of(house.pk)],
        "center": PartyCenterHousehold.objects.filter(house=house).select_related("member__resident").first(),
    }


def unit_agreements(unit: Unit) -> list:
    return list(CoBuildingAgreement.objects.filter(unit=unit).select_related("community"))


def branch_page_extras(branch: PartyBranch) -> dict:
    return {
        "groups": list(branch.groups.select_related("building", "leader")),
        "members": list(
            PartyMember.objects.filter(branch=branch).select_related("resident", "group", "resident__house__building")
            .order_by("group_id", "resident__name")[:500]
        ),
        "centers": list(
            PartyCenterHousehold.objects.filter(grid_id=branch.grid_id)
            .select_related("member__resident", "house__building").prefetch_related("linked_houses__building")
        ),
        "in_service": list(InServiceMember.objects.filter(grid=branch.grid)[:100]),
    }


def branch_and_groups_of_grid(grid_code: str) -> tuple[PartyBranch | None, list]:
    branch = PartyBranch.objects.filter(grid_id=grid_code).first()
    return branch, (list(PartyGroup.objects.filter(branch=branch)) if branch else [])


def grids_with_a_branch(user: User) -> set[str]:
    return set(scoped(PartyBranch.objects.all(), user, Cap.CHANGE_REGISTER).values_list("grid_id", flat=True))


def get_community(user: User, code: str) -> Region:
    return get_in_scope_or_404(Region.objects.filter(level=Level.COMMUNITY), user, Cap.VIEW_REGISTER, code=code)


def community_page(user: User, community: Region) -> dict:
    return {
        "in_service": list(InServiceMember.objects.filter(community=community).select_related("grid")[:200]),
        "agreements": list(CoBuildingAgreement.objects.filter(community=community).select_related("unit")),
        "meetings": list(JointMeeting.objects.filter(community=community).prefetch_related("units")[:50]),
        "branches": list(
            scoped(PartyBranch.objects.filter(grid__parent=community), user, Cap.VIEW_REGISTER).select_related("grid")
        ),
    }


def community_grids(community: Region) -> list[Region]:
    return list(Region.objects.filter(parent=community).order_by("code"))


def community_units(user: User, community: Region) -> list[Unit]:
    return list(
        scoped(Unit.objects.filter(grid__code__startswith=community.code), user, Cap.VIEW_REGISTER).order_by("name")[:500]
    )


# ---- the register pickers on the filing forms (/registers/residents/search/, /registers/units/search/)

PICK_LIMIT = 20
_ID_LIKE = re.compile(r"[0-9０-９]+[0-9０-９xXｘＸ]?")


def resident_label(resident: Resident) -> str:
    """Name and masked ID number: the only way a picker shows a resident."""
    return f"{resident.name}（{resident.id_number_masked}）"


def unit_label(unit: Unit) -> str:
    return f"{unit.name}（{unit.credit_code}）" if unit.credit_code else unit.name


def looks_like_id_number(q: str) -> bool:
    """Digits (half- or full-width, an X at the end): the picker takes it for an ID number, not a name."""
    return _ID_LIKE.fullmatch(q.strip()) is not None


def pick_search(q: str, grid: str = "") -> ResidentSearch:
    """The picker's search for `q`: by the full ID number when `q` looks like one, else by name prefix."""
    q = q.strip()
    return ResidentSearch(id_number=q, grid=grid) if looks_like_id_number(q) else ResidentSearch(name=q, grid=grid)


def pick_residents(user: User, search: ResidentSearch) -> QuerySet:
    """Residents in scope (view_register), optionally in one grid, for the pickers (masked labels
    need only these columns): one query once sliced. Check search.errors after the call."""
    qs = resident_queryset(user, search, link=True)
    return (qs.select_related(None).prefetch_related(None).select_related("grid")
            .only("pk", "name", "grid_id", "grid__name", "id_number_encrypted", "id_number_hash").order_by("-pk"))


def unit_queryset(user: User, name: str = "", credit_code: str = "", kind: str = "", grid: str = "",
                  link: bool = False) -> QuerySet:
    qs = link_scoped(Unit.objects.all(), user) if link else scoped(Unit.objects.all(), user, Cap.VIEW_REGISTER)
    if name:
        qs = qs.filter(name__contains=name.strip())
    if credit_code:
        qs = qs.filter(credit_code=credit_code.strip().upper())
    if kind:
        qs = qs.filter(kind=kind)
    if grid:
        qs = qs.filter(grid__code__startswith=grid.strip())
    return qs


def pick_units(user: User, q: str, grid: str = "", limit: int = PICK_LIMIT) -> list[Unit]:
    """Units in scope (view_register), optionally in one grid, by a fragment of the name or the
    full 18-character credit code. One query."""
    q = q.strip()
    if not q:
        return []
    if len(q) == 18 and q.isascii() and q.isalnum():
        qs = unit_queryset(user, credit_code=q, grid=grid, link=True)
    else:
        qs = unit_queryset(user, name=q, grid=grid, link=True)
    return list(qs.select_related("grid").only("pk", "name", "credit_code", "grid_id", "grid__name")
                .order_by("name", "pk")[:limit])

"""Register pages: residents, houses, units and the party organisation.

Every read goes through parties.selectors (scoped); every write through a do_*
action. ID numbers and phones appear masked; the plain values appear only in the
response to a POST to …/reveal/, which is audited. No register page is cached
(Cache-Control: no-store), and no ID number or phone goes into a URL: searches
by them are POSTed (parties.lookups).
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance.inputs import is_digits
from governance.models import Region
from governance.pagination import BadPageKey, KeysetPage, pager_links
from governance.roles import Cap
from governance.scope import can, region_codes
from parties import actions, lookups, selectors
from parties.export import RESIDENT_HEADERS, csv_lines, resident_rows
from parties.forms import (
    AgreementForm,
    HouseForm,
    HouseholdForm,
    InServiceMemberForm,
    MeetingForm,
    PartyBranchForm,
    PartyMemberForm,
    ResidentForm,
    TagForm,
    UnitForm,
    add_action_errors,
)
from parties.models import Resident, TagKind, UnitKind
from parties.panels import panels_for


def _page(request: HttpRequest, select, *args) -> KeysetPage:
    """`select(user, *args, after=…, before=…)` at the request's page key (`?after=` / `?before=`,
    a pk); a key that is not one of ours is a 400."""
    g = request.GET
    try:
        return select(request.user, *args, after=g.get("after"), before=g.get("before"))
    except BadPageKey:
        raise BadRequest(_("翻页参数无效。")) from None


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _check_change(request: HttpRequest, obj, cap: str) -> None:
    """In scope to read but without the capability to change: 403 (outside scope was already 404)."""
    if cap != Cap.VIEW_REGISTER and not can(request.user, cap, obj.grid_id):
        raise PermissionDenied(_("您没有修改该登记信息的权限。"))


def _get_resident_for_user(request: HttpRequest, pk: int, cap: str = Cap.VIEW_REGISTER) -> Resident:
    resident = selectors.get_resident(request.user, pk)
    _check_change(request, resident, cap)
    return resident


def _get_house_for_user(request: HttpRequest, pk: int, cap: str = Cap.VIEW_REGISTER):
    house = selectors.get_house(request.user, pk)
    _check_change(request, house, cap)
    return house


def _get_unit_for_user(request: HttpRequest, pk: int, cap: str = Cap.VIEW_REGISTER):
    unit = selectors.get_unit(request.user, pk)
    _check_change(request, unit, cap)
    return unit


# ---- residents ---------------------------------------------------------------------------------

NO_NUMBERS_IN_URLS = gettext_lazy("为保护个人信息，身份证号和电话不能放在网址中：请在查找框中输入后点“查找”。")


def _plain_filters(data) -> dict[str, str]:
    """The register search's filters that may stand in a URL (no ID number, no phone)."""
    filters = {
        "name": data.get("name", "")[:64], "building": data.get("building", "")[:64],
        "room": data.get("room", "")[:16], "grid": data.get("grid", "")[:15],
        "tag": data.get("tag", "") if data.get("tag", "") in TagKind.values else "",
    }
    if filters["grid"] and not is_digits(filters["grid"], 15):
        raise BadRequest(_("网格编码只能是数字。"))
    if any("\x00" in v for v in filters.values()):  # PostgreSQL refuses NUL in text: a 400, not a 500
        raise BadRequest(_("查找内容无效。"))
    return filters


def _search_from_get(request: HttpRequest) -> tuple[selectors.ResidentSearch, dict[str, str]]:
    """The search of a results page: plain filters, and the exact look-up's token `q` (masks to show)."""
    g = request.GET
    if g.get("id_number") or g.get("phone"):
        raise BadRequest(NO_NUMBERS_IN_URLS)
    search = selectors.ResidentSearch(**_plain_filters(g))
    masks: dict[str, str] = {}
    if g.get("q"):
        try:
            hashes, masks = lookups.read_search_token(request.user, g["q"])
        except lookups.BadSearchToken:
            raise BadRequest(_("查找条件已失效（超过一个工作日或不是您的查找），请重新查找。")) from None
        search.id_number_hash, search.phone_hash = hashes.get("id_number", ""), hashes.get("phone", "")
    return search, masks


def _explains_bad_requests(view):
    """A refused search answers 400 with its own Chinese line (Django's 400 page shows none)."""
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except BadRequest as e:
            return _no_store(render(request, "400.html", {"message": str(e)}, status=400))
    return wrapped


def _too_many(request: HttpRequest, error: lookups.TooManyLookups) -> HttpResponse:
    response = render(request, "parties/too_many_lookups.html", {"message": error.message}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return _no_store(response)


def _list_context(request: HttpRequest, search, masks: dict[str, str], page) -> dict:
    return {
        "search": search,
        "looked_up": masks,
        "page": page,
        **pager_links(request, page),
        "tags": selectors.visible_tag_choices(request.user),
        "can_create": bool(region_codes(request.user, Cap.CHANGE_REGISTER)),
    }


@login_required
@_explains_bad_requests
def resident_list(request: HttpRequest) -> HttpResponse:
    """The register, searched. The form is POSTed (an ID number or a phone never goes into a URL):
    a search by ID number or phone is one audited, rate-limited look-up, then the page redirects to
    the results with the look-up as an opaque token (`?q=`); other filters go into the URL as they are."""
    if request.method == "POST":
        return _resident_list_post(request)
    search, masks = _search_from_get(request)
    page = _page(request, selectors.search_residents, search)
    return _no_store(render(request, "parties/resident_list.html", _list_context(request, search, masks, page)))


def _resident_list_post(request: HttpRequest) -> HttpResponse:
    p = request.POST
    search = selectors.ResidentSearch(**_plain_filters(p), id_number=p.get("id_number", "").strip()[:32],
                                      phone=p.get("phone", "").strip()[:32])
    qs = selectors.resident_queryset(request.user, search)
    if search.errors:
        ctx = _list_context(request, search, {}, KeysetPage(rows=[], counted=None))
        return _no_store(render(request, "parties/resident_list.html", ctx, status=400))
    query = {k: v for k, v in _plain_filters(p).items() if v}
    if search.exact:
        try:
            actions.do_look_up(actor=request.user, what="resident", exact=search.exact, rows=qs, source="register")
        except lookups.TooManyLookups as e:
            return _too_many(request, e)
        query["q"] = lookups.search_token(request.user, search.exact, search.masks)
    return redirect(f"{reverse('parties:residents')}?{urlencode(query)}" if query else reverse("parties:residents"))


MAX_EXPORT_ROWS = 100_000


@login_required
@_explains_bad_requests
def resident_export(request: HttpRequest) -> StreamingHttpResponse:
    """The current search as a masked CSV (UTF-8 with BOM, opens in Excel), at most 100,000 rows, audited
    (an exact look-up in the search only as a flag)."""
    search, __ = _search_from_get(request)
    if not region_codes(request.user, Cap.VIEW_REGISTER):
        raise PermissionDenied(_("您没有查看实有人口的权限。"))
    qs = selectors.resident_queryset(request.user, search)
    if search.errors:
        raise BadRequest(search.errors[0])
    limited = qs.order_by("-pk")[:MAX_EXPORT_ROWS]
    actions.do_record_export(actor=request.user, what="resident", filters=search.filters(), rows=limited.count())
    rows = resident_rows(limited.iterator(chunk_size=2000))
    response = StreamingHttpResponse(csv_lines(RESIDENT_HEADERS, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''residents.csv"
    response["Cache-Control"] = "no-store"
    return response


def _resident_context(request: HttpRequest, resident: Resident, revealed: dict | None = None) -> dict:
    user = request.user
    return {
        "resident": resident,
        "revealed": revealed,
        "tags": selectors.resident_tags(resident, user),
        "tag_form": TagForm(choices=selectors.visible_tag_choices(user, resident.grid_id)),
        "panels": panels_for("resident", user, resident),
        "history": selectors.history_of(resident, user),
        **selectors.resident_page_extras(resident),
        "can_change": can(user, Cap.CHANGE_REGISTER, resident.grid_id),
        "can_reveal": can(user, Cap.REVEAL_PII, resident.grid_id),
    }


@login_required
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _get_resident_for_user(request, pk)
    return _no_store(render(request, "parties/resident_detail.html", _resident_context(request, resident)))


@login_required
@require_POST
def resident_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _get_resident_for_user(request, pk)
    if not can(request.user, Cap.REVEAL_PII, resident.grid_id):
        raise PermissionDenied(_("您没有查看完整证件号码和电话的权限。"))
    revealed = actions.do_reveal_pii(actor=request.user, target=resident)
    return _no_store(render(request, "parties/resident_detail.html", _resident_context(request, resident, revealed)))


def _save_resident_house(request, grid, data) -> object:
    if not (data.get("building") or data.get("room")):
        return None
    return actions.find_or_create_house(
        actor=request.user, grid=grid, building_name=data.get("building", ""), unit_no=data.get("unit_no", ""),
        room=data.get("room", ""),
    )


@login_required
def resident_create(request: HttpRequest) -> HttpResponse:
    form = ResidentForm(request.POST or None, user=request.user, initial={"grid": request.GET.get("grid", "")[:64]})
    if form.fields["grid"].is_empty:
        raise PermissionDenied(_("您没有登记人口的权限。"))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        grid = d["grid"]
        try:
            with transaction.atomic():
                house = _save_resident_house(request, grid, d)
                resident = actions.do_create_resident(
                    actor=request.user, grid=grid, name=d["name"], id_number=d["id_number"], phone=d["phone"],
                    ethnicity=d["ethnicity"], political_status=d["political_status"],
                    residency_type=d["residency_type"], house=house, relation_to_head=d["relation_to_head"],
                    note=d["note"], tags=d["tags"],
                )
        except ValidationError as e:
            add_action_errors(form, e)
        else:
            messages.success(request, _("已登记：%(resident)s") % {"resident": resident.name})
            return redirect("parties:resident", pk=resident.pk)
    status = 400 if request.method == "POST" else 200
    ctx = {"form": form, "title": _("登记实有人口"), "building_names": _form_building_names(form)}
    return _no_store(render(request, "parties/form.html", ctx, status=status))


def _building_names(grids) -> list[str]:
    return selectors.building_names(grids)


def _form_building_names(form) -> list[str]:
    """Suggestions for the building field: the buildings of the few grids of a small scope, or of
    the grid already chosen (a big scope's picker)."""
    field = form.fields["grid"]
    if field.grids is not None:
        return selectors.building_names(field.grids)
    grid = form.cleaned_data.get("grid") if hasattr(form, "cleaned_data") else None
    return selectors.building_names([grid]) if grid else []


@login_required
def resident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _get_resident_for_user(request, pk, Cap.CHANGE_REGISTER)
    house = resident.house
    initial = {
        "name": resident.name, "ethnicity": resident.ethnicity, "political_status": resident.political_status,
        "residency_type": resident.residency_type, "relation_to_head": resident.relation_to_head, "note": resident.note,
        "building": house.building.name if house else "", "unit_no": house.unit_no if house else "",
        "room": house.room if house else "",
    }
    initial["household"] = resident.household_id
    households = selectors.households_of(resident.house_id)
    form = ResidentForm(request.POST or None, editing=True, initial=initial, households=households)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        changes = {k: d[k] for k in ("name", "ethnicity", "political_status", "residency_type", "relation_to_head", "note")}
        if "household" in d:
            changes["household"] = next((h for h in households if h.pk == d["household"]), None)
        if d["id_number"].strip():
            changes["id_number"] = d["id_number"]
        if d["phone"].strip():
            changes["phone"] = "" if d["phone"].strip() == "-" else d["phone"]
        try:
            with transaction.atomic():
                changes["house"] = _save_resident_house(request, resident.grid, d)
                if changes["house"] != resident.house and changes.get("household") is not None:
                    changes["household"] = None  # moving out of the house leaves its household
                actions.do_update_resident(actor=request.user, resident=resident, **changes)
        except ValidationError as e:
            add_action_errors(form, e)
        else:
            messages.success(request, _("已保存。"))
            return redirect("parties:resident", pk=resident.pk)
    ctx = {
        "form": form, "title": _("修改：%(resident)s") % {"resident": resident.name}, "object": resident,
        "masked": {"id_number": resident.id_number_masked, "phone": resident.phone_masked},
        "building_names": _building_names([resident.grid]),
    }
    return _no_store(render(request, "parties/form.html", ctx, status=400 if request.method == "POST" else 200))


@login_required
@require_POST
def resident_tag_add(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _get_resident_for_user(request, pk, Cap.CHANGE_REGISTER)
    form = TagForm(request.POST, choices=selectors.visible_tag_choices(request.user, resident.grid_id))
    if not form.is_valid():
        raise BadRequest(_("请选择有效的人员标签。"))
    try:
        actions.do_set_resident_tag(actor=request.user, resident=resident, tag=form.cleaned_data["tag"], note=form.cleaned_data["note"])
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, _("已添加标签：%(label)s") % {"label": TagKind(form.cleaned_data['tag']).label})
    return redirect("parties:resident", pk=resident.pk)


@login_required
@require_POST
def resident_tag_remove(request: HttpRequest, pk: int, tag_pk: int) -> HttpResponse:
    resident = _get_resident_for_user(request, pk, Cap.CHANGE_REGISTER)
    tag = selectors.active_tag_of(resident, tag_pk, request.user)
    if tag is None:
        raise BadRequest(_("标签不存在。"))
    tag.resident = resident
    try:
        actions.do_remove_resident_tag(actor=request.user, tag=tag, reason=request.POST.get("reason", "")[:200])
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, _("已撤销标签：%(label)s") % {"label": tag.get_tag_display()})
    return redirect("parties:resident", pk=resident.pk)


# ---- houses ---------------------------------------------------------------------------------------


@login_required
@_explains_bad_requests
def house_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    building, room, grid = g.get("building", "")[:64], g.get("room", "")[:16], g.get("grid", "")[:15]
    if grid and not is_digits(grid, 15):
        raise BadRequest(_("网格编码只能是数字。"))
    page = _page(request, selectors.search_houses, building, room, grid)
    ctx = {"page": page, "building": building, "room": room, "grid": grid, **pager_links(request, page)}
    return _no_store(render(request, "parties/house_list.html", ctx))


@login_required
def house_detail(request: HttpRequest, pk: int) -> HttpResponse:
    house = _get_house_for_user(request, pk)
    ctx = {
        "house": house,
        **selectors.house_page_extras(request.user, house),
        "household_form": HouseholdForm(),
        "panels": panels_for("house", request.user, house),
        "history": selectors.history_of(house, request.user),
        "can_change": can(request.user, Cap.CHANGE_REGISTER, house.grid_id),
    }
    return _no_store(render(request, "parties/house_detail.html", ctx))


@login_required
@require_POST
def household_create(request: HttpRequest, pk: int) -> HttpResponse:
    house = _get_house_for_user(request, pk, Cap.CHANGE_REGISTER)
    form = HouseholdForm(request.POST)
    if not form.is_valid():
        raise BadRequest(_("请填写户主姓名。"))
    household = actions.do_create_household(actor=request.user, house=house, **form.cleaned_data)
    messages.success(request, _("已建立家庭户：%(head_name)s户") % {"head_name": household.head_name})
    return redirect("parties:house", pk=house.pk)


@login_required
def house_create(request: HttpRequest) -> HttpResponse:
    form = HouseForm(request.POST or None, user=request.user, initial={"grid": request.GET.get("grid", "")[:64]})
    if form.fields["grid"].is_empty:
        raise PermissionDenied(_("您没有登记房屋的权限。"))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        grid = d["grid"]
        try:
            with transaction.atomic():
                house = actions.find_or_create_house(
                    actor=request.user, grid=grid, building_name=d["building"], unit_no=d["unit_no"], room=d["room"], use=d["use"]
                )
                actions.do_update_house(actor=request.user, house=house, area=d["area"], owner_name=d["owner_name"], note=d["note"])
        except ValidationError as e:
            add_action_errors(form, e)
        else:
            messages.success(request, _("已登记房屋：%(address)s") % {"address": house.address})
            return redirect("parties:house", pk=house.pk)
    ctx = {"form": form, "title": _("登记房屋"), "building_names": _form_building_names(form)}
    return _no_store(render(request, "parties/form.html", ctx, status=400 if request.method == "POST" else 200))


@login_required
def house_edit(request: HttpRequest, pk: int) -> HttpResponse:
    house = _get_house_for_user(request, pk, Cap.CHANGE_REGISTER)
    initial = {k: getattr(house, k) for k in ("unit_no", "room", "use", "area", "owner_name", "note")}
    form = HouseForm(request.POST or None, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_house(actor=request.user, house=house, **form.cleaned_data)
        except ValidationError as e:
            add_action_errors(form, e)
        else:
            messages.success(request, _("已保存。"))
            return redirect("parties:house", pk=house.pk)
    ctx = {"form": form, "title": _("修改房屋：%(address)s") % {"address": house.address}, "object": house}
    return _no_store(render(request, "parties/form.html", ctx, status=400 if request.method == "POST" else 200))


# ---- units ------------------------------------------------------------------------------------------


@login_required
@_explains_bad_requests
def unit_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    name, code, grid = g.get("name", "")[:64], g.get("credit_code", "")[:18], g.get("grid", "")[:15]
    kind = g.get("kind", "") if g.get("kind", "") in UnitKind.values else ""
    if grid and not is_digits(grid, 15):
        raise BadRequest(_("网格编码只能是数字。"))
    page = _page(request, selectors.search_units, name, code, kind, grid)
    ctx = {"page": page, "name": name, "credit_code": code, "kind": kind, "grid": grid, "kinds": UnitKind.choices,
           **pager_links(request, page)}
    return _no_store(render(request, "parties/unit_list.html", ctx))


def _unit_context(request, unit, revealed=None) -> dict:
    return {
        "unit": unit,
        "revealed": revealed,
        "panels": panels_for("unit", request.user, unit),
        "history": selectors.history_of(unit, request.user),
        "agreements": selectors.unit_agreements(unit),
        "can_change": can(request.user, Cap.CHANGE_REGISTER, unit.grid_id),
        "can_reveal": can(request.user, Cap.REVEAL_PII, unit.grid_id),
    }


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _get_unit_for_user(request, pk)
    return _no_store(render(request, "parties/unit_detail.html", _unit_context(request, unit)))


@login_required
@require_POST
def unit_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _get_unit_for_user(request, pk)
    if not can(request.user, Cap.REVEAL_PII, unit.grid_id):
        raise PermissionDenied(_("您没有查看完整电话的权限。"))
    revealed = actions.do_reveal_pii(actor=request.user, target=unit)
    return _no_store(render(request, "parties/unit_detail.html", _unit_context(request, unit, revealed)))


@login_required
def unit_create(request: HttpRequest) -> HttpResponse:
    form = UnitForm(request.POST or None, user=request.user, initial={"grid": request.GET.get("grid", "")[:64]})
    if form.fields["grid"].is_empty:
        raise PermissionDenied(_("您没有登记单位的权限。"))
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        grid = d.pop("grid")
        try:
            unit = actions.do_create_unit(actor=request.user, grid=grid, **d)
        except ValidationError as e:
            add_action_errors(form, e)
        else:
            messages.success(request, _("已登记单位：%(unit)s") % {"unit": unit.name})
            return redirect("parties:unit", pk=unit.pk)
    ctx = {"form": form, "title": _("登记实有单位")}
    return _no_store(render(request, "parties/form.html", ctx, status=400 if request.method == "POST" else 200))


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _get_unit_for_user(request, pk, Cap.CHANGE_REGISTER)
    fields = ("name", "credit_code", "kind", "address", "legal_person", "contact_name", "employees", "note")
    form = UnitForm(request.POST or None, editing=True, initial={k: getattr(unit, k) for k in fields})
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        phone = d.pop("contact_phone").strip()
        if phone:
            d["contact_phone"] = "" if phone == "-" else phone
        try:
            actions.do_update_unit(actor=request.user, unit=unit, **d)
        except ValidationError as e:
            add_action_errors(form, e)
        else:
            messages.success(request, _("已保存。"))
            return redirect("parties:unit", pk=unit.pk)
    ctx = {"form": form, "title": _("修改单位：%(unit)s") % {"unit": unit.name}, "object": unit,
           "masked": {"contact_phone": unit.contact_phone_masked}}
    return _no_store(render(request, "parties/form.html", ctx, status=400 if request.method == "POST" else 200))


# ---- party organisation ---------------------------------------------------------------------------


@login_required
@_explains_bad_requests
def party_branch_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.party_branches)
    communities = {b.grid.parent_id for b in page.rows if can(request.user, Cap.VIEW_REGISTER, b.grid.parent_id)}
    ctx = {"page": page, "reachable": communities, "can_create": bool(region_codes(request.user, Cap.CHANGE_REGISTER)),
           **pager_links(request, page)}
    return _no_store(render(request, "parties/party_branch_list.html", ctx))


@login_required
def party_branch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    branch = selectors.get_party_branch(request.user, pk)
    community = branch.grid.parent
    ctx = {
        "branch": branch,
        **selectors.branch_page_extras(branch),
        "community": community,
        "community_reachable": can(request.user, Cap.VIEW_REGISTER, community.code),
        "history": selectors.history_of(branch, request.user),
    }
    return _no_store(render(request, "parties/party_branch_detail.html", ctx))


@login_required
def community_party_work(request: HttpRequest, code: str) -> HttpResponse:
    """双报到, 共驻共建 and 联席会 of one community."""
    community = selectors.get_community(request.user, code)
    ctx = {
        "community": community,
        **selectors.community_page(request.user, community),
        "can_change": can(request.user, Cap.CHANGE_REGISTER, community.code),
    }
    return _no_store(render(request, "parties/community_party.html", ctx))




# ---- party organisation: forms ------------------------------------------------------------------



def _render_form(request, form, title, saved: bool = False):
    return _no_store(render(request, "parties/form.html", {"form": form, "title": title},
                            status=400 if request.method == "POST" else 200))


@login_required
def party_branch_create(request: HttpRequest) -> HttpResponse:
    form = PartyBranchForm(request.POST or None, user=request.user, grid_queryset=selectors.grids_without_a_branch(request.user),
                           initial={"grid": request.GET.get("grid", "")[:64]})
    if form.fields["grid"].is_empty and not selectors.has_grids(request.user):
        raise PermissionDenied(_("您没有建立网格党支部的权限。"))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        grid = d["grid"]
        try:
            branch = actions.do_create_party_branch(actor=request.user, grid=grid, name=d["name"], established_on=d["established_on"])
        except ValidationError as e:
            add_action_errors(form, e)
        else:
            messages.success(request, _("已建立：%(branch)s") % {"branch": branch.name})
            return redirect("parties:party-branch", pk=branch.pk)
    return _render_form(request, form, _("建立网格党支部（一格一支部）"))


@login_required
def resident_party_member(request: HttpRequest, pk: int) -> HttpResponse:
    resident = _get_resident_for_user(request, pk, Cap.CHANGE_REGISTER)
    branch, groups = selectors.branch_and_groups_of_grid(resident.grid_id)
    form = PartyMemberForm(request.POST or None, groups=groups)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        group = next((g for g in groups if g.pk == d["group"]), None)
        try:
            actions.do_register_party_member(actor=request.user, resident=resident, branch=branch, group=group,
                                             joined_on=d["joined_on"], probationary=d["probationary"], role=d["role"])
        except ValidationError as e:
            add_action_errors(form, e)
        else:
            messages.success(request, _("已登记党员信息。"))
            return redirect("parties:resident", pk=resident.pk)
    return _render_form(request, form, _("登记党员信息：%(resident)s") % {"resident": resident.name})


def _get_community_for_change(request: HttpRequest, code: str) -> Region:
    community = selectors.get_community(request.user, code)
    if not can(request.user, Cap.CHANGE_REGISTER, community.code):
        raise PermissionDenied(_("您没有在该社区登记党建信息的权限。"))
    return community


@login_required
def in_service_create(request: HttpRequest, code: str) -> HttpResponse:
    community = _get_community_for_change(request, code)
    grids = selectors.community_grids(community)
    form = InServiceMemberForm(request.POST or None, grids=grids)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        grid = next((g for g in grids if g.code == d["grid"]), None)
        try:
            actions.do_register_in_service_member(
                actor=request.user, community=community, grid=grid, name=d["name"], employer=d["employer"],
                party_org=d["party_org"], phone=d["phone"], registered_on=d["registered_on"], service=d["service"],
            )
        except ValidationError as e:
            add_action_errors(form, e)
        else:
            messages.success(request, _("已登记双报到。"))
            return redirect("parties:community-party", code=community.code)
    return _render_form(request, form, _("%(community)s · 在职党员双报到") % {"community": community.name})


def _community_units(request, community) -> list:
    return selectors.community_units(request.user, community)


@login_required
def agreement_create(request: HttpRequest, code: str) -> HttpResponse:
    community = _get_community_for_change(request, code)
    units = _community_units(request, community)
    form = AgreementForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        unit = next(u for u in units if u.pk == d["unit"])
        if d["valid_until"] and d["valid_until"] < d["signed_on"]:
            form.add_error("valid_until", _("有效期不能早于签订日期。"))
        else:
            actions.do_sign_co_building_agreement(actor=request.user, community=community, unit=unit, title=d["title"],
                                                  signed_on=d["signed_on"], valid_until=d["valid_until"], content=d["content"])
            messages.success(request, _("已登记共建协议。"))
            return redirect("parties:community-party", code=community.code)
    return _render_form(request, form, _("%(community)s · 共驻共建协议") % {"community": community.name})


@login_required
def meeting_create(request: HttpRequest, code: str) -> HttpResponse:
    community = _get_community_for_change(request, code)
    units = _community_units(request, community)
    form = MeetingForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        chosen = [u for u in units if u.pk in set(d["units"])]
        actions.do_record_joint_meeting(actor=request.user, community=community, held_on=d["held_on"], title=d["title"],
                                        attendees=d["attendees"], minutes=d["minutes"], units=chosen)
        messages.success(request, _("已记录联席会议。"))
        return redirect("parties:community-party", code=community.code)
    return _render_form(request, form, _("%(community)s · 联席会议纪要") % {"community": community.name})


# ---- the register pickers of the filing forms (JSON) ------------------------------------------

PICK_MAX_Q = 64


def _pick_params(request: HttpRequest) -> tuple[str, str] | JsonResponse:
    data = request.POST if request.method == "POST" else request.GET
    q, grid = data.get("q", ""), data.get("grid", "")
    if len(q) > PICK_MAX_Q or not q.isprintable():
        return JsonResponse({"error": _("查找内容无效。")}, status=400)
    if grid and not (len(grid) <= 15 and grid.isascii() and grid.isdigit()):
        return JsonResponse({"error": _("网格编码无效。")}, status=400)
    return q, grid


def _pick_response(results: list[dict], hint: str = "") -> JsonResponse:
    response = JsonResponse({"results": results, "hint": hint})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def resident_search(request: HttpRequest) -> JsonResponse:
    """Residents to link, in the user's register scope (and the form's grid): by name prefix, or — POSTed,
    so that the number stays out of URLs — by the full ID number (blind index; an audited,
    rate-limited look-up). Masked labels only; at most 20."""
    params = _pick_params(request)
    if isinstance(params, JsonResponse):
        return params
    q, grid = params
    if not q.strip():
        return _pick_response([])
    search = selectors.pick_search(q, grid)
    if search.id_number and request.method != "POST":
        return _pick_response([], str(NO_NUMBERS_IN_URLS))
    qs = selectors.pick_residents(request.user, search)
    if search.errors:
        return _pick_response([], "；".join(search.errors))
    if search.exact:
        try:
            rows = actions.do_look_up(actor=request.user, what="resident", exact=search.exact, rows=qs,
                                      source="picker", limit=selectors.PICK_LIMIT, cap=selectors.link_cap(request.user))
        except PermissionDenied:
            rows = []
        except lookups.TooManyLookups as e:
            response = _pick_response([], e.message)
            response.status_code = 429
            response["Retry-After"] = str(e.retry_after)
            return response
    else:
        rows = list(qs[:selectors.PICK_LIMIT])
    return _pick_response(
        [{"id": r.pk, "label": selectors.resident_label(r), "grid": r.grid_id, "grid_name": r.grid.name} for r in rows]
    )


@login_required
@require_GET
def unit_search(request: HttpRequest) -> JsonResponse:
    """Units to link, in the user's register scope (and the form's grid): by a fragment of the name
    or the full credit code; at most 20."""
    params = _pick_params(request)
    if isinstance(params, JsonResponse):
        return params
    rows = selectors.pick_units(request.user, *params)
    return _pick_response(
        [{"id": u.pk, "label": selectors.unit_label(u), "grid": u.grid_id, "grid_name": u.grid.name} for u in rows]
    )

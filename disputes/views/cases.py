"""Case pages: file, list (its export: views/exports.py), detail with the loop's actions, to-do queue, notices, photos."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from disputes.actions import cases as actions
from disputes.forms.cases import FileCaseForm
from disputes.kernel import assignable_users, rules_for
from disputes.location import NEAR_GRID_M, map_tiles
from disputes.models import Case, CasePhoto, Category, DisputeType, Extension, Notice, Status
from disputes.selectors.cases import (
    LIST_COUNT_CAP,
    REPORT_KEYS,
    TODO_ORDER,
    allowed_actions,
    can_decide_extension,
    case_list,
    case_list_parts,
    describe_filters,
    pending_extensions,
    possible_duplicates,
    todo_sections,
    visible_cases,
)
from governance import geo
from governance.actions import validation_message
from governance.http import forbidden, run_action
from governance.inputs import is_digits, parse_datetime, parse_flag, pick, posted_version
from governance.models import Department, Region, User
from governance.pagination import BadPageKey, pager_links, seek_page
from governance.roles import Cap, Level
from governance.scope import can, scoped

PAGE_SIZE = 30
TODO_VERIFY_PREFIX = "verify_"  # the 待核查 section's page keys: ?verify_after= / ?verify_before=


def _get_case_for_user(request: HttpRequest, pk: int) -> Case:
    try:
        return (
            visible_cases(request.user)
            .select_related("category", "category__parent", "grid", "filer", "assignee", "department", "merged_into")
            .get(pk=pk)
        )
    except Case.DoesNotExist:
        raise Http404(_("不存在或不在您的辖区内。")) from None


# ---------------------------------------------------------------- file a case


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    form = FileCaseForm(request.POST or None, request.FILES or None, user=request.user)
    if not form.has_grids:
        return forbidden(request, _("您没有上报事件的权限。"))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                case = actions.do_file_case(
                    actor=request.user, category=d["category"], grid=d["grid"], title=d["title"],
                    description=d["description"], urgency=d["urgency"], address=d["address"], lat=d["lat"],
                    lng=d["lng"], involved=d["involved"], residents=d["residents"], units=d["units"], photos=d["photos"],
                    self_handle=d["self_handle"],
                    evidence_note=d["evidence_note"], evidence=d["evidence"],
                )
            except ValidationError as e:
                form.add_error(None, validation_message(e))
            except PermissionDenied as e:
                form.add_error(None, str(e))
            else:
                messages.success(request, _("事件已自处结案。") if case.self_handled else _("事件已上报。"))
                return redirect("cases:detail", pk=case.pk)
        status = 400
    return render(request, "disputes/case_form.html", {"form": form}, status=status)


@login_required
@require_GET
def duplicates(request: HttpRequest) -> HttpResponse:
    """Fragment shown on the filing form: possible duplicates of what is being filed."""
    category = request.GET.get("category", "")
    grid = request.GET.get("grid", "")
    lat, lng = request.GET.get("lat") or None, request.GET.get("lng") or None
    if not is_digits(category) or not is_digits(grid, 15):
        return HttpResponse("")
    try:
        if lat is not None:
            lat, lng = float(lat), float(lng)
            if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
                raise ValueError
    except (TypeError, ValueError):
        return HttpResponse(_("位置格式不正确。"), status=400)
    found = possible_duplicates(request.user, category_id=int(category), grid_code=grid, lat=lat, lng=lng)
    return render(request, "disputes/_duplicates.html", {"duplicates": found})


@login_required
@require_GET
def grid_map(request: HttpRequest, code: str) -> HttpResponse:
    """The grid's boundary on a Leaflet map the user taps to pick a point (static/js/map.js; tiles
    only when configured). The boundary is WGS-84; the pick is converted back from the tiles' system."""
    grid = scoped(Region.objects.filter(level=Level.GRID), request.user, Cap.VIEW).filter(code=code).first()
    if grid is None:
        raise Http404(_("不存在或不在您的辖区内。"))
    boundary = grid.boundary if geo.has_area(grid.boundary) else None
    return render(request, "disputes/_grid_map.html", {
        "grid": grid, "boundary": json.dumps(boundary, separators=(",", ":")) if boundary else "",
        "tolerance": NEAR_GRID_M, **map_tiles(),
    })


# ---------------------------------------------------------------- lists


@login_required
def case_index(request: HttpRequest) -> HttpResponse:
    qs, cleaned, errors = case_list(request.user, request.GET)
    page = None
    if not errors:
        try:
            page = seek_page(request, qs, "created_at", PAGE_SIZE, parts=case_list_parts(request.user, request.GET))
            page.cap = min(page.cap, LIST_COUNT_CAP)
        except BadPageKey:
            errors = [_("翻页参数无效。")]
    if errors:
        return render(request, "disputes/case_list.html", _list_context(request, [], cleaned, errors), status=400)
    return render(request, "disputes/case_list.html", _list_context(request, page, cleaned, errors))


def _list_context(request, page, cleaned, errors) -> dict:
    return {
        "page": page,
        "filters": cleaned,
        "report_filters": describe_filters(cleaned),
        "report_params": [(k, cleaned[k]) for k in REPORT_KEYS if k in cleaned],
        "errors": errors,
        "statuses": [("open", "未结案")] + list(Status.choices),
        "categories": Category.objects.filter(parent__isnull=True, is_active=True),
        **pager_links(request, page),
        "now": timezone.now(),
        "can_file": bool(scoped(Region.objects.filter(level=Level.GRID), request.user, Cap.FILE_CASE).exists()),
    }


@login_required
def todo(request: HttpRequest) -> HttpResponse:
    """The 待办 in two sections, each a keyset page of its own (TODO_ORDER: soonest deadline first):
    what was handled and waits for 核查 comes first (the filer and the grid's workers are told), its
    page keys are `?verify_after=` / `?verify_before=`; the rest pages by `?after=` / `?before=`."""
    to_verify_qs, others_qs = todo_sections(request.user)
    try:
        to_verify = seek_page(request, to_verify_qs, None, PAGE_SIZE, order=TODO_ORDER, prefix=TODO_VERIFY_PREFIX)
        others = seek_page(request, others_qs, None, PAGE_SIZE, order=TODO_ORDER)
    except BadPageKey:
        return render(request, "disputes/todo.html", {
            "errors": [_("翻页参数无效。")], "to_verify": [], "others": [], "cases": [], "extensions": [],
        }, status=400)
    for page in (to_verify, others):
        page.cap = min(page.cap, LIST_COUNT_CAP)
    return render(request, "disputes/todo.html", {
        "to_verify": to_verify, "others": others, "cases": [*to_verify, *others],
        "verify_pager": pager_links(request, to_verify, TODO_VERIFY_PREFIX), "others_pager": pager_links(request, others),
        "extensions": list(pending_extensions(request.user)[:50]), "now": timezone.now(),
    })


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        actions.do_mark_notices_read(actor=request.user)
        return redirect("cases:notices")
    rows = list(Notice.objects.filter(user=request.user).select_related("case")[:100])
    return render(request, "disputes/notices.html", {"notices": rows})


# ---------------------------------------------------------------- detail and actions


def _assign_choices(case: Case) -> tuple[list[User], list[Department]]:
    """Who may be chosen as 处置人: people working cases on the grid or above it (not the city
    leader, the district centre or the admin); departments serving it."""
    ancestors = case.grid.ancestor_codes()
    people = assignable_users(case.grid_id, ancestors).order_by("name")[:200]
    ancestors = ancestors + [case.grid_id]
    departments = Department.objects.filter(region_id__in=ancestors).order_by("region_id", "name")
    return list(people), list(departments)


def _timeline_moment(value) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _detail_context(request: HttpRequest, case: Case) -> dict:
    user = request.user
    grid = case.grid_id
    allowed = allowed_actions(user, case)
    events = list(
        case.events.select_related("actor").prefetch_related(
            Prefetch("photos", queryset=CasePhoto.objects.only("id", "event_id", "case_id"))
        )
    )
    for e in events:
        # The timeline shows the deadline a 派遣 set and the stars of a rating.
        e.deadline_at = _timeline_moment(e.detail.get("deadline")) if isinstance(e.detail, dict) else None
        rating = e.detail.get("rating") if isinstance(e.detail, dict) else None
        e.stars = "★" * int(rating) + "☆" * (5 - int(rating)) if isinstance(rating, int) and 1 <= rating <= 5 else ""
    pending = [e for e in case.extensions.select_related("requested_by") if e.state == Extension.State.PENDING]
    page_url = rules_for(case).page_url
    ctx = {
        "case": case,
        "kind_page_url": page_url(case) if page_url else "",
        "events": events,
        "report_photos": [p for p in case.photos.all() if p.kind == CasePhoto.Kind.REPORT],
        "linked_residents": list(case.residents.only("pk", "name", "grid_id", "id_number_encrypted", "id_number_hash")),
        "linked_units": list(case.units.only("pk", "name", "grid_id")),
        "may_view_register": can(user, Cap.VIEW_REGISTER, grid),
        "allowed": allowed,
        "pending_extension": pending[0] if pending else None,
        "can_decide": bool(pending) and can_decide_extension(user, pending[0]),
        "now": timezone.now(),
    }
    if "assign" in allowed:
        ctx["people"], ctx["departments"] = _assign_choices(case)
    if "convert" in allowed:
        ctx["dispute_types"] = list(DisputeType.objects.filter(is_active=True))
    if "merge" in allowed:
        ctx["duplicates"] = possible_duplicates(
            user, category_id=case.category_id, grid_code=grid, lat=case.lat, lng=case.lng, exclude_pk=case.pk,
        )
    return ctx


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case_for_user(request, pk)
    return render(request, "disputes/case_detail.html", _detail_context(request, case))


def case_action(name: str) -> Callable[[Callable[[HttpRequest, Case], str]], Callable[..., HttpResponse]]:
    """One POST view per action of the loop. The decorated function calls the action and returns
    the success message; this finds the case (404 outside reach), and turns a refusal into the
    case page with the message: 409 for a stale version, 403, 400. What was typed is kept."""

    def decorate(perform: Callable[[HttpRequest, Case], str]) -> Callable[..., HttpResponse]:
        @login_required
        @require_POST
        @wraps(perform)
        def view(request: HttpRequest, pk: int) -> HttpResponse:
            case = _get_case_for_user(request, pk)

            def refused(error: str, status: int) -> HttpResponse:
                ctx = _detail_context(request, _get_case_for_user(request, pk))  # the current state, with the error
                ctx["error"] = error
                ctx["posted"] = {"name": name, "note": request.POST.get("note", ""),
                                 "reason": request.POST.get("reason", "")}
                return render(request, "disputes/case_detail.html", ctx, status=status)

            return run_action(request, lambda: perform(request, case), success_url=reverse("cases:detail", args=[pk]),
                              refused=refused)

        return view

    return decorate


@case_action("accept")
def case_accept(request: HttpRequest, case: Case) -> str:
    p = request.POST
    actions.do_accept_case(actor=request.user, case=case, version=posted_version(p), note=p.get("note", ""))
    return _("已受理。")


@case_action("reject")
def case_reject(request: HttpRequest, case: Case) -> str:
    p = request.POST
    actions.do_reject_case(actor=request.user, case=case, version=posted_version(p), reason=p.get("reason", ""))
    return _("已不予受理。")


@case_action("assign")
def case_assign(request: HttpRequest, case: Case) -> str:
    p = request.POST
    version = posted_version(p)
    ancestors = case.grid.ancestor_codes() + [case.grid_id]
    assignee = pick(User.objects.all(), p.get("assignee", ""), _("处置人"))
    department = pick(Department.objects.filter(region_id__in=ancestors), p.get("department", ""), _("处置部门"))
    actions.do_assign_case(actor=request.user, case=case, version=version, assignee=assignee, department=department,
                           deadline=parse_datetime(p.get("deadline", ""), _("时限")), note=p.get("note", ""))
    return _("已派遣。")


@case_action("handle")
def case_handle(request: HttpRequest, case: Case) -> str:
    p = request.POST
    actions.do_handle_case(actor=request.user, case=case, version=posted_version(p), note=p.get("note", ""),
                           evidence=request.FILES.getlist("evidence"))
    return _("处置结果已反馈，等待核查。")


@case_action("send_back")
def case_send_back(request: HttpRequest, case: Case) -> str:
    p = request.POST
    actions.do_send_back_case(actor=request.user, case=case, version=posted_version(p), reason=p.get("reason", ""))
    return _("已退回派遣人重新派遣。")


@case_action("verify")
def case_verify(request: HttpRequest, case: Case) -> str:
    p = request.POST
    version = posted_version(p)
    fixed = parse_flag(p.get("fixed"), _("请选择核查结果。"))
    actions.do_verify_case(actor=request.user, case=case, version=version, fixed=fixed, note=p.get("note", ""))
    return _("核查通过，已结案。") if fixed else _("核查未通过，已退回重新处置。")


@case_action("rate")
def case_rate(request: HttpRequest, case: Case) -> str:
    p = request.POST
    actions.do_rate_case(actor=request.user, case=case, version=posted_version(p), rating=p.get("rating"),
                         note=p.get("note", ""))
    return _("感谢评价。")


@case_action("comment")
def case_comment(request: HttpRequest, case: Case) -> str:
    # A comment changes nothing on the case, so it carries no version and never conflicts.
    actions.do_comment_case(actor=request.user, case=case, note=request.POST.get("note", ""))
    return _("备注已添加。")


@case_action("escalate")
def case_escalate(request: HttpRequest, case: Case) -> str:
    p = request.POST
    actions.do_escalate_case(actor=request.user, case=case, version=posted_version(p), reason=p.get("reason", ""))
    return _("已升级。")


@case_action("extend")
def case_request_extension(request: HttpRequest, case: Case) -> str:
    p = request.POST
    actions.do_request_extension(actor=request.user, case=case, version=posted_version(p), days=p.get("days"),
                                 reason=p.get("reason", ""))
    return _("延期申请已提交。")


@case_action("decide")
def case_decide_extension(request: HttpRequest, case: Case) -> str:
    p = request.POST
    version = posted_version(p)
    extension = pick(Extension.objects.filter(case=case), p.get("extension", ""), _("延期申请"), required=True)
    grant = parse_flag(p.get("grant"), _("请选择同意或不同意。"))
    actions.do_decide_extension(actor=request.user, extension=extension, version=version, grant=grant)
    return _("已同意延期。") if grant else _("已驳回延期申请。")


@case_action("merge")
def case_merge(request: HttpRequest, case: Case) -> str:
    p = request.POST
    version = posted_version(p)
    original = pick(visible_cases(request.user), p.get("original", ""), _("原事件"), required=True)
    actions.do_merge_case(actor=request.user, duplicate=case, original=original, version=version)
    return _("已合并至 %(number)s。") % {"number": original.number}


@login_required
@require_GET
def case_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    case = _get_case_for_user(request, pk)
    try:
        photo = case.photos.get(pk=photo_pk)
    except CasePhoto.DoesNotExist:
        raise Http404(_("照片不存在。")) from None
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404(_("照片文件已丢失。")) from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response

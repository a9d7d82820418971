"""Dispute pages: the dispute desk, filing, the dispute with its mediation, the agreement PDF,
revealing a party's personal data (audited), and the risk register."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from disputes.actions import mediation as ma
from disputes.forms.mediation import FileDisputeForm
from disputes.links import RegisterPick, may_link
from disputes.models import (
    Case,
    Dispute,
    DisputeType,
    FollowUp,
    MediationRoom,
    MediationSession,
    Outcome,
    ReferralTarget,
    RiskEntry,
    RiskLevel,
    Source,
)
from disputes.selectors.cases import LIST_COUNT_CAP
from disputes.selectors.mediation import (
    DESK_ORDER,
    DESK_SESSIONS,
    allowed_dispute_actions,
    allowed_risk_actions,
    desk_cases,
    desk_counts,
    dispute_for_detail,
    dispute_list,
    filtered_risk_register,
    follow_ups_due,
    follow_ups_of,
    mediators_for,
    party_rows,
    risk_entries_of,
    risk_entry_for_detail,
    risk_order,
    risk_owner_candidates,
    rooms_for,
    sessions_on,
)
from disputes.views.cases import case_action
from governance.http import error_status, forbidden, run_action
from governance.inputs import is_digits, parse_date, parse_datetime, parse_flag, pick, posted_version
from governance.models import Region, User
from governance.pagination import BadPageKey, Total, pager_links, seek_page
from governance.roles import Cap, Level
from governance.scope import can, scoped


@case_action("convert")
def case_convert_to_dispute(request: HttpRequest, case: Case) -> str:
    """转为矛盾纠纷 from the case page: the case reaches the mediation desk."""
    p = request.POST
    # Not required here: the action checks who may convert first (403), then asks for the type (400).
    dispute_type = pick(DisputeType.objects.filter(is_active=True), p.get("dispute_type", ""), _("纠纷类型"))
    ma.do_convert_case_to_dispute(actor=request.user, case=case, version=posted_version(p), dispute_type=dispute_type,
                                  note=p.get("reason", ""))
    return _("已转为矛盾纠纷，进入调解台（待风险评估）。")


def _get_dispute_for_user(request: HttpRequest, pk: int) -> Dispute:
    dispute = dispute_for_detail(request.user, pk)
    if dispute is None:
        raise Http404(_("不存在或不在您的辖区内。"))
    return dispute


DISPUTE_PAGE_SIZE = 30
RISK_OWNER_CHOICES = 200  # the owner <select>: a street's officers and workers


# ---------------------------------------------------------------- desk


@login_required
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    """Open disputes by risk and deadline (paged by key), today's sessions (the first DESK_SESSIONS,
    linked to the day's list), follow-ups due. `?mine=1`: only my own."""
    mine = request.GET.get("mine") == "1"
    cases = desk_cases(request.user, mine=mine)
    try:
        page = seek_page(request, cases, None, DISPUTE_PAGE_SIZE, order=DESK_ORDER, counted=False)
    except BadPageKey:
        return render(request, "disputes/dispute_desk.html", {
            "errors": [_("翻页参数无效。")], "disputes": [], "counts": {}, "sessions": [], "follow_ups": [],
            "mine": mine,
        }, status=400)
    page.rows = [case.dispute for case in page.rows]  # select_related: each dispute knows its case
    counts = desk_counts(cases)
    page.total = Total(counts["open"])  # counted once, with the figures above the list
    sessions = list(sessions_on(request.user, mine=mine)[: DESK_SESSIONS + 1])
    return render(request, "disputes/dispute_desk.html", {
        "disputes": page,
        "page": page,
        **pager_links(request, page),
        "counts": counts,
        "sessions": sessions[:DESK_SESSIONS],
        "more_sessions": len(sessions) > DESK_SESSIONS,
        "follow_ups": list(follow_ups_due(request.user, mine=mine)[:100]),
        "mine": mine,
        "now": timezone.now(),
        "today": timezone.localdate(),
        "can_file": scoped(Region.objects.filter(level=Level.GRID), request.user, Cap.FILE_CASE).exists(),
    })


SESSION_PAGE_SIZE = 50


@login_required
@require_GET
def session_index(request: HttpRequest) -> HttpResponse:
    """The mediation sessions of one day in scope (`?day=YYYY-MM-DD`, default today; `?mine=1`: mine),
    in time order, paged by key: the desk shows the first few of today's."""
    mine = request.GET.get("mine") == "1"
    errors: list[str] = []
    try:
        day = parse_date(request.GET.get("day", ""), _("日期")) or timezone.localdate()
    except ValidationError as e:
        day, errors = None, list(e.messages)
    if day is not None and not 2000 <= day.year <= 2100:
        day, errors = None, [_("日期超出范围。")]
    page = []
    if not errors:
        try:
            # Counted (up to 500: a day's sessions, not history); the planner's estimate of one day was 10× off.
            page = seek_page(request, sessions_on(request.user, day=day, mine=mine), None, SESSION_PAGE_SIZE,
                             order=("at", "pk"))
        except BadPageKey:
            errors = [_("翻页参数无效。")]
    return render(request, "disputes/session_list.html", {
        "errors": errors, "day": day, "mine": mine, "page": [] if errors else page, **pager_links(request, page),
    }, status=400 if errors else 200)


@login_required
@require_GET
def dispute_index(request: HttpRequest) -> HttpResponse:
    """Every dispute in scope (settled, referred, closed too), filtered by outcome, source, risk and type."""
    qs, cleaned, errors = dispute_list(request.user, request.GET)
    page = []
    if not errors:
        try:
            page = seek_page(request, qs, "case__created_at", DISPUTE_PAGE_SIZE)
            page.cap = min(page.cap, LIST_COUNT_CAP)
        except BadPageKey:
            errors = [_("翻页参数无效。")]
    ctx = {
        "filters": cleaned, "errors": errors, "outcomes": Outcome.choices,
        "sources": Source.choices, "levels": RiskLevel.choices, "types": DisputeType.objects.filter(is_active=True),
        "page": [] if errors else page, **pager_links(request, page),
    }
    return render(request, "disputes/dispute_list.html", ctx, status=400 if errors else 200)


# ---------------------------------------------------------------- filing


@login_required
def dispute_new(request: HttpRequest) -> HttpResponse:
    form = FileDisputeForm(request.POST or None, user=request.user)
    if not form.has_grids:
        return forbidden(request, _("您没有登记矛盾纠纷的权限。"))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                dispute = ma.do_file_dispute(
                    actor=request.user, grid=d["grid"], dispute_type=d["dispute_type"], title=d["title"],
                    description=d["description"], parties=form.parties(), source=d["source"],
                    source_detail=d["source_detail"], people_count=d["people_count"], amount=d["amount"],
                    threat_violence=d["threat_violence"], threat_petition=d["threat_petition"],
                    urgency=d["urgency"], address=d["address"],
                )
            except (ValidationError, PermissionDenied) as e:
                form.add_error(None, error_status(e)[0])
            else:
                messages.success(request, _("纠纷已登记，风险等级：%(risk)s。") % {"risk": dispute.get_risk_level_display()})
                return redirect("mediation:detail", pk=dispute.pk)
        status = 400
    return render(request, "disputes/dispute_form.html", {"form": form}, status=status)


# ---------------------------------------------------------------- detail


def _detail_context(request: HttpRequest, dispute: Dispute, revealed: frozenset[int] = frozenset()) -> dict:
    user, case = request.user, dispute.case
    allowed = allowed_dispute_actions(user, dispute)
    sessions = list(dispute.sessions.select_related("room").prefetch_related("mediators"))
    follow_ups = follow_ups_of(user, dispute, allowed)
    entries = risk_entries_of(dispute)
    ctx = {
        "dispute": dispute, "case": case, "parties": party_rows(dispute, revealed), "sessions": sessions,
        "follow_ups": follow_ups, "risk_entries": entries, "allowed": allowed,
        "may_view_register": can(user, Cap.VIEW_REGISTER, case.grid_id),
        "open_entry": next((e for e in entries if e.closed_at is None), None),
        "events": list(case.events.select_related("actor")),
        "referral_targets": ReferralTarget.choices, "levels": RiskLevel.choices,
        "now": timezone.now(), "today": timezone.localdate(),
    }
    if "add_party" in allowed and may_link(user):
        # Search boxes over the case grid's register (a grid holds hundreds of residents: no list).
        ctx["party_picks"] = [
            RegisterPick(name="resident", label=_("实有人口"), kind="residents", multiple=False, picked=[],
                         testid="party-resident"),
            RegisterPick(name="unit", label=_("实有单位"), kind="units", multiple=False, picked=[], testid="party-unit"),
        ]
    if "schedule" in allowed:
        ctx["rooms"] = rooms_for(case.grid_id)
        ctx["mediators"] = mediators_for(case.grid_id)
    return ctx


@login_required
@require_GET
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _get_dispute_for_user(request, pk)
    return render(request, "disputes/dispute_detail.html", _detail_context(request, dispute))


@login_required
@require_POST
def party_reveal(request: HttpRequest, pk: int, party_pk: int) -> HttpResponse:
    """Show one party's ID number and phone in full: only with reveal_pii on the dispute's grid; audited."""
    dispute = _get_dispute_for_user(request, pk)
    party = dispute.parties.filter(pk=party_pk).first()
    if party is None:
        raise Http404(_("当事人不存在。"))
    try:
        ma.do_reveal_party(actor=request.user, dispute=dispute, party=party)
    except PermissionDenied as e:
        return forbidden(request, str(e))
    response = render(request, "disputes/dispute_detail.html", _detail_context(request, dispute, frozenset({party.pk})))
    response["Cache-Control"] = "private, no-store"  # the full ID number and phone: never kept by a cache
    return response


def dispute_action(name: str) -> Callable[[Callable[[HttpRequest, Dispute], str]], Callable[..., HttpResponse]]:
    """One POST view per action on a dispute. The decorated function calls the action and returns
    the success message; this finds the dispute (404 outside reach) and turns a refusal into the
    dispute page with the message (409 / 403 / 400), keeping what was typed."""

    def decorate(perform: Callable[[HttpRequest, Dispute], str]) -> Callable[..., HttpResponse]:
        @login_required
        @require_POST
        @wraps(perform)
        def view(request: HttpRequest, pk: int) -> HttpResponse:
            dispute = _get_dispute_for_user(request, pk)

            def refused(error: str, status: int) -> HttpResponse:
                ctx = _detail_context(request, _get_dispute_for_user(request, pk))
                ctx["error"] = error
                ctx["posted"] = {"name": name, **{k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}}
                return render(request, "disputes/dispute_detail.html", ctx, status=status)

            return run_action(request, lambda: perform(request, dispute),
                              success_url=reverse("mediation:detail", args=[pk]), refused=refused)

        return view

    return decorate


@dispute_action("add_party")
def dispute_add_party(request: HttpRequest, dispute: Dispute) -> str:
    p = request.POST
    ma.do_add_party(actor=request.user, dispute=dispute, version=posted_version(p), side=p.get("side", ""), kind=p.get("kind", ""),
                    name=p.get("name", ""), id_type=p.get("id_type", ""), id_number=p.get("id_number", ""),
                    phone=p.get("phone", ""), address=p.get("address", ""),
                    resident=p.get("resident", ""), unit=p.get("unit", ""))
    return _("当事人已添加。")


@dispute_action("assess")
def dispute_assess(request: HttpRequest, dispute: Dispute) -> str:
    p = request.POST
    ma.do_assess_risk(actor=request.user, dispute=dispute, version=posted_version(p), people_count=p.get("people_count"),
                      amount=p.get("amount"),
                      threat_violence=p.get("threat_violence") == "1", threat_petition=p.get("threat_petition") == "1",
                      level=p.get("level") or None, note=p.get("note", ""))
    return _("风险评估已更新。")


@dispute_action("schedule")
def dispute_schedule_session(request: HttpRequest, dispute: Dispute) -> str:
    p, case = request.POST, dispute.case
    rooms = MediationRoom.objects.filter(pk__in=[r.pk for r in rooms_for(case.grid_id)])
    room = pick(rooms, p.get("room", ""), _("调解室"))
    people = list(User.objects.filter(pk__in=[int(x) for x in p.getlist("mediators") if is_digits(x)]))
    at = parse_datetime(p.get("at", ""), _("调解时间"), required=True)
    ma.do_schedule_session(actor=request.user, dispute=dispute, at=at, room=room, place=p.get("place", ""),
                           mediators=people)
    return _("调解已安排。")


@dispute_action("record")
def dispute_record_session(request: HttpRequest, dispute: Dispute) -> str:
    p = request.POST
    session = pick(MediationSession.objects.filter(dispute=dispute), p.get("session", ""), _("调解场次"), required=True)
    ma.do_record_session(actor=request.user, session=session, attendees=p.get("attendees", ""),
                         applicant_statement=p.get("applicant_statement", ""),
                         respondent_statement=p.get("respondent_statement", ""), agreed=p.get("agreed", ""))
    return _("调解记录已保存。")


@dispute_action("settle")
def dispute_settle(request: HttpRequest, dispute: Dispute) -> str:
    p = request.POST
    ma.do_settle_dispute(actor=request.user, dispute=dispute, version=posted_version(p), facts=p.get("facts", ""),
                         terms=p.get("terms", ""), performance=p.get("performance", ""),
                         performance_due=p.get("performance_due", ""))
    return _("调解成功，协议书已生成，已安排回访。")


@dispute_action("refer")
def dispute_refer(request: HttpRequest, dispute: Dispute) -> str:
    p = request.POST
    ma.do_refer_dispute(actor=request.user, dispute=dispute, version=posted_version(p), target=p.get("target", ""),
                        target_name=p.get("target_name", ""), note=p.get("note", ""))
    return _("已登记调解不成并移交。")


@dispute_action("extend")
def dispute_extend(request: HttpRequest, dispute: Dispute) -> str:
    p = request.POST
    ma.do_extend_mediation(actor=request.user, dispute=dispute, version=posted_version(p),
                           reason=p.get("reason", ""))
    return _("调解期限已延长 30 日。")


@dispute_action("schedule_follow_up")
def dispute_schedule_follow_up(request: HttpRequest, dispute: Dispute) -> str:
    ma.do_schedule_follow_up(actor=request.user, dispute=dispute, version=posted_version(request.POST),
                             due=request.POST.get("due", ""))
    return _("回访已安排。")


@dispute_action("follow_up")
def dispute_record_follow_up(request: HttpRequest, dispute: Dispute) -> str:
    p = request.POST
    follow_up = pick(FollowUp.objects.filter(dispute=dispute), p.get("follow_up", ""), _("回访"), required=True)
    holds = parse_flag(p.get("holds"), _("请选择协议是否履行。"))
    ma.do_record_follow_up(actor=request.user, follow_up=follow_up, version=posted_version(p), holds=holds,
                           note=p.get("note", ""))
    return _("回访已记录。") if holds else _("协议未履行，纠纷已重新进入调解。")


@login_required
@require_GET
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    """人民调解协议书 as a PDF. ID numbers and phones in full only for those who may reveal them (audited)."""
    dispute = _get_dispute_for_user(request, pk)
    if dispute.outcome != Outcome.SETTLED:
        raise Http404(_("该纠纷尚未调解成功，没有调解协议书。"))
    pdf = ma.do_print_agreement(actor=request.user, dispute=dispute)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="agreement-{dispute.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- risk register


@login_required
@require_GET
def risk_list(request: HttpRequest) -> HttpResponse:
    qs, cleaned, errors = filtered_risk_register(request.user, request.GET)
    closed, level, grid = cleaned["closed"], cleaned["level"], cleaned["grid"]
    if errors:
        return render(request, "disputes/risk_list.html", {"entries": [], "error": errors[0], "grid": grid,
                                                           "closed": closed, "levels": RiskLevel.choices}, status=400)
    try:
        page = seek_page(request, qs, None, DISPUTE_PAGE_SIZE, order=risk_order(closed))
    except BadPageKey:
        return render(request, "disputes/risk_list.html", {"entries": [], "error": _("翻页参数无效。"), "grid": grid,
                                                           "closed": closed, "levels": RiskLevel.choices}, status=400)
    page.cap = min(page.cap, LIST_COUNT_CAP)
    return render(request, "disputes/risk_list.html", {
        "entries": page, "page": page, **pager_links(request, page), "closed": closed, "level": level,
        "levels": RiskLevel.choices, "grid": grid, "today": timezone.localdate(),
    })


def _get_entry_for_user(request: HttpRequest, pk: int) -> RiskEntry:
    entry = risk_entry_for_detail(request.user, pk)
    if entry is None:
        raise Http404(_("不存在或不在您的辖区内。"))
    return entry


def _risk_context(request: HttpRequest, entry: RiskEntry) -> dict:
    allowed = allowed_risk_actions(request.user, entry)
    ctx = {
        "entry": entry, "reviews": list(entry.reviews.select_related("by")), "allowed": allowed,
        "version": entry.dispute.case.version, "today": timezone.localdate(),
    }
    if "update" in allowed:
        ctx["people"] = list(risk_owner_candidates(entry)[:RISK_OWNER_CHOICES])
    return ctx


@login_required
@require_GET
def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _get_entry_for_user(request, pk)
    return render(request, "disputes/risk_detail.html", _risk_context(request, entry))


def risk_action(perform: Callable[[HttpRequest, RiskEntry], str]) -> Callable[..., HttpResponse]:
    """One POST view per action on a risk entry: the message on success, the entry's page with the
    refusal (403 / 400) otherwise."""

    @login_required
    @require_POST
    @wraps(perform)
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        entry = _get_entry_for_user(request, pk)

        def refused(error: str, status: int) -> HttpResponse:
            ctx = _risk_context(request, _get_entry_for_user(request, pk))
            ctx["error"] = error
            return render(request, "disputes/risk_detail.html", ctx, status=status)

        return run_action(request, lambda: perform(request, entry), success_url=reverse("mediation:risk", args=[pk]),
                          refused=refused)

    return view


@risk_action
def risk_update(request: HttpRequest, entry: RiskEntry) -> str:
    """定人、定责、定措施."""
    p = request.POST
    owner = pick(risk_owner_candidates(entry), p.get("owner", ""), _("责任人"), required=True)
    ma.do_update_risk_entry(actor=request.user, entry=entry, version=posted_version(p), owner=owner,
                            responsibility=p.get("responsibility", ""), measures=p.get("measures", ""),
                            next_review=p.get("next_review", ""))
    return _("已落实责任人和措施。")


@risk_action
def risk_review(request: HttpRequest, entry: RiskEntry) -> str:
    p = request.POST
    ma.do_review_risk(actor=request.user, entry=entry, version=posted_version(p), note=p.get("note", ""),
                      next_review=p.get("next_review", ""))
    return _("研判记录已保存。")


@risk_action
def risk_close(request: HttpRequest, entry: RiskEntry) -> str:
    ma.do_close_risk(actor=request.user, entry=entry, version=posted_version(request.POST),
                     note=request.POST.get("note", ""))
    return _("风险已销号。")

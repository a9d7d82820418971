"""Dispute pages: the dispute desk, filing, the dispute with its mediation, the agreement PDF,
revealing a party's personal data (audited), and the risk register."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from disputes import mediation_actions as ma
from disputes.actions import STALE_MESSAGE, StaleCase
from disputes.agreement_pdf import agreement_pdf
from disputes.links import RegisterPick
from disputes.mediation_forms import FileDisputeForm
from disputes.mediation_models import (
    Dispute,
    FollowUp,
    MediationRoom,
    MediationSession,
    Outcome,
    ReferralTarget,
    RiskEntry,
    RiskLevel,
    Source,
)
from disputes.mediation_selectors import (
    committee_name,
    desk_counts,
    dispute_for_detail,
    dispute_list,
    follow_ups_due,
    may_reveal,
    mediators_for,
    open_disputes,
    risk_register,
    rooms_for,
    sessions_on,
)
from disputes.models import Status
from governance.pagination import BadPageKey, pager_links, seek_page
from governance.actions import record_audit, validation_message
from governance.models import Region, User
from governance.roles import Cap, Level
from governance.scope import can, get_in_scope_or_404, scoped
from django.utils.translation import gettext as _


def _get_dispute_for_user(request: HttpRequest, pk: int) -> Dispute:
    dispute = dispute_for_detail(request.user, pk)
    if dispute is None:
        raise Http404(_("不存在或不在您的辖区内。"))
    return dispute


DISPUTE_PAGE_SIZE = 30


def _error_status(exc: Exception) -> tuple[str, int]:
    if isinstance(exc, StaleCase):
        return STALE_MESSAGE, 409
    if isinstance(exc, PermissionDenied):
        return str(exc) or _("您没有执行此操作的权限。"), 403
    return validation_message(exc), 400


# ---------------------------------------------------------------- desk


@login_required
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    """Open disputes by risk and deadline, today's sessions, follow-ups due. `?mine=1`: only my own."""
    mine = request.GET.get("mine") == "1"
    disputes = list(open_disputes(request.user, mine=mine)[:200])
    return render(request, "disputes/dispute_desk.html", {
        "disputes": disputes,
        "counts": desk_counts(disputes),
        "sessions": list(sessions_on(request.user, mine=mine)),
        "follow_ups": list(follow_ups_due(request.user, mine=mine)[:100]),
        "mine": mine,
        "now": timezone.now(),
        "today": timezone.localdate(),
        "can_file": scoped(Region.objects.filter(level=Level.GRID), request.user, Cap.FILE_CASE).exists(),
    })


@login_required
@require_GET
def dispute_index(request: HttpRequest) -> HttpResponse:
    """Every dispute in scope (settled, referred, closed too), filtered by outcome, source, risk and type."""
    
    from disputes.mediation_models import DisputeType, Outcome

    qs, cleaned, errors = dispute_list(request.user, request.GET)
    page = []
    if not errors:
        try:
            page = seek_page(request, qs, "case__created_at", DISPUTE_PAGE_SIZE)
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
        return render(request, "403.html", {"message": _("您没有登记矛盾纠纷的权限。")}, status=403)
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
                form.add_error(None, _error_status(e)[0])
            else:
                messages.success(request, _("纠纷已登记，风险等级：%(risk)s。") % {"risk": dispute.get_risk_level_display()})
                return redirect("mediation:detail", pk=dispute.pk)
        status = 400
    return render(request, "disputes/dispute_form.html", {"form": form}, status=status)


# ---------------------------------------------------------------- detail


def _party_rows(dispute: Dispute, revealed: set[int] = frozenset()) -> list[dict]:
    """Parties for pages and the PDF: registered ones through the register (masked there too)."""
    rows = []
    for p in dispute.parties.select_related("resident", "resident__house", "unit"):
        show = p.pk in revealed
        rows.append({
            "pk": p.pk, "side": p.get_side_display(), "side_code": p.side, "kind": p.get_kind_display(),
            "name": p.display_name, "id_type": p.get_id_type_display(),
            "id_number": p.shown_id_number(plain=show), "phone": p.shown_phone(plain=show),
            "address": p.address or (p.resident.house.address if p.resident_id and p.resident.house_id else "")
            or (p.unit.address if p.unit_id else ""),
            "revealed": show, "has_pii": p.has_pii, "resident_id": p.resident_id, "unit_id": p.unit_id,
        })
    return rows


def _detail_context(request: HttpRequest, dispute: Dispute, revealed: set[int] = frozenset()) -> dict:
    user, case = request.user, dispute.case
    mediating = case.status in (Status.ACCEPTED, Status.ASSIGNED) and ma.may_mediate(user, case)
    sessions = list(dispute.sessions.select_related("room").prefetch_related("mediators"))
    follow_ups = list(dispute.follow_ups.select_related("owner"))
    entries = list(dispute.risk_entries.select_related("owner").order_by("-opened_at"))
    allowed = {
        "mediate": mediating,
        "extend": mediating and dispute.source == Source.COURT and not dispute.extended,
        "assess": can(user, Cap.MANAGE_RISK, case.grid_id),
        "add_party": case.is_open and (can(user, Cap.FILE_CASE, case.grid_id) or ma.may_mediate(user, case)),
        "follow_up": dispute.outcome == Outcome.SETTLED and ma.may_mediate(user, case),
        "reveal": may_reveal(user, dispute),
        "pdf": dispute.outcome == Outcome.SETTLED,
    }
    ctx = {
        "dispute": dispute, "case": case, "parties": _party_rows(dispute, revealed), "sessions": sessions,
        "follow_ups": follow_ups, "risk_entries": entries, "allowed": allowed,
        "may_view_register": can(user, Cap.VIEW_REGISTER, case.grid_id),
        "open_entry": next((e for e in entries if e.closed_at is None), None),
        "events": list(case.events.select_related("actor")),
        "referral_targets": ReferralTarget.choices, "levels": RiskLevel.choices,
        "now": timezone.now(), "today": timezone.localdate(),
    }
    if allowed["add_party"] and ctx["may_view_register"]:
        # Search boxes over the case grid's register (a grid holds hundreds of residents: no list).
        ctx["party_picks"] = [
            RegisterPick(name="resident", label=_("实有人口"), kind="residents", multiple=False, picked=[],
                         testid="party-resident"),
            RegisterPick(name="unit", label=_("实有单位"), kind="units", multiple=False, picked=[], testid="party-unit"),
        ]
    if mediating:
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
    if not may_reveal(request.user, dispute):
        return render(request, "403.html", {"message": _("您无权查看当事人的完整个人信息。")}, status=403)
    record_audit(actor=request.user, action="dispute.reveal_party", target=party, region_code=dispute.case.grid_id,
                 detail={"dispute": dispute.pk})
    return render(request, "disputes/dispute_detail.html", _detail_context(request, dispute, {party.pk}))


def _parse_datetime(value: str, what: str) -> datetime:
    if not value:
        raise ValidationError(_("请填写%(what)s。") % {"what": what})
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("%(what)s格式不正确。") % {"what": what}) from None
    return timezone.make_aware(naive) if timezone.is_naive(naive) else naive


def _pick(qs, pk: str, what: str, required: bool = False):
    if not pk:
        if required:
            raise ValidationError(_("请选择%(what)s。") % {"what": what})
        return None
    if not str(pk).isdigit():
        raise ValidationError(_("%(what)s不正确。") % {"what": what})
    obj = qs.filter(pk=int(pk)).first()
    if obj is None:
        raise ValidationError(_("%(what)s不存在。") % {"what": what})
    return obj


def _version(p) -> int:
    version = p.get("version")
    if version is None or not str(version).isdigit():
        raise ValidationError(_("表单已过期，请刷新页面后重试。"))
    return int(version)


def _flag(value) -> bool | None:
    return {"1": True, "0": False}.get(value)


def _run(request: HttpRequest, dispute: Dispute, name: str) -> str:
    p, user, case = request.POST, request.user, dispute.case
    if name == "add_party":
        ma.do_add_party(actor=user, dispute=dispute, side=p.get("side", ""), kind=p.get("kind", ""),
                        name=p.get("name", ""), id_type=p.get("id_type", ""), id_number=p.get("id_number", ""),
                        phone=p.get("phone", ""), address=p.get("address", ""),
                        resident=p.get("resident", ""), unit=p.get("unit", ""))
        return _("当事人已添加。")
    if name == "assess":
        ma.do_assess_risk(actor=user, dispute=dispute, people_count=p.get("people_count"), amount=p.get("amount"),
                          threat_violence=p.get("threat_violence") == "1", threat_petition=p.get("threat_petition") == "1",
                          level=p.get("level") or None, note=p.get("note", ""))
        return _("风险评估已更新。")
    if name == "schedule":
        rooms = MediationRoom.objects.filter(pk__in=[r.pk for r in rooms_for(case.grid_id)])
        room = _pick(rooms, p.get("room", ""), _("调解室"))
        people = list(User.objects.filter(pk__in=[int(x) for x in p.getlist("mediators") if x.isdigit()]))
        ma.do_schedule_session(actor=user, dispute=dispute, at=_parse_datetime(p.get("at", ""), _("调解时间")), room=room,
                               place=p.get("place", ""), mediators=people)
        return _("调解已安排。")
    if name == "record":
        session = _pick(MediationSession.objects.filter(dispute=dispute), p.get("session", ""), _("调解场次"), True)
        ma.do_record_session(actor=user, session=session, attendees=p.get("attendees", ""),
                             applicant_statement=p.get("applicant_statement", ""),
                             respondent_statement=p.get("respondent_statement", ""), agreed=p.get("agreed", ""))
        return _("调解记录已保存。")
    if name == "settle":
        ma.do_settle_dispute(actor=user, dispute=dispute, version=_version(p), facts=p.get("facts", ""),
                             terms=p.get("terms", ""), performance=p.get("performance", ""),
                             performance_due=p.get("performance_due", ""))
        return _("调解成功，协议书已生成，已安排回访。")
    if name == "refer":
        ma.do_refer_dispute(actor=user, dispute=dispute, version=_version(p), target=p.get("target", ""),
                            target_name=p.get("target_name", ""), note=p.get("note", ""))
        return _("已登记调解不成并移交。")
    if name == "extend":
        ma.do_extend_mediation(actor=user, dispute=dispute, version=_version(p), reason=p.get("reason", ""))
        return _("调解期限已延长 30 日。")
    if name == "schedule_follow_up":
        ma.do_schedule_follow_up(actor=user, dispute=dispute, due=p.get("due", ""))
        return _("回访已安排。")
    if name == "follow_up":
        follow_up = _pick(FollowUp.objects.filter(dispute=dispute), p.get("follow_up", ""), _("回访"), True)
        holds = _flag(p.get("holds"))
        if holds is None:
            raise ValidationError(_("请选择协议是否履行。"))
        ma.do_record_follow_up(actor=user, follow_up=follow_up, holds=holds, note=p.get("note", ""))
        return _("回访已记录。") if holds else _("协议未履行，纠纷已重新进入调解。")
    raise Http404(_("没有这个操作。"))


@login_required
@require_POST
def dispute_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    dispute = _get_dispute_for_user(request, pk)
    try:
        done = _run(request, dispute, name)
    except (StaleCase, PermissionDenied, ValidationError) as e:
        error, status = _error_status(e)
    else:
        messages.success(request, done)
        return redirect("mediation:detail", pk=dispute.pk)
    dispute = _get_dispute_for_user(request, pk)
    ctx = _detail_context(request, dispute)
    ctx["error"], ctx["posted"] = error, {"name": name, **{k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}}
    return render(request, "disputes/dispute_detail.html", ctx, status=status)


@login_required
@require_GET
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    """人民调解协议书 as a PDF. ID numbers and phones in full only for those who may reveal them (audited)."""
    dispute = _get_dispute_for_user(request, pk)
    if dispute.outcome != Outcome.SETTLED:
        raise Http404(_("该纠纷尚未调解成功，没有调解协议书。"))
    full = may_reveal(request.user, dispute)
    parties = _party_rows(dispute, set(dispute.parties.values_list("pk", flat=True)) if full else set())
    mediators = sorted({m.get_full_name() for s in dispute.sessions.prefetch_related("mediators") for m in s.mediators.all()})
    if not mediators and dispute.case.assignee_id:
        mediators = [dispute.case.assignee.get_full_name()]
    pdf = agreement_pdf(dispute, parties, mediators, committee_name(dispute.case.grid_id))
    record_audit(actor=request.user, action="dispute.agreement_pdf", target=dispute, region_code=dispute.case.grid_id,
                 detail={"unmasked": full})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="agreement-{dispute.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- risk register


@login_required
@require_GET
def risk_list(request: HttpRequest) -> HttpResponse:
    closed = request.GET.get("closed") == "1"
    level = request.GET.get("level", "")
    if level and level not in {str(v) for v in RiskLevel.values}:
        return render(request, "disputes/risk_list.html", {"entries": [], "error": _("风险等级筛选条件不正确。"),
                                                           "closed": closed, "levels": RiskLevel.choices}, status=400)
    entries = list(risk_register(request.user, closed=closed, level=int(level) if level else None)[:300])
    return render(request, "disputes/risk_list.html", {
        "entries": entries, "closed": closed, "level": level, "levels": RiskLevel.choices,
        "today": timezone.localdate(),
    })


def _get_entry_for_user(request: HttpRequest, pk: int) -> RiskEntry:
    return get_in_scope_or_404(
        RiskEntry.objects.select_related("dispute__case", "dispute__dispute_type", "grid", "owner", "closed_by"),
        request.user, Cap.VIEW, pk=pk,
    )


def _risk_context(request: HttpRequest, entry: RiskEntry) -> dict:
    user = request.user
    manage = entry.closed_at is None and can(user, Cap.MANAGE_RISK, entry.grid_id)
    ctx = {
        "entry": entry, "reviews": list(entry.reviews.select_related("by")),
        "manage": manage, "review": entry.closed_at is None and (manage or entry.owner_id == user.pk),
        "today": timezone.localdate(),
    }
    if manage:
        codes = entry.grid.ancestor_codes() + [entry.grid_id]
        ctx["people"] = list(User.objects.filter(is_active=True, role_assignments__region_id__in=codes)
                             .exclude(role_assignments__role="dept_handler").distinct().order_by("name")[:200])
    return ctx


@login_required
@require_GET
def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _get_entry_for_user(request, pk)
    return render(request, "disputes/risk_detail.html", _risk_context(request, entry))


@login_required
@require_POST
def risk_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    entry = _get_entry_for_user(request, pk)
    p, user = request.POST, request.user
    try:
        if name == "update":
            codes = entry.grid.ancestor_codes() + [entry.grid_id]
            owner = _pick(User.objects.filter(role_assignments__region_id__in=codes).distinct(), p.get("owner", ""),
                          _("责任人"), True)
            ma.do_update_risk_entry(actor=user, entry=entry, owner=owner, responsibility=p.get("responsibility", ""),
                                    measures=p.get("measures", ""), next_review=p.get("next_review", ""))
            done = _("已落实责任人和措施。")
        elif name == "review":
            ma.do_review_risk(actor=user, entry=entry, note=p.get("note", ""), next_review=p.get("next_review", ""))
            done = _("研判记录已保存。")
        elif name == "close":
            ma.do_close_risk(actor=user, entry=entry, note=p.get("note", ""))
            done = _("风险已销号。")
        else:
            raise Http404(_("没有这个操作。"))
    except (PermissionDenied, ValidationError) as e:
        error, status = _error_status(e)
    else:
        messages.success(request, done)
        return redirect("mediation:risk", pk=entry.pk)
    ctx = _risk_context(request, _get_entry_for_user(request, pk))
    ctx["error"] = error
    return render(request, "disputes/risk_detail.html", ctx, status=status)


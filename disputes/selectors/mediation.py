"""Reads on disputes. Everything starts from the case loop's visible_cases() (which starts from
scoped()), or from scoped() itself for the risk register."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes.kernel import is_handler
from disputes.models import (
    Case,
    CaseKind,
    Dispute,
    DisputeType,
    FollowUp,
    MediationCommittee,
    MediationRoom,
    MediationSession,
    Mediator,
    Outcome,
    RiskEntry,
    RiskLevel,
    Source,
    Status,
)
from disputes.selectors.cases import visible_cases
from governance.inputs import is_digits
from governance.models import Region, User
from governance.roles import Cap, Level, Role
from governance.scope import can, scoped

FOLLOW_UP_HORIZON = timedelta(days=7)
# Still to be mediated: not yet settled or referred (a failed verification sends a dispute back here).
IN_MEDIATION = (Status.REPORTED, Status.ACCEPTED, Status.ASSIGNED)


def visible_disputes(user: User) -> QuerySet[Dispute]:
    """Disputes whose case the user may see. The case subquery (whose object grants cost two
    queries to build) is built once per user object, i.e. once per request."""
    return Dispute.objects.filter(pk__in=_dispute_case_ids(user))


def _dispute_cases(user: User) -> QuerySet[Case]:
    """The dispute cases `user` may see (built once per user object: its object grants cost two queries)."""
    cases = getattr(user, "_gridgov_dispute_cases", None)
    if cases is None:
        cases = visible_cases(user).filter(kind=CaseKind.DISPUTE)
        if user.is_authenticated:
            user._gridgov_dispute_cases = cases
    return cases


def _dispute_case_ids(user: User) -> QuerySet:
    """The pks of the dispute cases `user` may see (a subquery)."""
    return _dispute_cases(user).values("pk")


def dispute_for_detail(user: User, pk: int) -> Dispute | None:
    return (
        visible_disputes(user)
        .select_related("case", "case__grid", "case__category", "case__category__parent", "case__assignee",
                        "case__filer", "dispute_type")
        .filter(pk=pk)
        .first()
    )


# The desk's order, over the cases in mediation: the highest risk first (Case.desk_risk, the case's copy
# of Dispute.risk_level), then the soonest mediation deadline (none: last). The partial index
# case_desk_risk_deadline holds exactly this order, with the grid for the scope filter.
DESK_ORDER = ("-desk_risk", "deadline", "pk")


def desk_cases(user: User, mine: bool = False) -> QuerySet[Case]:
    """The cases of the disputes still in mediation in scope (`mine`: assigned to the user), with their
    dispute joined for display. Page them in DESK_ORDER (governance.pagination.ordered_page): a city's
    desk walks the desk index and stops after a page instead of sorting its thousands in mediation; a
    street's reads its few dozen from the (grid, deadline) index."""
    # Cases in mediation are open: visible_cases' open variant reads a department's dispatches from
    # its still-open cases (CaseDispatch.case_open) — the same cases, bounded by the work in hand.
    cases = visible_cases(user, open_only=True).filter(kind=CaseKind.DISPUTE, status__in=IN_MEDIATION)
    if mine:
        cases = cases.filter(assignee=user)
    return cases.select_related("dispute", "dispute__dispute_type", "grid", "assignee")


def open_disputes(user: User, mine: bool = False) -> QuerySet[Dispute]:
    """Disputes still in mediation in scope (`mine`: assigned to the user), in the desk's order."""
    return (Dispute.objects.filter(pk__in=desk_cases(user, mine).values("pk"))
            .select_related("case", "case__grid", "case__assignee", "dispute_type")
            .order_by("-case__desk_risk", "case__deadline", "pk"))


# The desk shows at most this many of the day's sessions and links to the day's whole list.
DESK_SESSIONS = 10


def day_bounds(day) -> tuple:
    """[start, end) of a local calendar day, as aware datetimes: `at` compared with them uses its index
    (`at__date = day` casts every row's time)."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def sessions_on(user: User, day=None, mine: bool = False) -> QuerySet[MediationSession]:
    day = day or timezone.localdate()
    start, end = day_bounds(day)
    qs = MediationSession.objects.filter(dispute__in=visible_disputes(user), at__gte=start, at__lt=end)
    if mine:
        qs = qs.filter(mediators=user)
    return qs.select_related("dispute__case", "room").prefetch_related("mediators").order_by("at", "pk")


def follow_ups_due(user: User, mine: bool = False) -> QuerySet[FollowUp]:
    horizon = timezone.localdate() + FOLLOW_UP_HORIZON
    qs = FollowUp.objects.filter(done_at__isnull=True, cancelled=False, due__lte=horizon)
    qs = qs.filter(owner=user) if mine else qs.filter(dispute__in=visible_disputes(user))
    return qs.select_related("dispute__case", "owner").order_by("due", "pk")


def risk_order(closed: bool = False) -> tuple[str, ...]:
    """The register's order: open entries by level (highest first), then the next review (none: last);
    closed ones the most recently closed first."""
    return ("-closed_at", "-pk") if closed else ("-level", "next_review", "pk")


def risk_register(user: User, closed: bool = False, level: int | None = None, grid: str = "") -> QuerySet[RiskEntry]:
    """The register in scope, in risk_order; `grid`: a region or grid code prefix (digits, checked by
    the caller)."""
    qs = scoped(RiskEntry.objects.all(), user, Cap.VIEW_CASES).filter(closed_at__isnull=not closed)
    if level:
        qs = qs.filter(level=level)
    if grid:
        qs = qs.filter(grid__code__startswith=grid)
    return qs.select_related("dispute__case", "grid", "owner").order_by(*risk_order(closed))


def filtered_risk_register(user: User, params) -> tuple[QuerySet[RiskEntry], dict, list[str]]:
    """The register with the list's filters (`closed=1`: the closed entries; `level`; `grid`: a region
    or grid code prefix); returns (queryset, cleaned values, Chinese errors: then the queryset is empty)."""
    closed = params.get("closed") == "1"
    level = params.get("level", "")
    grid = params.get("grid", "").strip()
    cleaned = {"closed": closed, "level": level, "grid": grid[:15]}
    error = ""
    if level and level not in {str(v) for v in RiskLevel.values}:
        error = _("风险等级筛选条件不正确。")
    elif grid and not is_digits(grid, 15):
        error = _("网格编码只能由数字组成。")
    if error:
        return RiskEntry.objects.none(), cleaned, [error]
    return risk_register(user, closed=closed, level=int(level) if level else None, grid=grid), cleaned, []


def risk_entry_for_detail(user: User, pk: int) -> RiskEntry | None:
    """One entry of the register in scope (None outside it: the caller answers 404), with what its
    page and the API show."""
    return (
        scoped(RiskEntry.objects.all(), user, Cap.VIEW_CASES)
        .select_related("dispute__case", "dispute__dispute_type", "grid", "owner", "closed_by")
        .filter(pk=pk)
        .first()
    )


def allowed_risk_actions(user: User, entry: RiskEntry) -> frozenset[str]:
    """What `user` may do on a risk entry now: 定人定责定措施 (update) and 销号 (close) for whoever
    manages risks in its grid; a review (研判) for them and for the entry's owner; nothing once it is
    closed. The actions check the same rules again when they run; this decides what is offered."""
    if entry.closed_at is not None or not user.is_authenticated:
        return frozenset()
    manage = can(user, Cap.MANAGE_RISK, entry.grid_id)
    allowed = {"update": manage, "close": manage, "review": manage or entry.owner_id == user.pk}
    return frozenset(name for name, ok in allowed.items() if ok)


def risk_owner_candidates(entry: RiskEntry) -> QuerySet[User]:
    """Who may own a risk entry (责任人): an active user with a role in its grid or above it, not a
    department's handler (a department is reached by dispatch, not by territory). The page offers the
    first 200 by name; the page and the API accept no one else."""
    codes = entry.grid.ancestor_codes() + [entry.grid_id]
    return (User.objects.filter(is_active=True, role_assignments__region_id__in=codes)
            .exclude(role_assignments__role=Role.DEPT_HANDLER).distinct().order_by("name", "pk"))


def risk_entries_of(dispute: Dispute) -> list[RiskEntry]:
    """A dispute's entries in the register, the newest first (at most one is open)."""
    return list(dispute.risk_entries.select_related("owner", "grid").order_by("-opened_at", "-pk"))


def may_record_follow_up(user: User, follow_up: FollowUp, allowed: frozenset[str]) -> bool:
    """A pending follow-up is recorded by its owner or by whoever may record follow-ups on the dispute
    (`allowed`: allowed_dispute_actions of the dispute)."""
    return follow_up.is_pending and ("follow_up" in allowed or (user.is_authenticated and follow_up.owner_id == user.pk))


def follow_ups_of(user: User, dispute: Dispute, allowed: frozenset[str]) -> list[FollowUp]:
    """A dispute's follow-ups by due date, each with `may_record` for `user`."""
    rows = list(dispute.follow_ups.select_related("owner"))
    for f in rows:
        f.may_record = may_record_follow_up(user, f, allowed)
    return rows


def rooms_for(grid_code: str) -> list[MediationRoom]:
    codes = Region(code=grid_code, level=Level.GRID).ancestor_codes() + [grid_code]
    return list(MediationRoom.objects.filter(committee__region_id__in=codes).select_related("committee"))


def mediators_for(grid_code: str) -> list[User]:
    codes = Region(code=grid_code, level=Level.GRID).ancestor_codes() + [grid_code]
    ids = Mediator.objects.filter(committee__region_id__in=codes).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("name"))


def committee_name(grid_code: str) -> str:
    codes = Region(code=grid_code, level=Level.GRID).ancestor_codes() + [grid_code]
    c = MediationCommittee.objects.filter(region_id__in=codes).order_by("-region_id").first()
    return c.name if c else "人民调解委员会"


def may_reveal(user: User, dispute: Dispute) -> bool:
    return can(user, Cap.REVEAL_PII, dispute.case.grid_id)


def may_mediate(user: User | None, case: Case) -> bool:
    """A mediator of the case's territory, or the case's assignee / handling department."""
    if user is None:
        return True
    return can(user, Cap.MEDIATE, case.grid_id) or is_handler(user, case)


def may_add_party(user: User | None, case: Case) -> bool:
    """Whoever may file in the case's grid, or mediate it (the case still open: the action checks it)."""
    return user is None or can(user, Cap.FILE_CASE, case.grid_id) or may_mediate(user, case)


def allowed_dispute_actions(user: User, dispute: Dispute) -> frozenset[str]:
    """What `user` may do on `dispute` now: the names of the dispute page's actions. The actions
    check the same rules again when they run; this decides what is shown."""
    case = dispute.case
    mediates = may_mediate(user, case)
    mediating = case.status in (Status.ACCEPTED, Status.ASSIGNED) and mediates
    settled = dispute.outcome == Outcome.SETTLED
    allowed = {
        "schedule": mediating,
        "record": mediating,
        "settle": mediating,
        "refer": mediating,
        "extend": mediating and dispute.source == Source.COURT and not dispute.extended,
        "assess": can(user, Cap.MANAGE_RISK, case.grid_id),
        "add_party": case.is_open and may_add_party(user, case),
        "schedule_follow_up": settled and mediates,
        "follow_up": settled and mediates,
        "reveal": may_reveal(user, dispute),
        "agreement": settled,
    }
    return frozenset(name for name, ok in allowed.items() if ok)


def party_rows(dispute: Dispute, revealed: frozenset[int] | set[int] = frozenset()) -> list[dict]:
    """Parties for pages and the PDF: registered ones through the register (masked there too);
    the ID number and phone in full only for the parties in `revealed` (the caller audits it)."""
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


def desk_counts(cases: QuerySet[Case]) -> dict:
    """The desk's figures for all of `cases` (desk_cases: the work in hand, not the history), in one
    query on the case table alone (the desk index holds every column it reads): in mediation, of which
    较大 or above, of which past the mediation deadline."""
    return cases.order_by().select_related(None).aggregate(
        open=Count("pk"),
        major=Count("pk", filter=Q(desk_risk__gte=RiskLevel.MAJOR)),
        overdue=Count("pk", filter=Q(deadline__lt=timezone.now())),
    )


def dispute_list(user: User, params) -> tuple[QuerySet[Dispute], dict, list[str]]:
    """All visible disputes with the list filters; returns (queryset, cleaned values, Chinese errors)."""
    qs = visible_disputes(user).select_related("case", "case__grid", "case__assignee", "dispute_type")
    cleaned: dict = {}
    errors: list[str] = []
    checks = (
        ("outcome", Outcome.values, "outcome", _("调解结果筛选条件不正确。")),
        ("source", Source.values, "source", _("来源筛选条件不正确。")),
        ("risk", [str(v) for v in RiskLevel.values], "risk_level", _("风险等级筛选条件不正确。")),
    )
    for key, allowed, field, message in checks:
        value = params.get(key, "")
        if not value:
            continue
        if value not in allowed:
            errors.append(message)
            continue
        qs = qs.filter(**{field: value})
        cleaned[key] = value
    kind = params.get("type", "")
    if kind:
        if is_digits(kind) and DisputeType.objects.filter(pk=int(kind)).exists():
            qs = qs.filter(dispute_type_id=int(kind))
            cleaned["type"] = int(kind)
        else:
            errors.append(_("纠纷类型筛选条件不正确。"))
    return qs.order_by("-case__created_at", "-pk"), cleaned, errors

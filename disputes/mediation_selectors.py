"""Reads on disputes. Everything starts from the case loop's visible_cases() (which starts from
scoped()), or from scoped() itself for the risk register."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from disputes.mediation_models import (
    Dispute,
    FollowUp,
    MediationRoom,
    MediationSession,
    Mediator,
    RiskEntry,
    RiskLevel,
)
from disputes.models import Status
from disputes.selectors import visible_cases
from governance.models import User
from governance.roles import Cap
from governance.scope import can, scoped
from django.utils.translation import gettext as _

FOLLOW_UP_HORIZON = timedelta(days=7)
# Still to be mediated: not yet settled or referred (a failed verification sends a dispute back here).
IN_MEDIATION = (Status.REPORTED, Status.ACCEPTED, Status.ASSIGNED)


def visible_disputes(user: User) -> QuerySet[Dispute]:
    """Disputes whose case the user may see. The case subquery (whose object grants cost two
    queries to build) is built once per user object, i.e. once per request."""
    ids = getattr(user, "_gridgov_dispute_ids", None)
    if ids is None:
        ids = visible_cases(user).filter(kind="dispute").values("pk")
        if user.is_authenticated:
            user._gridgov_dispute_ids = ids
    return Dispute.objects.filter(pk__in=ids)


def dispute_for_detail(user: User, pk: int) -> Dispute | None:
    return (
        visible_disputes(user)
        .select_related("case", "case__grid", "case__category", "case__category__parent", "case__assignee",
                        "case__filer", "dispute_type")
        .filter(pk=pk)
        .first()
    )


def open_disputes(user: User, mine: bool = False) -> QuerySet[Dispute]:
    qs = visible_disputes(user).filter(case__status__in=IN_MEDIATION)
    if mine:
        qs = qs.filter(case__assignee=user)
    return qs.select_related("case", "case__grid", "case__assignee", "dispute_type").order_by(
        "-risk_level", "case__deadline", "pk"
    )


def sessions_on(user: User, day=None, mine: bool = False) -> QuerySet[MediationSession]:
    day = day or timezone.localdate()
    qs = MediationSession.objects.filter(dispute__in=visible_disputes(user), at__date=day)
    if mine:
        qs = qs.filter(mediators=user)
    return qs.select_related("dispute__case", "room").prefetch_related("mediators").order_by("at")


def follow_ups_due(user: User, mine: bool = False) -> QuerySet[FollowUp]:
    horizon = timezone.localdate() + FOLLOW_UP_HORIZON
    qs = FollowUp.objects.filter(done_at__isnull=True, cancelled=False, due__lte=horizon)
    qs = qs.filter(owner=user) if mine else qs.filter(dispute__in=visible_disputes(user))
    return qs.select_related("dispute__case", "owner").order_by("due", "pk")


def risk_register(user: User, closed: bool = False, level: int | None = None) -> QuerySet[RiskEntry]:
    qs = scoped(RiskEntry.objects.all(), user, Cap.VIEW).filter(closed_at__isnull=not closed)
    if level:
        qs = qs.filter(level=level)
    order = ("-closed_at",) if closed else ("-level", "next_review", "pk")
    return qs.select_related("dispute__case", "grid", "owner").order_by(*order)


def rooms_for(grid_code: str) -> list[MediationRoom]:
    from governance.models import Region

    codes = Region(code=grid_code, level=5).ancestor_codes() + [grid_code]
    return list(MediationRoom.objects.filter(committee__region_id__in=codes).select_related("committee"))


def mediators_for(grid_code: str) -> list[User]:
    from governance.models import Region

    codes = Region(code=grid_code, level=5).ancestor_codes() + [grid_code]
    ids = Mediator.objects.filter(committee__region_id__in=codes).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("name"))


def committee_name(grid_code: str) -> str:
    from disputes.mediation_models import MediationCommittee
    from governance.models import Region

    codes = Region(code=grid_code, level=5).ancestor_codes() + [grid_code]
    c = MediationCommittee.objects.filter(region_id__in=codes).order_by("-region_id").first()
    return c.name if c else "人民调解委员会"


def may_reveal(user: User, dispute: Dispute) -> bool:
    return can(user, Cap.REVEAL_PII, dispute.case.grid_id)


def desk_counts(disputes: list[Dispute]) -> dict:
    now = timezone.now()
    return {
        "open": len(disputes),
        "major": sum(1 for d in disputes if d.risk_level >= RiskLevel.MAJOR),
        "overdue": sum(1 for d in disputes if d.case.deadline and d.case.deadline < now),
    }



def dispute_list(user: User, params) -> tuple[QuerySet[Dispute], dict, list[str]]:
    """All visible disputes with the list filters; returns (queryset, cleaned values, Chinese errors)."""
    from disputes.mediation_models import DisputeType, Outcome, Source

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
        if kind.isdigit() and DisputeType.objects.filter(pk=int(kind)).exists():
            qs = qs.filter(dispute_type_id=int(kind))
            cleaned["type"] = int(kind)
        else:
            errors.append(_("纠纷类型筛选条件不正确。"))
    return qs.order_by("-case__created_at", "-pk"), cleaned, errors

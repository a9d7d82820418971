"""Reads of the reports. Every one starts from the scoped node: reports are read with VIEW_CASES
(their figures are the cases'), so a department handler, who sees cases only by dispatch, reads none."""

from __future__ import annotations

from django.db.models import QuerySet

from governance.models import Region, User
from governance.roles import Cap
from governance.scope import get_in_scope_or_404, scoped, top_regions
from reports.kpis import DEFINITION_VERSION
from reports.models import Snapshot
from reports.periods import Period

CAP = Cap.VIEW_CASES


def report_regions(user: User) -> list[Region]:
    """The highest nodes whose reports the user reads (their own node)."""
    return top_regions(user, CAP)


def region_for_user(user: User, code: str) -> Region:
    return get_in_scope_or_404(Region.objects.all(), user, CAP, code=code)


def snapshots(user: User) -> QuerySet[Snapshot]:
    """The snapshots the user may read (built once per user object, i.e. per request)."""
    cached = getattr(user, "_reports_snapshots", None)
    if cached is None:
        cached = scoped(Snapshot.objects.filter(definition_version=DEFINITION_VERSION), user, CAP)
        user._reports_snapshots = cached
    return cached.all()


def periods_of(user: User, region: Region) -> list[str]:
    """The periods with a snapshot of `region`, newest first."""
    return sorted(snapshots(user).filter(node=region).values_list("period", flat=True), reverse=True)


def snapshot_of(user: User, region: Region, period: Period) -> Snapshot | None:
    return snapshots(user).filter(node=region, period=period.code).first()


def comparisons(user: User, region: Region, period: Period) -> dict[str, Snapshot]:
    """{"previous": …, "last_year": …} snapshots of the same node, when they exist (one query)."""
    wanted = {period.previous().code: "previous", period.same_last_year().code: "last_year"}
    return {wanted[s.period]: s for s in snapshots(user).filter(node=region, period__in=list(wanted))}


def children_of(user: User, region: Region, period: Period) -> list[Snapshot]:
    """The snapshots of the node's children in the user's scope (one query)."""
    return list(snapshots(user).filter(node__parent=region, period=period.code).select_related("node").order_by("node_id"))

"""Writes of the reporting cycles: run a period's cycle, confirm a snapshot, publish a report,
save a scoring sheet. Each is a do_* action: keyword-only, one transaction, the capability check
first, exactly one audit row.

Capabilities: running a period by hand, confirming and publishing ask for APPROVE_REPORT (street
officers, the district centre, city leaders, admins); editing a scoring sheet for CONFIGURE.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.actions import record_audit, require
from governance.models import Region, User
from governance.roles import Cap
from reports.kpis import BY_CODE, DEFINITION_VERSION, compute, keep_overdue_stock
from reports.models import CycleRun, Restatement, ScoringSheet, Snapshot, SnapshotStatus
from reports.periods import Period

DEFAULT_REASON = "重新计算时发现迟到的数据（补录、迟报、合并或撤销）"


def _changes(old: dict, new: dict) -> dict[str, list]:
    return {k: [old.get(k), new.get(k)] for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)}


def _lock_cycle(period: Period, root: str) -> tuple[CycleRun, CycleRun]:
    """The period's lock row (root ""), taken FOR UPDATE, and the run row of this root."""
    lock, _created = CycleRun.objects.get_or_create(period=period.code, root="", definition_version=DEFINITION_VERSION)
    lock = CycleRun.objects.select_for_update().get(pk=lock.pk)
    if not root:
        return lock, lock
    run, _created = CycleRun.objects.get_or_create(period=period.code, root=root, definition_version=DEFINITION_VERSION)
    return lock, run


@transaction.atomic
def do_run_cycle(
    *, actor: User | None, period: Period, root: str = "", reason: str = "", now: datetime | None = None
) -> dict[str, int]:
    """Compute `period` for every node (or `root` and everything below it) and write the snapshots.

    Never a duplicate: one snapshot per (node, period, definition version), a unique key, written
    under the period's lock row. A draft whose figures changed is refreshed; a confirmed or
    published snapshot keeps its figures and gets a Restatement (old, new, why) instead; identical
    figures write nothing. Returns the counts: created, refreshed, restated, unchanged."""
    if actor is not None:
        if root:
            require(actor, Cap.APPROVE_REPORT, root)
        else:
            for top in Region.objects.filter(parent__isnull=True).values_list("code", flat=True):
                require(actor, Cap.APPROVE_REPORT, top)
    now = now or timezone.now()
    if not period.is_complete(now):
        raise ValidationError(_("报告期%(p)s尚未结束，不能生成报告。") % {"p": period.code}, code="period")
    if root and not Region.objects.filter(code=root).exists():
        raise ValidationError(_("区划编码“%(code)s”不存在。") % {"code": root}, code="node")
    reason = (reason or "").strip()[:200] or DEFAULT_REASON
    _lock, run = _lock_cycle(period, root)
    nodes = Region.objects.filter(code__startswith=root) if root else Region.objects.all()
    codes = list(nodes.values_list("code", flat=True))
    if not root:  # a run of every node keeps the month's overdue stock for every later read (once)
        keep_overdue_stock(period.end, now)
    figures = compute(codes, period, now)
    existing = {
        s.node_id: s
        for s in Snapshot.objects.select_for_update().filter(
            period=period.code, definition_version=DEFINITION_VERSION, node__code__startswith=root
        )
    }
    counts = {"created": 0, "refreshed": 0, "restated": 0, "unchanged": 0}
    new_rows = []
    for code in codes:
        kpis = figures[code]
        snap = existing.get(code)
        if snap is None:
            new_rows.append(Snapshot(node_id=code, period=period.code, definition_version=DEFINITION_VERSION,
                                     kpis=kpis, computed_at=now))
            counts["created"] += 1
        elif snap.current == kpis:
            counts["unchanged"] += 1
        elif not snap.is_frozen:
            snap.kpis, snap.computed_at = kpis, now
            snap.save(update_fields=["kpis", "computed_at"])
            counts["refreshed"] += 1
        else:
            Restatement.objects.create(snapshot=snap, old_kpis=snap.current, new_kpis=kpis,
                                       changes=_changes(snap.current, kpis), reason=reason, at=now, by=actor)
            snap.restated_kpis, snap.restated_at = kpis, now
            snap.save(update_fields=["restated_kpis", "restated_at"])
            counts["restated"] += 1
    Snapshot.objects.bulk_create(new_rows, batch_size=2000)
    # Only a run of every node marks the period done (the lock row); catch-up looks for that.
    run.started_at = run.started_at or now
    run.finished_at, run.counts = timezone.now(), counts
    run.save(update_fields=["started_at", "finished_at", "counts"])
    record_audit(actor=actor, action="report.cycle", target=run, region_code=root,
                 detail={"period": period.code, "version": DEFINITION_VERSION, **counts})
    return counts


def _lock_snapshot(snapshot: Snapshot) -> Snapshot:
    return Snapshot.objects.select_for_update(of=("self",)).select_related("node").get(pk=snapshot.pk)


@transaction.atomic
def do_confirm_snapshot(*, actor: User | None, snapshot: Snapshot) -> Snapshot:
    """确认: the node's officers vouch for its frozen figures; from now on a re-run restates, never overwrites."""
    require(actor, Cap.APPROVE_REPORT, snapshot.node_id)
    snap = _lock_snapshot(snapshot)
    if snap.status != SnapshotStatus.DRAFT:
        raise ValidationError(_("该报告已%(s)s，不能再次确认。") % {"s": snap.get_status_display()}, code="state")
    snap.status, snap.confirmed_by, snap.confirmed_at = SnapshotStatus.CONFIRMED, actor, timezone.now()
    snap.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    record_audit(actor=actor, action="report.confirm", target=snap, region_code=snap.node_id,
                 detail={"period": snap.period})
    return snap


@transaction.atomic
def do_publish_report(*, actor: User | None, snapshot: Snapshot) -> Snapshot:
    """发布通报: the node publishes its report and the ranking of its children, once every child has
    confirmed its own snapshot (a street confirms before the district publishes). The node's and
    the children's snapshots become published."""
    require(actor, Cap.APPROVE_REPORT, snapshot.node_id)
    snap = _lock_snapshot(snapshot)
    if snap.status == SnapshotStatus.PUBLISHED:
        raise ValidationError(_("该报告已发布。"), code="state")
    children = list(
        Snapshot.objects.select_for_update().filter(
            node__parent_id=snap.node_id, period=snap.period, definition_version=snap.definition_version
        ).select_related("node").order_by("node_id")
    )
    waiting = [c.node.name for c in children if c.status == SnapshotStatus.DRAFT]
    if waiting:
        raise ValidationError(
            _("下列下级单位尚未确认本期报告，不能发布：%(names)s。") % {"names": "、".join(waiting[:20])}, code="approval"
        )
    now = timezone.now()
    ids = [c.pk for c in children if c.status != SnapshotStatus.PUBLISHED] + [snap.pk]
    Snapshot.objects.filter(pk__in=ids).update(status=SnapshotStatus.PUBLISHED, published_by=actor, published_at=now)
    Snapshot.objects.filter(pk__in=ids, confirmed_at__isnull=True).update(confirmed_by=actor, confirmed_at=now)
    record_audit(actor=actor, action="report.publish", target=snap, region_code=snap.node_id,
                 detail={"period": snap.period, "children": len(children)})
    snap.refresh_from_db()
    return snap


def clean_sheet(weights, deductions) -> tuple[dict, dict]:
    """Weights {kpi: points ≥ 0} over known KPIs; deductions {"overdue"|"rework": {"per_case", "cap"}}."""
    if not isinstance(weights, dict) or not weights:
        raise ValidationError(_("请至少为一个指标设置权重。"))
    clean_w: dict[str, float] = {}
    for code, points in weights.items():
        if code not in BY_CODE:
            raise ValidationError(_("未知的指标“%(code)s”。") % {"code": str(code)[:32]})
        try:
            value = float(points)
        except (TypeError, ValueError):
            raise ValidationError(_("指标“%(code)s”的权重须为数字。") % {"code": code}) from None
        if not 0 <= value <= 100:
            raise ValidationError(_("权重须在 0 至 100 之间。"))
        if value:
            clean_w[code] = value
    if sum(clean_w.values()) > 100:
        raise ValidationError(_("各指标权重之和不能超过 100 分。"))
    clean_d: dict[str, dict] = {}
    for rule, spec in (deductions or {}).items():
        if rule not in ("overdue", "rework") or not isinstance(spec, dict):
            raise ValidationError(_("扣分规则只能是超期（overdue）或返工（rework）。"))
        try:
            per, cap = float(spec.get("per_case", 0)), float(spec.get("cap", 0))
        except (TypeError, ValueError):
            raise ValidationError(_("扣分标准和上限须为数字。")) from None
        if per < 0 or cap < 0 or cap > 100:
            raise ValidationError(_("扣分标准和上限须在 0 至 100 之间。"))
        clean_d[rule] = {"per_case": per, "cap": cap}
    return clean_w, clean_d


@transaction.atomic
def do_save_scoring_sheet(
    *, actor: User | None, name: str, weights: dict, deductions: dict, note: str = ""
) -> ScoringSheet:
    """A new version of the scoring sheet `name` (the old versions stay, for replaying past years)."""
    if actor is not None:
        for top in Region.objects.filter(parent__isnull=True).values_list("code", flat=True):
            require(actor, Cap.CONFIGURE, top)
    name = (name or "").strip()[:64]
    if not name:
        raise ValidationError(_("请填写考评细则名称。"))
    weights, deductions = clean_sheet(weights, deductions)
    last = ScoringSheet.objects.select_for_update().filter(name=name).order_by("-version").first()
    sheet = ScoringSheet.objects.create(
        name=name, version=(last.version + 1) if last else 1, weights=weights, deductions=deductions,
        note=(note or "").strip()[:200], created_by=actor,
    )
    record_audit(actor=actor, action="report.scoring_sheet", target=sheet,
                 detail={"name": name, "version": sheet.version, "weights": weights, "deductions": deductions})
    return sheet

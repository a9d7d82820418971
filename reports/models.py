"""Report snapshots (报告快照), their restatements (更正), the cycle runs, and the scoring sheets (考评细则).

A snapshot lives on a territory node (`territory_field = "node__code"`): whoever may see the node
sees its reports, and nothing else.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Region


class SnapshotStatus(models.TextChoices):
    DRAFT = "draft", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    PUBLISHED = "published", _("已发布")


FROZEN = (SnapshotStatus.CONFIRMED, SnapshotStatus.PUBLISHED)


class Snapshot(models.Model):
    """The KPIs of one node over one period, under one definition version.

    A draft may be refreshed by a re-run (nobody has approved its numbers yet). Once confirmed, its
    `kpis` never change again: a re-run that finds other figures appends a Restatement, and the
    pages show the restated figures beside the ones that were approved and published."""

    node = models.ForeignKey(Region, verbose_name=_("区划网格"), on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("报告期"), max_length=8)
    definition_version = models.PositiveSmallIntegerField(_("指标定义版本"))
    kpis = models.JSONField(_("指标值"))
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)
    status = models.CharField(_("状态"), max_length=10, choices=SnapshotStatus.choices, default=SnapshotStatus.DRAFT)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    # The latest restatement's figures (None: never restated): what the pages show as current.
    restated_kpis = models.JSONField(_("更正后指标值"), null=True, blank=True)
    restated_at = models.DateTimeField(_("最近更正时间"), null=True, blank=True)

    territory_field = "node__code"

    class Meta:
        verbose_name = verbose_name_plural = _("报告快照")
        ordering = ["node_id", "period"]
        constraints = [
            models.UniqueConstraint(fields=["node", "period", "definition_version"], name="snapshot_one_per_node_period"),
        ]
        indexes = [models.Index(fields=["period", "definition_version", "node"], name="snapshot_period_node")]

    def __str__(self) -> str:
        return f"{self.node_id} {self.period} v{self.definition_version}"

    @property
    def current(self) -> dict:
        return self.restated_kpis if self.restated_kpis is not None else self.kpis

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN


class Restatement(models.Model):
    """A frozen snapshot's figures found different by a later run (late data): old and new values, why."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="restatements")
    old_kpis = models.JSONField(_("原指标值"))
    new_kpis = models.JSONField(_("新指标值"))
    changes = models.JSONField(_("变化"), help_text=_("{指标: [原值, 新值]}"))
    reason = models.CharField(_("更正原因"), max_length=200)
    at = models.DateTimeField(_("更正时间"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    territory_field = "snapshot__node__code"

    class Meta:
        verbose_name = verbose_name_plural = _("数据更正")
        ordering = ["-at", "-id"]


class CycleRun(models.Model):
    """One run of a period's cycle (all nodes below a root). Its row is the cycle's lock: a run
    takes it FOR UPDATE, so a second worker on the same period waits, then finds the work done."""

    period = models.CharField(_("报告期"), max_length=8)
    root = models.CharField(_("范围"), max_length=15, help_text=_("空：全部区划"), blank=True)
    definition_version = models.PositiveSmallIntegerField(_("指标定义版本"))
    started_at = models.DateTimeField(_("开始"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成"), null=True, blank=True)
    counts = models.JSONField(_("结果"), default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("报告周期运行")
        constraints = [
            models.UniqueConstraint(fields=["period", "root", "definition_version"], name="cycle_run_unique"),
        ]


class ScoringSheet(models.Model):
    """考评细则 kept as data, versioned: an edit is a new version, the old ones stay replayable.

    `weights`: {kpi code: points}; a rate KPI earns points × value / 100 (satisfaction: value / 5),
    capped at the points. `deductions`: {"overdue": {"per_case": 0.5, "cap": 10}, "rework": {…}}:
    points off per late case (not on time) / per rework, up to the cap, each traceable to its cases."""

    name = models.CharField(_("名称"), max_length=64)
    version = models.PositiveSmallIntegerField(_("版本"))
    weights = models.JSONField(_("指标权重"))
    deductions = models.JSONField(_("扣分规则"), default=dict, blank=True)
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("考评细则")
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="scoring_sheet_version")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class RegisterTally(models.Model):
    """The registers at a glance (登记台账总数), one row per territory node and figure: residents,
    key persons by tag, houses, units, party branches and members, 党员中心户, 双报到 members and
    co-building units, counted from everything below the node.

    The dashboards read these rows instead of counting 10 M residents on every page: a node's
    figures and its children's are a few dozen indexed rows at any level. `reports.registers`
    recounts them all (nightly on beat, when a worker starts, and after seed_demo); the pages say
    "截至 <counted_at>"."""

    node = models.ForeignKey(Region, verbose_name=_("区划网格"), on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(_("项目"), max_length=40)
    value = models.BigIntegerField(_("数量"), default=0)
    counted_at = models.DateTimeField(_("统计时间"))

    territory_field = "node__code"

    class Meta:
        verbose_name = verbose_name_plural = _("台账统计")
        constraints = [models.UniqueConstraint(fields=["node", "metric"], name="register_tally_node_metric")]

    def __str__(self) -> str:
        return f"{self.node_id} {self.metric}={self.value}"

"""Cases (事件): one closed loop from 上报 to 评价, with its timeline.

A case lives in a grid (`territory_field = "grid__code"`). `kind` says what a
case is: a plain incident ("case") or something richer built on top of it
(e.g. "dispute", whose extra data lives in a OneToOne model pointing here).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Left
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.models import Department, Region
from governance.roles import CODE_LENGTH, Level


class TimeUnit(models.TextChoices):
    HOURS = "hours", _("工作小时")
    DAYS = "days", _("工作日")


class Stage(models.TextChoices):
    ACCEPT = "accept", _("受理")
    HANDLE = "handle", _("处置")
    VERIFY = "verify", _("核查")


class Category(models.Model):
    """Two-level taxonomy: top categories (parent is null) and their sub-categories."""

    code = models.CharField(_("编码"), max_length=16, unique=True)
    name = models.CharField(_("名称"), max_length=32)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级类别"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("事件类别")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id and self.parent else self.name

    def clean(self) -> None:
        if self.parent_id and self.parent and self.parent.parent_id:
            raise ValidationError({"parent": _("事件类别最多两级。")})


class TimeLimit(models.Model):
    """How long a stage may take for a category. A sub-category without its own uses its parent's."""

    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.CASCADE, related_name="time_limits")
    stage = models.CharField(_("环节"), max_length=8, choices=Stage.choices)
    amount = models.PositiveSmallIntegerField(_("时限"))
    unit = models.CharField(pgettext_lazy("unit of measure", "单位"), max_length=8, choices=TimeUnit.choices, default=TimeUnit.HOURS)

    class Meta:
        verbose_name = verbose_name_plural = _("办理时限")
        constraints = [models.UniqueConstraint(fields=["category", "stage"], name="time_limit_unique_stage")]

    def __str__(self) -> str:
        return f"{self.category} {self.get_stage_display()} {self.amount}{self.get_unit_display()}"


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a holiday on a weekday, or a make-up workday (调休) on a weekend."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("节假日")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    note = models.CharField(_("说明"), max_length=32, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.note}"


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    CRITICAL = "critical", _("特急")


class Status(models.TextChoices):
    REPORTED = "reported", _("已上报")
    ACCEPTED = "accepted", _("已受理")
    REJECTED = "rejected", _("不予受理")
    ASSIGNED = "assigned", _("处置中")
    HANDLED = "handled", _("待核查")
    CLOSED = "closed", _("已结案")
    MERGED = "merged", _("已合并")


OPEN_STATUSES = (Status.REPORTED, Status.ACCEPTED, Status.ASSIGNED, Status.HANDLED)
# Which stage's clock runs in each open status.
STAGE_OF_STATUS = {
    Status.REPORTED: Stage.ACCEPT,
    Status.ACCEPTED: Stage.HANDLE,  # accepted but not yet dispatched: the handling clock already runs
    Status.ASSIGNED: Stage.HANDLE,
    Status.HANDLED: Stage.VERIFY,
}


class Supervision(models.IntegerChoices):
    NONE = 0, _("无")
    YELLOW = 1, _("黄牌督办")
    RED = 2, _("红牌督办")


class CaseKind(models.TextChoices):
    """What a case is. A richer kind keeps its extra data in a OneToOne model on the case and
    tells the loop how it differs through `disputes.kernel.register_kind`."""

    CASE = "case", _("一般事件")
    DISPUTE = "dispute", _("矛盾纠纷")


class Case(models.Model):
    kind = models.CharField(_("事件种类"), max_length=16, choices=CaseKind.choices, default=CaseKind.CASE,
                            db_index=True)
    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="cases")
    urgency = models.CharField(_("紧急程度"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    title = models.CharField(_("标题"), max_length=80)
    description = models.TextField(_("描述"), max_length=2000)
    grid = models.ForeignKey(Region, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="cases")
    address = models.CharField(_("地点"), max_length=120, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    # Registered residents / units involved; `involved` keeps free-text notes on people not in the register.
    involved = models.TextField(_("涉及人员或单位"), max_length=500, blank=True)
    residents = models.ManyToManyField(
        "parties.Resident", verbose_name=_("涉及人员（实有人口）"), blank=True, related_name="cases"
    )
    units = models.ManyToManyField("parties.Unit", verbose_name=_("涉及单位（实有单位）"), blank=True, related_name="cases")
    filer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上报人"), on_delete=models.PROTECT, related_name="filed_cases"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.REPORTED, db_index=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    self_handled = models.BooleanField(_("自处"), default=False)
    # The level responsible for the case now: starts at the community, escalation moves it up.
    level = models.PositiveSmallIntegerField(_("责任层级"), choices=Level.choices, default=Level.COMMUNITY)
    supervision = models.PositiveSmallIntegerField(_("督办"), choices=Supervision.choices, default=Supervision.NONE)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处置人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("处置部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    deadline = models.DateTimeField(_("本环节时限"), null=True, blank=True, db_index=True)
    due_warned_for = models.DateTimeField(_("已提醒的时限"), null=True, blank=True)
    rework_count = models.PositiveSmallIntegerField(_("返工次数"), default=0)
    reject_reason = models.CharField(_("不予受理理由"), max_length=200, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("合并至"), null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    rating = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    rating_note = models.CharField(_("评价"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("上报时间"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    # A dispute's risk level (Dispute.risk_level), copied here so that the mediation desk sorts the
    # disputes in mediation by risk and deadline from one table's index (Dispute.save writes it
    # whenever the risk level is saved; NULL: not a dispute). Never shown or edited from here.
    desk_risk = models.PositiveSmallIntegerField(_("风险等级（调解台排序）"), null=True, blank=True, editable=False)

    territory_field = "grid__code"
    # A street's and a community's cases by their index (Meta.indexes: case_street_newest,
    # case_community_newest): governance.scope.scoped(…, within=code) says such a node this way.
    territory_prefix_indexes = {width: Left("grid_id", width) for width in (CODE_LENGTH[Level.STREET],
                                                                           CODE_LENGTH[Level.COMMUNITY])}

    class Meta:
        verbose_name = verbose_name_plural = _("事件")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="case_status_deadline"),
            models.Index(fields=["grid", "category", "created_at"], name="case_grid_category_created"),
            # The open, overdue and supervision lists of a city or a district, newest first: the open
            # cases are a few per cent of a year's, walked in order without sorting them all.
            models.Index(fields=["-created_at", "-id"], name="case_open_newest",
                         condition=models.Q(status__in=["reported", "accepted", "assigned", "handled"])),
            # The 待办 of a street, a district or a grid: open cases of one status under a territory
            # prefix (LIKE '210801%' needs the pattern operator class), read and sorted by deadline.
            models.Index(fields=["status", "grid", "deadline"], name="case_open_status_grid_deadline",
                         opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "timestamptz_ops"],
                         condition=models.Q(status__in=["reported", "accepted", "assigned", "handled"])),
            # A department's 待办: the cases being handled by it, soonest deadline first.
            models.Index(fields=["department", "deadline"], name="case_handling_department",
                         condition=models.Q(status="assigned")),
            # The reports' overdue stock at a finished period's end (reports.kpis._overdue_at_end): the
            # cases open then, found as `closed_at IS NULL OR closed_at >= end` (a BitmapOr) instead of
            # walking every case filed before the end.
            models.Index(fields=["closed_at"], name="case_closed_at"),
            # The dispute desk: disputes still in mediation under a territory prefix (a city holds a few
            # thousand, a street a few dozen, out of a year's 200,000 disputes).
            models.Index(fields=["grid", "deadline"], name="case_mediation_grid_deadline",
                         opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                         condition=models.Q(kind="dispute", status__in=["reported", "accepted", "assigned"])),
            # The desk's order over the same disputes: the highest risk first, then the soonest deadline.
            # A city's desk walks it and stops after a page; `grid` is in it so that the scope filter and
            # the desk's figures (in mediation / major / overdue) read the index alone.
            models.Index(fields=["-desk_risk", "deadline", "id", "grid"], name="case_desk_risk_deadline",
                         condition=models.Q(kind="dispute", status__in=["reported", "accepted", "assigned"])),
            # The case list of a street, a community or a grid, newest first: the list reads each
            # territory code's slice on its own (disputes.selectors.cases.visible_case_parts, which
            # says a street as `left(grid_id, 9) = …`), and each slice's index is walked in the list's
            # order and left after a page. Through the city's `created_at` index a street officer's
            # page dropped ~19,000 other streets' rows at 2 M cases, a grid worker's two grids were
            # a BitmapOr and a sort (issue 17).
            models.Index(Left("grid_id", CODE_LENGTH[Level.STREET]), models.F("created_at").desc(),
                         models.F("id").desc(), name="case_street_newest"),
            models.Index(Left("grid_id", CODE_LENGTH[Level.COMMUNITY]), models.F("created_at").desc(),
                         models.F("id").desc(), name="case_community_newest"),
            models.Index(fields=["grid", "-created_at", "-id"], name="case_grid_newest"),
            # The supervision batch's pick (disputes.tasks.cases.overdue_to_card: open, overdue, card below
            # red), most overdue first: the open cases not yet red, a few per cent of the open ones once
            # the backlog is carded. Through (status, deadline) the pick read all 45,000 open overdue cases
            # at 2 M (37,000 of them red already) to lock 1,000: 435 ms; through this one, 2 ms.
            models.Index(fields=["deadline", "id"], name="case_to_card",
                         condition=models.Q(status__in=["reported", "accepted", "assigned", "handled"], supervision__lt=2)),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return f"SJ{timezone.localtime(self.created_at):%Y%m%d}{self.pk or 0:06d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.deadline is not None and self.deadline < timezone.now()

    @property
    def stage(self) -> str | None:
        return STAGE_OF_STATUS.get(self.status)

    @property
    def responsible_code(self) -> str:
        """The territory node responsible for the case now (community, street, district or city)."""
        return self.grid_id[: CODE_LENGTH[Level(self.level)]]


class CaseEvent(models.Model):
    """One row of a case's timeline: a transition, assignment, comment, escalation or extension."""

    class Action(models.TextChoices):
        FILE = "file", _("上报")
        SELF_HANDLE = "self_handle", _("自处结案")
        ACCEPT = "accept", _("受理")
        REJECT = "reject", _("不予受理")
        ASSIGN = "assign", _("派遣")
        HANDLE = "handle", _("处置反馈")
        VERIFY_OK = "verify_ok", _("核查通过，结案")
        VERIFY_FAIL = "verify_fail", _("核查未通过，返工")
        RATE = "rate", _("评价")
        COMMENT = "comment", _("备注")
        ESCALATE = "escalate", _("升级")
        SUPERVISE = "supervise", _("督办")
        EXTENSION_REQUEST = "ext_request", _("申请延期")
        EXTENSION_GRANT = "ext_grant", _("同意延期")
        EXTENSION_REFUSE = "ext_refuse", _("不同意延期")
        MERGE = "merge", _("合并重复")
        WARN = "warn", _("即将超期提醒")
        SEND_BACK = "send_back", _("退回（非本部门）")
        CONVERT = "convert", _("转为矛盾纠纷")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=10, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=Status.choices, blank=True)
    note = models.TextField(_("说明"), max_length=2000, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    territory_field = "case__grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("事件办理记录")
        ordering = ["at", "id"]
        indexes = [
            # Supervision cards (and escalations) by time: the reports' overdue stock looks for the cards
            # before a period's end without reading the whole timeline.
            models.Index(fields=["at", "case"], name="caseevent_escalate_at", condition=models.Q(action="escalate")),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_action_display()}"


class CaseDispatch(models.Model):
    """Every time a case was dispatched (派遣) to a person or a department. Department handlers
    and assignees reach a case through these rows, not through the territory: once dispatched
    to them they keep seeing it (read-only once it moved on), for their own history."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="dispatches")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    # A copy of "the case is open" (status in OPEN_STATUSES) on each of its dispatch rows, kept by
    # kernel.save_case / record_dispatch in the action's transaction: the open lists of a department
    # (overdue, supervision, the desk) read the department's still-open cases from the partial
    # indexes below — including those that moved on to another department — instead of matching
    # its dispatches of every year against the city's open cases (bench/README.md, issue 17).
    case_open = models.BooleanField(default=True)

    territory_field = "case__grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("派遣记录")
        indexes = [
            models.Index(fields=["assignee", "case"], name="dispatch_assignee_case"),
            models.Index(fields=["department", "case"], name="dispatch_department_case"),
            models.Index(fields=["department", "case"], condition=models.Q(case_open=True),
                         name="dispatch_department_open_case"),
            models.Index(fields=["assignee", "case"], condition=models.Q(case_open=True),
                         name="dispatch_assignee_open_case"),
        ]


def photo_path(instance: CasePhoto, filename: str) -> str:
    now = timezone.localtime()
    return f"cases/{now:%Y/%m}/{filename}"


class CasePhoto(models.Model):
    """A re-encoded JPEG (no EXIF). Served only through the scoped photo view."""

    class Kind(models.TextChoices):
        REPORT = "report", _("上报照片")
        EVIDENCE = "evidence", _("处置佐证")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos")
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, default=Kind.REPORT)
    image = models.FileField(_("照片"), upload_to=photo_path, max_length=200)
    width = models.PositiveSmallIntegerField(default=0)
    height = models.PositiveSmallIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    territory_field = "case__grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("事件照片")
        ordering = ["uploaded_at", "id"]


class Extension(models.Model):
    """A handler's request for more time (延期); the level above grants or refuses it."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        GRANTED = "granted", _("已同意")
        REFUSED = "refused", _("已驳回")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    days = models.PositiveSmallIntegerField(_("延期工作日"))
    reason = models.CharField(_("理由"), max_length=200)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    territory_field = "case__grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(state="pending"), name="extension_one_pending_per_case"
            )
        ]


class Notice(models.Model):
    """An in-app notice to one user about one case."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("派遣")
        RETURNED = "returned", _("退回返工")
        ESCALATED = "escalated", _("升级督办")
        DUE_SOON = "due_soon", _("即将超期")
        TO_VERIFY = "to_verify", _("待核查")
        CLOSED = "closed", _("已结案")
        SENT_BACK = "sent_back", _("处置部门退回")
        OTHER = "other", _("其他")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_notices")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("事件通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_user_unread")]


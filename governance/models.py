from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.roles import ADMIN_ROLES, CODE_LENGTH, LEVEL_BY_CODE_LENGTH, ROLE_LEVELS, Level, Role


class User(AbstractUser):
    name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # Set when an admin issues an initial (or reset) password; until the user changes it,
    # governance.middleware sends every page to the password-change page.
    must_change_password = models.BooleanField(_("须修改密码"), default=False)
    # When the password was last set (issued or chosen): the age of governance.passwords' expiry rules.
    password_changed_at = models.DateTimeField(_("密码设置时间"), default=timezone.now)
    # The session of the latest sign-in, when only one is allowed (settings.ONE_SESSION_PER_ACCOUNT).
    current_session_key = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("用户")

    def get_full_name(self) -> str:
        return self.name or self.username

    def __str__(self) -> str:
        return self.get_full_name()


class GridType(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("综合网格")
    SCHOOL = "school", _("专属网格（学校）")
    HOSPITAL = "hospital", _("专属网格（医院）")
    ENTERPRISE = "enterprise", _("专属网格（企业）")
    MARKET = "market", _("专属网格（市场）")
    PARK = "park", _("专属网格（园区）")
    OTHER = "other", _("专属网格（其他）")


def validate_region_code(code: str, parent_code: str | None = None) -> int:
    """Check a territory code against its parent's and return its level."""
    if not code or not code.isascii() or not code.isdigit():
        raise ValidationError(_("编码“%(code)s”只能由数字组成。"), params={"code": code}, code="digits")
    level = LEVEL_BY_CODE_LENGTH.get(len(code))
    if level is None:
        raise ValidationError(
            _("编码“%(code)s”有 %(n)s 位：市 4 位、区县 6 位、街道 9 位、社区 12 位、网格 15 位。"),
            params={"code": code, "n": len(code)},
            code="length",
        )
    if level == Level.CITY:
        if parent_code:
            raise ValidationError(_("市级编码不能有上级。"), code="parent")
        return level
    if not parent_code:
        raise ValidationError(
            _("%(level)s“%(code)s”必须有上级编码。"), params={"level": Level(level).label, "code": code}, code="parent"
        )
    if len(parent_code) != CODE_LENGTH[Level(level - 1)]:
        raise ValidationError(
            _("%(level)s的上级应为%(parent)s。"),
            params={"level": Level(level).label, "parent": Level(level - 1).label},
            code="parent_level",
        )
    if not code.startswith(parent_code):
        raise ValidationError(
            _("编码“%(code)s”应以上级编码“%(parent)s”开头。"),
            params={"code": code, "parent": parent_code},
            code="prefix",
        )
    if set(code[len(parent_code):]) == {"0"}:
        raise ValidationError(_("编码“%(code)s”的本级序号不能全为 0。"), params={"code": code}, code="serial")
    return level


class Region(models.Model):
    """A node of the territory tree: city, district, street, community or grid.

    The code is the primary key and a materialised path: everything below a
    node has a code that starts with the node's code. Scoping filters rows by
    that prefix, so every row that lives somewhere stores its grid's code.
    """

    code = models.CharField(_("编码"), max_length=15, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    grid_type = models.CharField(_("网格类型"), max_length=16, choices=GridType.choices, blank=True)
    boundary = models.JSONField(_("边界（GeoJSON）"), null=True, blank=True)
    centre_lat = models.DecimalField(_("中心纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    centre_lng = models.DecimalField(_("中心经度"), max_digits=9, decimal_places=6, null=True, blank=True)

    territory_field = "code"

    class Meta:
        verbose_name = verbose_name_plural = _("区划网格")
        ordering = ["code"]
        # The scope_<capability> permissions that guardian grants on a node are created
        # after migrate from Cap.ALL (governance.apps), so adding a capability needs no migration.

    def __str__(self) -> str:
        return self.name

    @property
    def is_grid(self) -> bool:
        return self.level == Level.GRID

    def ancestor_codes(self) -> list[str]:
        """Codes of the nodes above this one, top first (derived from the code itself)."""
        lengths = [n for lvl, n in sorted(CODE_LENGTH.items()) if lvl < self.level]
        return [self.code[:n] for n in lengths]

    def clean(self) -> None:
        self.level = validate_region_code(self.code, self.parent_id)
        if self.level == Level.GRID and not self.grid_type:
            self.grid_type = GridType.COMPREHENSIVE
        if self.level != Level.GRID and self.grid_type:
            raise ValidationError({"grid_type": _("只有网格才有网格类型。")})
        if self.boundary is not None:
            validate_geojson_polygon(self.boundary)


def validate_geojson_polygon(value) -> None:
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError({"boundary": _("边界须为 GeoJSON Polygon 或 MultiPolygon。")})
    coords = value.get("coordinates")
    if not isinstance(coords, list) or not coords:
        raise ValidationError({"boundary": _("边界缺少坐标。")})


class DepartmentKind(models.TextChoices):
    POLICE = "police", _("派出所")
    JUSTICE = "justice", _("司法所")
    URBAN = "urban", _("城管")
    MARKET = "market", _("市场监管")
    EMERGENCY = "emergency", _("应急管理")
    HOUSING = "housing", _("住建")
    HEALTH = "health", _("卫健")
    CIVIL = "civil", _("民政")
    OTHER = "other", _("其他")


class Department(models.Model):
    """A functional department serving a region (派出所, 司法所, 城管…)."""

    name = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(_("类别"), max_length=16, choices=DepartmentKind.choices)
    region = models.ForeignKey(Region, verbose_name=_("服务区域"), on_delete=models.PROTECT, related_name="departments")

    territory_field = "region__code"

    class Meta:
        verbose_name = verbose_name_plural = _("职能部门")
        ordering = ["region_id", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="department_unique_name_in_region")]

    def __str__(self) -> str:
        return self.name


class RoleAssignment(models.Model):
    """A user holds a role on a territory node. Grid workers hold one per grid they cover."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices)
    region = models.ForeignKey(Region, verbose_name=_("辖区"), on_delete=models.PROTECT, related_name="role_assignments")
    department = models.ForeignKey(
        Department, verbose_name=_("所属部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    granted_at = models.DateTimeField(_("授予时间"), auto_now_add=True)

    territory_field = "region__code"

    class Meta:
        verbose_name = verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region"], name="role_assignment_unique"),
        ]
        indexes = [models.Index(fields=["role", "region"], name="role_assignment_role_region")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.region}"

    def clean(self) -> None:
        allowed = ROLE_LEVELS.get(self.role)
        if allowed is not None and self.region.level not in allowed:
            levels = "、".join(str(Level(lvl).label) for lvl in sorted(allowed))
            raise ValidationError({"region": _("%(role)s只能在%(levels)s一级任职。") % {"role": Role(self.role).label, "levels": levels}})
        if self.role == Role.DEPT_HANDLER and self.department_id is None:
            raise ValidationError({"department": _("职能部门处置人员须指定所属部门。")})
        if self.user_id is not None:
            check_separation_of_duties(self.user_id, self.role, exclude_pk=self.pk)


def check_separation_of_duties(user_id: int, role: str, exclude_pk: int | None = None) -> None:
    """三员分立: one account holds at most one of the administrators' roles (system, security,
    audit), and an audit administrator holds nothing else."""
    held = set(RoleAssignment.objects.filter(user_id=user_id).exclude(pk=exclude_pk).values_list("role", flat=True))
    if role in ADMIN_ROLES and (held & ADMIN_ROLES) - {role}:
        raise ValidationError(
            {"role": _("三员分立：同一账号只能担任系统管理员、安全管理员、审计管理员中的一种。")}, code="separation"
        )
    if (role == Role.AUDIT_ADMIN and held - {role}) or (role != Role.AUDIT_ADMIN and Role.AUDIT_ADMIN in held):
        raise ValidationError({"role": _("三员分立：审计管理员不能兼任其他角色。")}, code="separation")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("成功")
    REFUSED = "refused", _("拒绝")
    FAILED = "failed", _("失败")


class AppendOnly(Exception):
    """An audit row was to be changed or deleted (only the retention job's archive deletes)."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("操作记录只能追加，不能修改。")

    def delete(self):
        raise AppendOnly("操作记录只能追加，不能删除（超过保存期限的记录由归档任务导出后清理）。")

    _raw_delete = delete


class AuditEvent(models.Model):
    """Who did what, when, to what, where, from which address, and with what outcome. Written by
    governance.actions.record_audit only; append-only (no save of an existing row, no delete here;
    on PostgreSQL a trigger refuses UPDATE and DELETE) and chained by hash: each row stores the
    SHA-256 of its canonical content and of the row before it (governance.audit.chain)."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=64)
    target_id = models.CharField(_("对象"), max_length=64)
    region_code = models.CharField(_("所属区划"), max_length=15, db_index=True, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    outcome = models.CharField(_("结果"), max_length=8, choices=Outcome.choices, default=Outcome.SUCCESS, db_index=True)
    address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    # The request (or command, or task) the row was written in: governance.audit.context.
    context = models.JSONField(_("请求上下文"), default=dict, blank=True)
    prev_hash = models.CharField(_("上一条摘要"), max_length=64, blank=True)
    row_hash = models.CharField(_("本条摘要"), max_length=64, blank=True)

    territory_field = "region_code"
    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("操作记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnly("操作记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("操作记录只能追加，不能删除。")


class AuditArchive(models.Model):
    """One run of the retention job: the rows older than the retention period, exported to a
    compressed file with the chain's hashes, then deleted (governance.audit.retention)."""

    at = models.DateTimeField(_("归档时间"), default=timezone.now)
    file_name = models.CharField(_("归档文件"), max_length=255)
    first_id = models.BigIntegerField(_("起始编号"))
    last_id = models.BigIntegerField(_("截止编号"))
    rows = models.PositiveIntegerField(_("条数"))
    before = models.DateTimeField(_("早于"))
    # The hash of the last archived row: the next row's prev_hash, where verification starts.
    head_hash = models.CharField(_("链头摘要"), max_length=64)
    file_sha256 = models.CharField(_("文件摘要"), max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = _("操作记录归档")
        ordering = ["-last_id"]

    def __str__(self) -> str:
        return self.file_name


class PeriodicJob(models.Model):
    """The last run of each periodic (Celery beat) task, written by the worker around every run
    (governance.celery), so the system page can say which job ran when and which is late."""

    name = models.CharField(_("任务"), max_length=200, primary_key=True)
    last_started_at = models.DateTimeField(_("最近开始"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("最近结束"), null=True, blank=True)
    last_succeeded = models.BooleanField(_("最近是否成功"), null=True, blank=True)
    # The exception's class only: a message could carry personal data.
    last_error = models.CharField(_("最近错误"), max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("定时任务运行记录")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OutboxTask(models.Model):
    """A Celery task queued by a write, written in the write's own transaction (governance.outbox):
    the task is sent once the write has committed, and the row deleted once a worker has run it. A
    row never sent (Redis was down, the process died after the commit), or sent long ago and never
    run (Redis restarted and lost it), is sent by the relay (governance.tasks.relay_outbox: every
    30 s on beat, and when a worker starts)."""

    task = models.CharField(_("任务"), max_length=200)
    args = models.JSONField(_("参数"), default=list)
    kwargs = models.JSONField(_("关键字参数"), default=dict)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(_("发送失败次数"), default=0)
    # The exception's class and the broker's message (no task arguments: they may name a person).
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("待发送任务")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"


class WorkerHeartbeat(models.Model):
    """Written by the Celery worker, so the system page can show that background work runs."""

    at = models.DateTimeField(auto_now_add=True)
    hostname = models.CharField(max_length=128)

    class Meta:
        ordering = ["-at"]


class PasswordHistory(models.Model):
    """The hashes of a user's latest passwords (governance.passwords.PasswordHistoryValidator): a new
    password may be none of them. Hashes only, as the password field itself."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = _("历史密码")
        ordering = ["-set_at", "-id"]
        indexes = [models.Index(fields=["user", "-set_at"], name="password_history_user")]


class ApiToken(models.Model):
    """A per-user API token (issue 15). Only the SHA-256 digest of the secret is stored; the
    token itself (`ggt_<prefix>_<secret>`) is shown once, when it is issued. The prefix is kept
    in clear so that a token can be recognised in lists and logs without being usable."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=64, blank=True)
    prefix = models.CharField(_("前缀"), max_length=12, unique=True)
    digest = models.CharField(_("摘要"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("签发人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, verbose_name=_("吊销人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = _("API 令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"ggt_{self.prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

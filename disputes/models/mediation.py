"""Disputes (矛盾纠纷): a case with parties, a dispute type, risk, mediation and follow-up.

A Dispute is a OneToOne extension of a Case (its primary key is the case), so it
shares the case's loop, timeline, deadlines and scope (the case's grid). Rows that
hang off a dispute declare their territory through the case's grid.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.models import Region
from parties.pii import decrypt


class DisputeType(models.Model):
    """Configurable list of dispute types (婚姻家庭继承, 邻里, 物业…)."""

    code = models.CharField(_("编码"), max_length=16, unique=True)
    name = models.CharField(_("名称"), max_length=32)
    is_active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("纠纷类型")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class Source(models.TextChoices):
    PATROL = "patrol", _("网格排查")
    VISIT = "visit", _("群众来访")
    COURT = "court", _("法院委派（诉调）")
    POLICE = "police", _("公安移交（警调）")
    PETITION = "petition", _("信访转交（访调）")
    DEPARTMENT = "department", _("其他部门移交")


class RiskLevel(models.IntegerChoices):
    GENERAL = 1, _("一般")
    MAJOR = 2, _("较大")
    SEVERE = 3, _("重大")


class Outcome(models.TextChoices):
    PENDING = "pending", _("调解中")
    SETTLED = "settled", _("调解成功")
    REFERRED = "referred", _("调解不成，已移交")
    # The agreement did not hold (核查不通过, or a follow-up visit found it broken): back in
    # mediation, and no longer counted as a success, until it is settled or referred again.
    BROKEN = "broken", _("协议未履行，待重新调解")


class ReferralTarget(models.TextChoices):
    COURT = "court", _("人民法院（诉讼）")
    ARBITRATION = "arbitration", _("仲裁机构")
    DEPARTMENT = "department", _("行政主管部门")
    PETITION = "petition", _("信访部门")
    OTHER = "other", _("其他渠道")


class Dispute(models.Model):
    case = models.OneToOneField(
        "disputes.Case", verbose_name=_("事件"), primary_key=True, on_delete=models.CASCADE, related_name="dispute"
    )
    dispute_type = models.ForeignKey(DisputeType, verbose_name=_("纠纷类型"), on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices, default=Source.PATROL)
    source_detail = models.CharField(_("移交单位及文号"), max_length=120, blank=True)
    people_count = models.PositiveIntegerField(_("涉及人数"), default=2)
    amount = models.DecimalField(_("涉及金额（元）"), max_digits=14, decimal_places=2, default=0)
    threat_violence = models.BooleanField(_("有暴力冲突苗头"), default=False)
    threat_petition = models.BooleanField(_("有群体上访或越级上访苗头"), default=False)
    risk_level = models.PositiveSmallIntegerField(_("风险等级"), choices=RiskLevel.choices, default=RiskLevel.GENERAL)
    risk_reasons = models.JSONField(_("风险评估依据"), default=list, blank=True)
    risk_assessed_at = models.DateTimeField(_("风险评估时间"), null=True, blank=True)
    # Mediation clock (calendar days): starts at filing, one month by default; court-referred
    # disputes get 30 days, extendable once by 30.
    mediation_due = models.DateTimeField(_("调解期限"), null=True, blank=True)
    extended = models.BooleanField(_("已延长调解期限"), default=False)
    outcome = models.CharField(_("调解结果"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    # 调解成功: the agreement (人民调解协议书)
    agreement_no = models.CharField(_("协议书编号"), max_length=32, blank=True)
    facts = models.TextField(_("纠纷主要事实、争议事项"), max_length=3000, blank=True)
    terms = models.TextField(_("达成协议的内容"), max_length=3000, blank=True)
    performance = models.CharField(_("履行方式"), max_length=200, blank=True)
    performance_due = models.DateField(_("履行期限"), null=True, blank=True)
    settled_at = models.DateTimeField(_("调解成功时间"), null=True, blank=True)
    # 调解不成: the hand-off
    referred_to = models.CharField(_("移交去向"), max_length=12, choices=ReferralTarget.choices, blank=True)
    referred_to_name = models.CharField(_("接收单位"), max_length=80, blank=True)
    referral_note = models.TextField(_("移交说明"), max_length=1000, blank=True)
    referred_at = models.DateTimeField(_("移交时间"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重新调解次数"), default=0)

    territory_field = "case__grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("矛盾纠纷")
        indexes = [models.Index(fields=["risk_level", "outcome"], name="dispute_risk_outcome")]

    def __str__(self) -> str:
        return str(self.case)

    def save(self, *args, **kwargs) -> None:
        """Saving the risk level (a full save, or one whose update_fields name it) copies it to the
        case's desk_risk, the mediation desk's sort key, in the same transaction: one UPDATE more.
        Every write of the level goes through here (QuerySet.update and bulk_create would not:
        disputes/tests/test_desk_risk_copy.py fails on a new write of risk_level it does not know)."""
        super().save(*args, **kwargs)
        fields = kwargs.get("update_fields")
        if fields is None or "risk_level" in fields:
            from disputes.models.cases import Case

            Case.objects.filter(pk=self.case_id).update(desk_risk=self.risk_level)
            if Dispute.case.is_cached(self):
                self.case.desk_risk = self.risk_level

    @property
    def number(self) -> str:
        return f"JF{timezone.localtime(self.case.created_at):%Y%m%d}{self.pk:06d}"

    @property
    def in_register(self) -> bool:
        return self.risk_level >= RiskLevel.MAJOR


class PartySide(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")
    THIRD = "third", _("第三人")  # 与纠纷处理结果有利害关系的第三人


class PartyKind(models.TextChoices):
    PERSON = "person", _("自然人")
    UNIT = "unit", pgettext_lazy("organisation (a registered work unit)", "单位")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HK_MACAO = "hk_macao", _("港澳居民来往内地通行证")
    TAIWAN = "taiwan", _("台湾居民来往大陆通行证")
    CREDIT_CODE = "credit_code", _("统一社会信用代码")
    OTHER = "other", _("其他证件")


class Party(models.Model):
    """A party to a dispute. Either a registered resident / unit (`resident` / `unit`: name, ID and
    phone come from the register, nothing of it is copied here), or a person entered by hand, whose
    ID number and phone are stored encrypted here; pages show them masked."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField(_("身份"), max_length=10, choices=PartySide.choices)
    kind = models.CharField(_("类型"), max_length=8, choices=PartyKind.choices, default=PartyKind.PERSON)
    name = models.CharField(_("姓名或名称"), max_length=64)
    id_type = models.CharField(_("证件类型"), max_length=12, choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number_enc = models.TextField(_("证件号码（加密）"), blank=True)
    id_number_masked = models.CharField(_("证件号码（脱敏）"), max_length=40, blank=True)
    phone_enc = models.TextField(_("联系电话（加密）"), blank=True)
    phone_masked = models.CharField(_("联系电话（脱敏）"), max_length=20, blank=True)
    address = models.CharField(_("住址"), max_length=120, blank=True)
    sort = models.PositiveSmallIntegerField(default=0)
    resident = models.ForeignKey(
        "parties.Resident", verbose_name=_("实有人口"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="dispute_parties",
    )
    unit = models.ForeignKey(
        "parties.Unit", verbose_name=_("实有单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="dispute_parties",
    )

    territory_field = "dispute__case__grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("纠纷当事人")
        ordering = ["side", "sort", "id"]

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.display_name}"

    @property
    def display_name(self) -> str:
        if self.resident_id:
            return self.resident.name
        if self.unit_id:
            return self.unit.name
        return self.name

    def shown_id_number(self, plain: bool = False) -> str:
        """The ID number, masked unless `plain` (callers record the reveal)."""
        if self.resident_id:
            return self.resident.id_number if plain else self.resident.id_number_masked
        if self.unit_id:
            return self.unit.credit_code or ""
        return decrypt(self.id_number_enc) if plain else self.id_number_masked

    def shown_phone(self, plain: bool = False) -> str:
        if self.resident_id:
            return self.resident.phone if plain else self.resident.phone_masked
        if self.unit_id:
            return self.unit.contact_phone if plain else self.unit.contact_phone_masked
        return decrypt(self.phone_enc) if plain else self.phone_masked

    @property
    def has_pii(self) -> bool:
        if self.resident_id:
            return True
        if self.unit_id:
            return bool(self.unit.contact_phone_encrypted)
        return bool(self.id_number_enc or self.phone_enc)


class MediationCommittee(models.Model):
    """人民调解委员会 of a street or community."""

    name = models.CharField(_("名称"), max_length=64)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")

    territory_field = "region__code"

    class Meta:
        verbose_name = verbose_name_plural = _("人民调解委员会")
        ordering = ["region_id", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="committee_unique_name")]

    def __str__(self) -> str:
        return self.name


class MediationRoom(models.Model):
    class Kind(models.TextChoices):
        ROOM = "room", _("调解室")
        NAMED = "named", _("品牌调解室")
        LEGAL_CLINIC = "clinic", _("法律诊所")

    committee = models.ForeignKey(MediationCommittee, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, default=Kind.ROOM)
    address = models.CharField(_("地址"), max_length=120, blank=True)
    hours = models.CharField(_("开放时间"), max_length=120, blank=True)

    territory_field = "committee__region__code"

    class Meta:
        verbose_name = verbose_name_plural = _("调解室")
        ordering = ["committee_id", "name"]

    def __str__(self) -> str:
        return self.name


class Mediator(models.Model):
    committee = models.ForeignKey(MediationCommittee, on_delete=models.CASCADE, related_name="mediators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mediator_posts")
    title = models.CharField(_("身份"), max_length=32, blank=True, help_text=_("如：专职调解员、老党员、律师"))

    territory_field = "committee__region__code"

    class Meta:
        verbose_name = verbose_name_plural = _("调解员")
        constraints = [models.UniqueConstraint(fields=["committee", "user"], name="mediator_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.committee}"


class MediationSession(models.Model):
    """A mediation meeting: scheduled first, then recorded (who attended, what each side said, what was agreed)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="sessions")
    at = models.DateTimeField(_("时间"), db_index=True)
    room = models.ForeignKey(
        MediationRoom, verbose_name=_("调解室"), null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    place = models.CharField(_("地点"), max_length=120, blank=True)
    mediators = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("调解员"), related_name="mediation_sessions")
    attendees = models.CharField(_("参加人员"), max_length=300, blank=True)
    applicant_statement = models.TextField(_("申请人陈述"), max_length=2000, blank=True)
    respondent_statement = models.TextField(_("被申请人陈述"), max_length=2000, blank=True)
    agreed = models.TextField(_("达成的意见"), max_length=2000, blank=True)
    held = models.BooleanField(_("已召开"), default=False)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True)

    territory_field = "dispute__case__grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("调解记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.at:%Y-%m-%d %H:%M}"


class RiskEntry(models.Model):
    """风险入库: a 较大/重大 dispute in the risk register, with its owner, responsibility and
    measures (定人、定责、定措施) and review dates, until the risk is closed."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="risk_entries")
    grid = models.ForeignKey(Region, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("风险等级"), choices=RiskLevel.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("责任人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="risk_entries",
    )
    responsibility = models.CharField(_("责任分工"), max_length=200, blank=True)
    measures = models.TextField(_("稳控化解措施"), max_length=2000, blank=True)
    next_review = models.DateField(_("下次研判日期"), null=True, blank=True, db_index=True)
    opened_at = models.DateTimeField(_("入库时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_note = models.CharField(_("销号说明"), max_length=200, blank=True)

    territory_field = "grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("风险台账")
        ordering = ["-level", "next_review", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute"], condition=models.Q(closed_at__isnull=True), name="risk_entry_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.get_level_display()}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def review_overdue(self) -> bool:
        return self.is_open and self.next_review is not None and self.next_review < timezone.localdate()


class RiskReview(models.Model):
    entry = models.ForeignKey(RiskEntry, on_delete=models.CASCADE, related_name="reviews")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("研判情况"), max_length=1000)
    next_review = models.DateField(_("下次研判日期"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("风险研判记录")
        ordering = ["at", "id"]


class FollowUp(models.Model):
    """回访: after settlement, a visit checks whether the agreement holds."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="follow_ups")
    due = models.DateField(_("回访日期"), db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("回访人"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    reminded_at = models.DateTimeField(_("已提醒"), null=True, blank=True)
    done_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    holds = models.BooleanField(_("协议履行良好"), null=True)
    note = models.CharField(_("回访情况"), max_length=500, blank=True)
    cancelled = models.BooleanField(_("已取消"), default=False)

    territory_field = "dispute__case__grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("回访")
        ordering = ["due", "id"]
        indexes = [models.Index(fields=["done_at", "cancelled", "due"], name="followup_pending_due")]

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.due}"

    @property
    def is_pending(self) -> bool:
        return self.done_at is None and not self.cancelled


class RiskCriterion(models.Model):
    """A configurable rule of the risk assessment: when it matches, the dispute is at least `level`."""

    class Measure(models.TextChoices):
        PEOPLE = "people", _("涉及人数不少于")
        AMOUNT = "amount", _("涉及金额（元）不少于")
        VIOLENCE = "violence", _("有暴力冲突苗头")
        PETITION = "petition", _("有群体上访或越级上访苗头")
        TYPE = "type", _("属于纠纷类型")

    name = models.CharField(_("名称"), max_length=64)
    measure = models.CharField(_("判断依据"), max_length=10, choices=Measure.choices)
    threshold = models.DecimalField(_("阈值"), max_digits=14, decimal_places=2, null=True, blank=True)
    dispute_type = models.ForeignKey(
        DisputeType, verbose_name=_("纠纷类型"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("风险等级"), choices=RiskLevel.choices)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = verbose_name_plural = _("风险评估标准")
        ordering = ["-level", "measure", "threshold"]

    def __str__(self) -> str:
        return self.name

    def matches(self, dispute: Dispute) -> bool:
        m = self.Measure
        if self.measure == m.PEOPLE:
            return self.threshold is not None and dispute.people_count >= self.threshold
        if self.measure == m.AMOUNT:
            return self.threshold is not None and dispute.amount >= self.threshold
        if self.measure == m.VIOLENCE:
            return dispute.threat_violence
        if self.measure == m.PETITION:
            return dispute.threat_petition
        if self.measure == m.TYPE:
            return self.dispute_type_id is not None and dispute.dispute_type_id == self.dispute_type_id
        return False

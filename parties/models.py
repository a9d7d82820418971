"""The registers (实有人口、实有房屋、实有单位) and the party organisation (党建“红网格”).

Every row lives in a grid (`grid` → governance.Region, level 5) and is scoped by
its code (`territory_field = "grid__code"`). Community-level rows (双报到,
共驻共建, 联席会) live on a community node instead (`community__code`).

ID numbers and phones are stored encrypted (`*_encrypted`, AES-256-GCM, see parties.pii) with a keyed
hash (`*_hash`) for exact look-up; pages show the masked values (`*_masked`). Each token is bound to
its row and column (`pii_bindings`: encrypted column → the column whose value is the binding key),
so a token copied elsewhere does not decrypt and the page shows pii.UNREADABLE instead.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Region
from parties import pii


class HouseUse(models.TextChoices):
    OWNER = "owner", _("自住")
    RENTED = "rented", _("出租")
    VACANT = "vacant", _("空置")
    COMMERCIAL = "commercial", _("商用")
    MIXED = "mixed", _("商住两用")
    OTHER = "other", _("其他")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class PoliticalStatus(models.TextChoices):
    MASSES = "masses", _("群众")
    CPC_MEMBER = "cpc_member", _("中共党员")
    CPC_PROBATIONARY = "cpc_probationary", _("中共预备党员")
    CYL_MEMBER = "cyl_member", _("共青团员")
    DEMOCRATIC_PARTY = "democratic_party", _("民主党派")
    NON_PARTY = "non_party", _("无党派人士")


class ResidencyType(models.TextChoices):
    REGISTERED = "registered", _("户籍人口")
    FLOATING = "floating", _("流动人口")
    OVERSEAS = "overseas", _("境外人员")


class TagKind(models.TextChoices):
    KEY_PERSON = "key_person", _("重点人员")
    COMMUNITY_CORRECTION = "community_correction", _("社区矫正人员")
    RELEASED_PRISONER = "released_prisoner", _("刑满释放人员")
    SEVERE_MENTAL_ILLNESS = "severe_mental_illness", _("严重精神障碍患者")
    DRUG_USER = "drug_user", _("吸毒人员")
    KEY_YOUTH = "key_youth", _("重点青少年")
    LEFT_BEHIND_ELDERLY = "left_behind_elderly", _("留守老人")
    LEFT_BEHIND_CHILD = "left_behind_child", _("留守儿童")
    EMPTY_NEST_ELDERLY = "empty_nest_elderly", _("空巢老人")
    DISABLED = "disabled", _("残疾人")
    SUBSISTENCE = "subsistence", _("低保户")
    PETITIONER = "petitioner", _("信访人员")
    VETERAN = "veteran", _("退役军人")


# Other ways rosters write the tags (the labels themselves and the keys are accepted too).
TAG_ALIASES = {
    "社区矫正": TagKind.COMMUNITY_CORRECTION,
    "社区矫正对象": TagKind.COMMUNITY_CORRECTION,
    "刑满释放": TagKind.RELEASED_PRISONER,
    "安置帮教": TagKind.RELEASED_PRISONER,
    "严重精神障碍": TagKind.SEVERE_MENTAL_ILLNESS,
    "精神障碍患者": TagKind.SEVERE_MENTAL_ILLNESS,
    "吸毒": TagKind.DRUG_USER,
    "社区戒毒": TagKind.DRUG_USER,
    "留守": TagKind.LEFT_BEHIND_ELDERLY,
    "留守人员": TagKind.LEFT_BEHIND_ELDERLY,
    "空巢": TagKind.EMPTY_NEST_ELDERLY,
    "残疾": TagKind.DISABLED,
    "低保": TagKind.SUBSISTENCE,
    "低保对象": TagKind.SUBSISTENCE,
    "重点青少年群体": TagKind.KEY_YOUTH,
}


def tag_from_label(text: str) -> str | None:
    """The TagKind key for a roster's tag text (key, label or alias), or None."""
    text = (text or "").strip()
    if text in TagKind.values:
        return text
    for key, label in TagKind.choices:
        if text == str(label):
            return key
    alias = TAG_ALIASES.get(text)
    return str(alias) if alias else None


# Sensitive personal information (个人信息保护法 §28: health, criminal records): these tags are shown
# only to those holding Cap.VIEW_SENSITIVE_TAGS over the resident's grid — on pages, lists, filters,
# exports and the API (parties.selectors.visible_tags_q / visible_tag_choices).
SENSITIVE_TAGS = frozenset(
    {
        TagKind.COMMUNITY_CORRECTION,
        TagKind.RELEASED_PRISONER,
        TagKind.SEVERE_MENTAL_ILLNESS,
        TagKind.DRUG_USER,
    }
)

# Tags that mark a "special group" (特殊人群) as opposed to a care group.
SPECIAL_GROUP_TAGS = frozenset(
    {
        TagKind.KEY_PERSON,
        TagKind.COMMUNITY_CORRECTION,
        TagKind.RELEASED_PRISONER,
        TagKind.SEVERE_MENTAL_ILLNESS,
        TagKind.DRUG_USER,
        TagKind.KEY_YOUTH,
        TagKind.PETITIONER,
    }
)


class UnitKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    SHOP = "shop", _("商铺（个体工商户）")
    SCHOOL = "school", _("学校")
    HOSPITAL = "hospital", _("医疗机构")
    RESIDENT_UNIT = "resident_unit", _("驻区单位")
    SOCIAL_ORG = "social_org", _("社会组织")
    GOVERNMENT = "government", _("机关事业单位")
    OTHER = "other", _("其他")


def grid_fk(related_name: str, *, db_index: bool = True) -> models.ForeignKey:
    return models.ForeignKey(
        Region, verbose_name=_("所属网格"), on_delete=models.PROTECT, related_name=related_name, db_index=db_index
    )


class Building(models.Model):
    grid = grid_fk("buildings")
    name = models.CharField(_("楼栋"), max_length=64)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    floors = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)

    territory_field = "grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("楼栋")
        ordering = ["grid_id", "name"]
        constraints = [models.UniqueConstraint(fields=["grid", "name"], name="building_unique_name_in_grid")]

    def __str__(self) -> str:
        return self.name


class House(models.Model):
    grid = grid_fk("houses", db_index=False)  # house_grid_id below serves equality and prefix
    building = models.ForeignKey(
        Building, verbose_name=_("楼栋"), on_delete=models.PROTECT, related_name="houses",
        db_index=False,  # the unique (building, unit_no, room) index starts with it
    )
    unit_no = models.CharField(_("单元"), max_length=16, blank=True, help_text=_("如“5单元”"))
    room = models.CharField(_("房号"), max_length=16, help_text=_("如“104”"))
    use = models.CharField(_("房屋用途"), max_length=16, choices=HouseUse.choices, default=HouseUse.OWNER)
    area = models.DecimalField(_("面积（㎡）"), max_digits=8, decimal_places=2, null=True, blank=True)
    owner_name = models.CharField(_("产权人"), max_length=64, blank=True)
    note = models.TextField(_("备注"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    territory_field = "grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("房屋")
        ordering = ["building_id", "unit_no", "room"]
        constraints = [
            models.UniqueConstraint(fields=["building", "unit_no", "room"], name="house_unique_room_in_building")
        ]
        indexes = [
            models.Index(fields=["grid", "id"], name="house_grid_id", opclasses=["varchar_pattern_ops", "int8_ops"]),
        ]

    def __str__(self) -> str:
        return self.address

    @property
    def address(self) -> str:
        return f"{self.building.name}{self.unit_no}{self.room}"


class Household(models.Model):
    """A household (户) living in a house; residents point at it with their relation to the head."""

    grid = grid_fk("households")
    house = models.ForeignKey(
        House, verbose_name=_("房屋"), null=True, blank=True, on_delete=models.SET_NULL, related_name="households"
    )
    number = models.CharField(_("户号"), max_length=32, blank=True)
    head_name = models.CharField(_("户主姓名"), max_length=64, blank=True)

    territory_field = "grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("家庭户")

    def __str__(self) -> str:
        return self.head_name or self.number or f"户 {self.pk}"


class Resident(models.Model):
    # Indexes are few on purpose: a city imports millions of residents, and every index costs
    # each insert. The grid is served by resident_grid_id (equality and prefix), the keyed
    # hashes by byte-wise (pattern_ops) indexes without Django's extra "_like" twins.
    grid = grid_fk("residents", db_index=False)
    house = models.ForeignKey(
        House, verbose_name=_("居住房屋"), null=True, blank=True, on_delete=models.SET_NULL, related_name="residents"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("家庭户"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members",
        db_index=False,  # resident_household below: most residents have none
    )
    relation_to_head = models.CharField(_("与户主关系"), max_length=16, blank=True)
    name = models.CharField(_("姓名"), max_length=64)
    id_number_encrypted = models.TextField(_("公民身份号码（密文）"))
    id_number_hash = models.CharField(_("公民身份号码（检索哈希）"), max_length=64)  # unique: resident_unique_id_number
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    phone_encrypted = models.TextField(_("联系电话（密文）"), blank=True)
    phone_hash = models.CharField(_("联系电话（检索哈希）"), max_length=64, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=16, default="汉族")
    political_status = models.CharField(
        _("政治面貌"), max_length=20, choices=PoliticalStatus.choices, default=PoliticalStatus.MASSES
    )
    residency_type = models.CharField(
        _("人口类型"), max_length=16, choices=ResidencyType.choices, default=ResidencyType.REGISTERED
    )
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    territory_field = "grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("实有人口")
        ordering = ["-id"]
        indexes = [
            # Scope (grid code prefix) + newest first: the list's keyset order.
            models.Index(fields=["grid", "id"], name="resident_grid_id", opclasses=["varchar_pattern_ops", "int8_ops"]),
            # Name prefix search, in keyset order.
            models.Index(fields=["name", "id"], name="resident_name_id", opclasses=["varchar_pattern_ops", "int8_ops"]),
            models.Index(fields=["phone_hash"], name="resident_phone_hash", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["household"], name="resident_household", condition=models.Q(household__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], name="resident_unique_id_number",
                                    opclasses=["varchar_pattern_ops"]),
        ]

    # Both tokens are bound to the resident's ID-number blind index: unique, and known before the
    # row is inserted (a roster import writes thousands of rows at once, before they have a pk).
    pii_bindings = {"id_number_encrypted": "id_number_hash", "phone_encrypted": "id_number_hash"}

    def __str__(self) -> str:
        return self.name

    def pii_aad(self, field: str) -> bytes:
        return pii.aad(Resident, field, getattr(self, self.pii_bindings[field]))

    def _plain(self, field: str) -> str:
        token = getattr(self, field)
        return pii.readable(token, aad=self.pii_aad(field), what=f"resident {self.pk} {field}") if token else ""

    def _masked(self, field: str, mask) -> str:
        token = getattr(self, field)
        return pii.masked(token, mask, aad=self.pii_aad(field), what=f"resident {self.pk} {field}") if token else ""

    # Plain values: decrypt on demand. Never put these in a page without a recorded reveal.
    # A token that does not belong to this row gives pii.UNREADABLE.
    @property
    def id_number(self) -> str:
        return self._plain("id_number_encrypted")

    @property
    def phone(self) -> str:
        return self._plain("phone_encrypted")

    @property
    def id_number_masked(self) -> str:
        return self._masked("id_number_encrypted", pii.mask_id_number)

    @property
    def phone_masked(self) -> str:
        return self._masked("phone_encrypted", pii.mask_phone)

    @property
    def birth_year(self) -> str:
        """What pages show of the birth date to everyone: the year (see pii.birth_year_label)."""
        return pii.birth_year_label(self.birth_date, timezone.localdate())


class ResidentTag(models.Model):
    """One tag on one resident: who set it and when; removing it keeps the row (history)."""

    resident = models.ForeignKey(Resident, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(_("标签"), max_length=32, choices=TagKind.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("标记人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(_("标记时间"), auto_now_add=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("撤销人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    removed_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    territory_field = "resident__grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("人员标签")
        ordering = ["-set_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "tag"], condition=Q(removed_at__isnull=True), name="resident_tag_one_active"
            )
        ]
        indexes = [models.Index(fields=["tag", "removed_at"], name="resident_tag_kind")]

    def __str__(self) -> str:
        return self.get_tag_display()

    @property
    def active(self) -> bool:
        return self.removed_at is None


class Unit(models.Model):
    """A unit (实有单位): enterprise, shop, school, 驻区单位, social organisation…"""

    grid = grid_fk("units")
    name = models.CharField(_("单位名称"), max_length=128, db_index=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True)
    kind = models.CharField(_("单位类别"), max_length=16, choices=UnitKind.choices, default=UnitKind.ENTERPRISE)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    building = models.ForeignKey(
        Building, verbose_name=_("所在楼栋"), null=True, blank=True, on_delete=models.SET_NULL, related_name="units"
    )
    legal_person = models.CharField(_("法定代表人/负责人"), max_length=64, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone_encrypted = models.TextField(_("联系电话（密文）"), blank=True)
    contact_phone_hash = models.CharField(_("联系电话（检索哈希）"), max_length=64, blank=True, db_index=True)
    employees = models.PositiveIntegerField(_("从业人数"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    territory_field = "grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("实有单位")
        ordering = ["name"]

    # Bound to the phone's own blind index: a unit has no other key before it is inserted (the
    # credit code is optional), and rosters insert units in batches.
    pii_bindings = {"contact_phone_encrypted": "contact_phone_hash"}

    def __str__(self) -> str:
        return self.name

    def pii_aad(self, field: str) -> bytes:
        return pii.aad(Unit, field, getattr(self, self.pii_bindings[field]))

    @property
    def contact_phone(self) -> str:
        if not self.contact_phone_encrypted:
            return ""
        return pii.readable(self.contact_phone_encrypted, aad=self.pii_aad("contact_phone_encrypted"),
                            what=f"unit {self.pk} contact_phone")

    @property
    def contact_phone_masked(self) -> str:
        if not self.contact_phone_encrypted:
            return ""
        return pii.masked(self.contact_phone_encrypted, pii.mask_phone, aad=self.pii_aad("contact_phone_encrypted"),
                          what=f"unit {self.pk} contact_phone")


# ---- Party organisation (党建“红网格”) -------------------------------------------------


class PartyBranch(models.Model):
    """A grid party branch (网格党支部): one per grid (一格一支部)."""

    grid = models.OneToOneField(Region, verbose_name=_("所属网格"), on_delete=models.PROTECT, related_name="party_branch")
    name = models.CharField(_("支部名称"), max_length=128)
    secretary = models.ForeignKey(
        Resident, verbose_name=_("支部书记"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)

    territory_field = "grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("网格党支部")
        ordering = ["grid_id"]

    def __str__(self) -> str:
        return self.name


class PartyGroup(models.Model):
    """A building party group (楼院党小组) under a grid branch."""

    grid = grid_fk("party_groups")
    branch = models.ForeignKey(PartyBranch, verbose_name=_("所属支部"), on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("党小组名称"), max_length=128)
    building = models.ForeignKey(
        Building, verbose_name=_("楼院"), null=True, blank=True, on_delete=models.SET_NULL, related_name="party_groups"
    )
    leader = models.ForeignKey(
        Resident, verbose_name=_("党小组长"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    territory_field = "grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("楼院党小组")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartyMember(models.Model):
    """A resident's party details (党员)."""

    grid = grid_fk("party_members")
    resident = models.OneToOneField(Resident, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="party_member")
    branch = models.ForeignKey(
        PartyBranch, verbose_name=_("所属支部"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    group = models.ForeignKey(
        PartyGroup, verbose_name=_("党小组"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    probationary = models.BooleanField(_("预备党员"), default=False)
    role = models.CharField(_("党内职务"), max_length=32, blank=True)

    territory_field = "grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("党员")

    def __str__(self) -> str:
        return self.resident.name


class PartyCenterHousehold(models.Model):
    """A party-member household (党员中心户) that links the households around it."""

    grid = grid_fk("party_center_households")
    member = models.ForeignKey(PartyMember, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="center_households")
    house = models.ForeignKey(House, verbose_name=_("房屋"), on_delete=models.CASCADE, related_name="+")
    linked_houses = models.ManyToManyField(House, verbose_name=_("联系户"), blank=True, related_name="party_center")

    territory_field = "grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("党员中心户")

    def __str__(self) -> str:
        return f"{self.member} · {self.house}"


def community_fk(related_name: str) -> models.ForeignKey:
    return models.ForeignKey(Region, verbose_name=_("报到社区"), on_delete=models.PROTECT, related_name=related_name)


class InServiceMember(models.Model):
    """An in-service party member registered with a community (双报到)."""

    community = community_fk("in_service_members")
    grid = models.ForeignKey(
        Region, verbose_name=_("服务网格"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=64)
    employer = models.CharField(_("工作单位"), max_length=128)
    party_org = models.CharField(_("所在党组织"), max_length=128, blank=True)
    phone_encrypted = models.TextField(_("联系电话（密文）"), blank=True)
    registered_on = models.DateField(_("报到日期"))
    service = models.CharField(_("认领服务"), max_length=200, blank=True)

    territory_field = "community__code"

    class Meta:
        verbose_name = verbose_name_plural = _("在职党员双报到")
        ordering = ["-registered_on", "name"]

    # No blind index here: the token is bound to the pk, so it is written just after the insert
    # (parties.actions.do_register_in_service_member; these rows are registered one at a time).
    pii_bindings = {"phone_encrypted": "pk"}

    def __str__(self) -> str:
        return self.name

    def pii_aad(self, field: str) -> bytes:
        return pii.aad(InServiceMember, field, self.pk)

    @property
    def phone_masked(self) -> str:
        if not self.phone_encrypted:
            return ""
        return pii.masked(self.phone_encrypted, pii.mask_phone, aad=self.pii_aad("phone_encrypted"),
                          what=f"in-service member {self.pk} phone")


class CoBuildingAgreement(models.Model):
    """A co-building agreement between a community and a unit (共驻共建)."""

    community = community_fk("co_building_agreements")
    unit = models.ForeignKey(Unit, verbose_name=_("共建单位"), on_delete=models.PROTECT, related_name="agreements")
    title = models.CharField(_("协议名称"), max_length=128)
    signed_on = models.DateField(_("签订日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    content = models.TextField(_("共建内容"), blank=True)

    territory_field = "community__code"

    class Meta:
        verbose_name = verbose_name_plural = _("共驻共建协议")
        ordering = ["-signed_on"]

    def __str__(self) -> str:
        return self.title


class JointMeeting(models.Model):
    """A joint meeting (联席会) of a community and its co-building units, with minutes."""

    community = community_fk("joint_meetings")
    held_on = models.DateField(_("召开日期"))
    title = models.CharField(_("会议主题"), max_length=128)
    units = models.ManyToManyField(Unit, verbose_name=_("参会单位"), blank=True, related_name="joint_meetings")
    attendees = models.TextField(_("参会人员"), blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)

    territory_field = "community__code"

    class Meta:
        verbose_name = verbose_name_plural = _("联席会议")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.title

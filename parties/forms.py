"""Forms for the register pages. They only shape input: validation of ID numbers,
phones and credit codes, and every write, happen in parties.actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.fields import GridField
from governance.roles import Cap
from governance.selectors import grids_in_scope
from parties.models import HouseUse, PoliticalStatus, ResidencyType, TagKind, UnitKind

ETHNICITIES = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 傈僳族 "
    "佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 "
    "锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 "
    "赫哲族 门巴族 珞巴族 基诺族 其他 外国血统"
).split()


def grid_choices(grids) -> list[tuple[str, str]]:
    """Choices for a handful of grids (one community's). A form over the user's whole scope uses
    governance.fields.GridField instead: a <select> for a few grids, a searchable picker for many."""
    return [(g.code, f"{g.name}（{g.code}）") for g in grids]


def _setup_grid(form: forms.Form, user, queryset=None) -> None:
    if "grid" in form.fields:
        if user is None:
            raise TypeError("a form with a grid field needs the user")
        form.fields["grid"].setup(user, queryset)


class ResidentForm(forms.Form):
    grid = GridField(label=_("所属网格"), cap=Cap.CHANGE_REGISTER)
    name = forms.CharField(label=_("姓名"), max_length=64)
    id_number = forms.CharField(label=_("公民身份号码"), max_length=32, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    phone = forms.CharField(label=_("联系电话"), max_length=32, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))
    ethnicity = forms.ChoiceField(label=_("民族"), choices=[(e, e) for e in ETHNICITIES], initial="汉族")
    political_status = forms.ChoiceField(label=_("政治面貌"), choices=PoliticalStatus.choices, initial=PoliticalStatus.MASSES)
    residency_type = forms.ChoiceField(label=_("人口类型"), choices=ResidencyType.choices, initial=ResidencyType.REGISTERED)
    building = forms.CharField(label=_("楼栋"), max_length=64, required=False,
                               widget=forms.TextInput(attrs={"list": "building-names", "placeholder": _("如 3号楼")}))
    unit_no = forms.CharField(label=_("单元"), max_length=16, required=False, widget=forms.TextInput(attrs={"placeholder": _("如 2单元")}))
    room = forms.CharField(label=_("房号"), max_length=16, required=False,
                           widget=forms.TextInput(attrs={"placeholder": _("如 104"), "inputmode": "numeric"}))
    household = forms.TypedChoiceField(label=_("家庭户"), required=False, coerce=int, empty_value=None)
    relation_to_head = forms.CharField(label=_("与户主关系"), max_length=16, required=False,
                                       widget=forms.TextInput(attrs={"placeholder": _("如 户主、配偶、子女")}))
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    tags = forms.MultipleChoiceField(label=_("人员标签"), choices=TagKind.choices, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user=None, editing: bool = False, households=(), **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["grid"]
        _setup_grid(self, user)
        if households:
            self.fields["household"].choices = [("", "—")] + [(h.pk, f"{h.head_name}户{(' ' + h.number) if h.number else ''}") for h in households]
        else:
            del self.fields["household"]
        if editing:
            del self.fields["tags"]
        elif user is not None:
            from parties.selectors import visible_tag_choices

            self.fields["tags"].choices = visible_tag_choices(user)
        if editing:
            self.fields["id_number"].help_text = _("号码加密保存；不修改请留空。")
            self.fields["phone"].help_text = _("不修改请留空；填“-”清除。")
        else:
            self.fields["id_number"].required = True


class TagForm(forms.Form):
    tag = forms.ChoiceField(label=_("标签"), choices=TagKind.choices)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, choices=None, **kwargs):
        """`choices`: the tags this user may set here (parties.selectors.visible_tag_choices)."""
        super().__init__(*args, **kwargs)
        if choices is not None:
            self.fields["tag"].choices = choices


class HouseForm(forms.Form):
    grid = GridField(label=_("所属网格"), cap=Cap.CHANGE_REGISTER)
    building = forms.CharField(label=_("楼栋"), max_length=64, widget=forms.TextInput(attrs={"list": "building-names"}))
    unit_no = forms.CharField(label=_("单元"), max_length=16, required=False)
    room = forms.CharField(label=_("房号"), max_length=16)
    use = forms.ChoiceField(label=_("房屋用途"), choices=HouseUse.choices)
    area = forms.DecimalField(label=_("面积（㎡）"), max_digits=8, decimal_places=2, required=False, min_value=0)
    owner_name = forms.CharField(label=_("产权人"), max_length=64, required=False)
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["grid"]
            del self.fields["building"]
        _setup_grid(self, user)


class UnitForm(forms.Form):
    grid = GridField(label=_("所属网格"), cap=Cap.CHANGE_REGISTER)
    name = forms.CharField(label=_("单位名称"), max_length=128)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=32, required=False)
    kind = forms.ChoiceField(label=_("单位类别"), choices=UnitKind.choices)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    legal_person = forms.CharField(label=_("法定代表人/负责人"), max_length=64, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=64, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=32, required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    employees = forms.IntegerField(label=_("从业人数"), required=False, min_value=0, max_value=10_000_000)
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["grid"]
        _setup_grid(self, user)
        if editing:
            self.fields["contact_phone"].help_text = _("不修改请留空；填“-”清除。")


def add_action_errors(form: forms.Form, error) -> None:
    """Put a ValidationError from an action onto the form (its field if the form has it)."""
    if hasattr(error, "message_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for m in messages:
                form.add_error(target, m)
    else:
        for m in error.messages:
            form.add_error(None, m)


class DateInput(forms.DateInput):
    input_type = "date"


class PartyBranchForm(forms.Form):
    grid = GridField(label=_("网格"), cap=Cap.CHANGE_REGISTER)
    name = forms.CharField(label=_("支部名称"), max_length=128)
    established_on = forms.DateField(label=_("成立日期"), required=False, widget=DateInput)

    def __init__(self, *args, user=None, grid_queryset=None, **kwargs):
        """`grid_queryset`: the grids still without a branch, offered by the <select> of a small scope.
        Any grid in scope is accepted (a big scope's picker searches them all): the action refuses
        one that already has a branch, with its own message."""
        super().__init__(*args, **kwargs)
        _setup_grid(self, user, grid_queryset)
        field = self.fields["grid"]
        field.queryset = grids_in_scope(user, field.cap)


class PartyMemberForm(forms.Form):
    group = forms.TypedChoiceField(label=_("党小组"), required=False, coerce=int, empty_value=None)
    joined_on = forms.DateField(label=_("入党日期"), required=False, widget=DateInput)
    probationary = forms.BooleanField(label=_("预备党员"), required=False)
    role = forms.CharField(label=_("党内职务"), max_length=32, required=False)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "—")] + [(g.pk, g.name) for g in groups]


class InServiceMemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=64)
    employer = forms.CharField(label=_("工作单位"), max_length=128)
    party_org = forms.CharField(label=_("所在党组织"), max_length=128, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=32, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    registered_on = forms.DateField(label=_("报到日期"), widget=DateInput)
    grid = forms.ChoiceField(label=_("服务网格"), required=False)
    service = forms.CharField(label=_("认领服务"), max_length=200, required=False)

    def __init__(self, *args, grids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [("", "—")] + grid_choices(grids)


class AgreementForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("共建单位"), coerce=int)
    title = forms.CharField(label=_("协议名称"), max_length=128)
    signed_on = forms.DateField(label=_("签订日期"), widget=DateInput)
    valid_until = forms.DateField(label=_("有效期至"), required=False, widget=DateInput)
    content = forms.CharField(label=_("共建内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("召开日期"), widget=DateInput)
    title = forms.CharField(label=_("会议主题"), max_length=128)
    units = forms.TypedMultipleChoiceField(label=_("参会单位"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple)
    attendees = forms.CharField(label=_("参会人员"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    minutes = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = [(u.pk, u.name) for u in units]


class HouseholdForm(forms.Form):
    head_name = forms.CharField(label=_("户主姓名"), max_length=64)
    number = forms.CharField(label=_("户号"), max_length=32, required=False)

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from disputes.links import RegisterPick, may_link, picked
from disputes.models import DisputeType, IdType, PartyKind, Source, Urgency
from governance.fields import GridField
from governance.roles import Cap
from parties.models import Resident, Unit


class FileDisputeForm(forms.Form):
    grid = GridField(label=_("所在网格"), cap=Cap.FILE_CASE, error_messages={
        "required": _("请选择网格。"), "invalid_choice": _("请选择您负责的网格。")})
    dispute_type = forms.TypedChoiceField(label=_("纠纷类型"), coerce=int, error_messages={
        "required": _("请选择纠纷类型。"), "invalid_choice": _("请选择有效的纠纷类型。")})
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices, initial=Source.PATROL,
                               error_messages={"invalid_choice": _("纠纷来源不正确。")})
    source_detail = forms.CharField(label=_("移交单位及文号（诉调、警调、访调、部门移交时必填）"), max_length=120, required=False)
    title = forms.CharField(label=_("标题"), max_length=80, error_messages={"required": _("请填写标题。"), "max_length": _("标题不能超过 80 字。")})
    description = forms.CharField(label=_("纠纷简要情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                                  error_messages={"required": _("请填写纠纷简要情况。"), "max_length": _("不能超过 2000 字。")})
    address = forms.CharField(label=_("地点"), max_length=120, required=False)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL)
    people_count = forms.IntegerField(label=_("涉及人数"), min_value=1, max_value=100000, initial=2, error_messages={
        "required": _("请填写涉及人数。"), "invalid": _("涉及人数须为整数。"), "min_value": _("涉及人数至少为 1。"),
        "max_value": _("涉及人数过大。")})
    amount = forms.DecimalField(label=_("涉及金额（元）"), min_value=0, max_digits=14, decimal_places=2, required=False,
                                error_messages={"invalid": _("涉及金额格式不正确。"), "min_value": _("涉及金额不能为负数。"),
                                                "max_digits": _("涉及金额超出范围。"), "max_decimal_places": _("金额最多两位小数。")})
    threat_violence = forms.BooleanField(label=_("有暴力冲突苗头"), required=False)
    threat_petition = forms.BooleanField(label=_("有群体上访或越级上访苗头"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].setup(user)
        self.user = user
        self.may_link = may_link(user)
        self.types = {t.pk: t for t in DisputeType.objects.filter(is_active=True)}
        self.fields["dispute_type"].choices = [("", _("请选择纠纷类型"))] + [(pk, t.name) for pk, t in self.types.items()]
        for side, label in (("a", _("申请人")), ("r", _("被申请人"))):
            # Drawn by side_picks() as search-as-you-type pickers (templates/_register_pick.html).
            self.fields[f"{side}_resident"] = forms.CharField(label=_("%(label)s（实有人口）") % {"label": label}, required=False,
                                                              max_length=20)
            self.fields[f"{side}_unit"] = forms.CharField(label=_("%(label)s（实有单位）") % {"label": label}, required=False,
                                                          max_length=20)
            self.fields[f"{side}_kind"] = forms.ChoiceField(label=_("%(label)s类型") % {"label": label}, choices=PartyKind.choices,
                                                            initial=PartyKind.PERSON)
            self.fields[f"{side}_name"] = forms.CharField(
                label=_("%(label)s姓名或名称") % {"label": label}, max_length=64, required=False, error_messages={
                "required": _("请填写%(label)s姓名或名称。") % {"label": label}, "max_length": _("姓名或名称不能超过 64 字。")})
            self.fields[f"{side}_id_type"] = forms.ChoiceField(label=_("证件类型"), choices=IdType.choices,
                                                               initial=IdType.RESIDENT_ID)
            self.fields[f"{side}_id_number"] = forms.CharField(label=_("证件号码"), max_length=30, required=False)
            self.fields[f"{side}_phone"] = forms.CharField(label=_("联系电话"), max_length=20, required=False)
            self.fields[f"{side}_address"] = forms.CharField(label=_("住址"), max_length=120, required=False)

    def clean_dispute_type(self):
        pk = self.cleaned_data["dispute_type"]
        if pk not in self.types:
            raise ValidationError(_("请选择有效的纠纷类型。"))
        return self.types[pk]

    def clean(self):
        data = super().clean()
        for side, label in (("a", _("申请人")), ("r", _("被申请人"))):
            if not (data.get(f"{side}_name") or data.get(f"{side}_resident") or data.get(f"{side}_unit")):
                self.add_error(f"{side}_name", _("请填写%(label)s姓名或名称，或选择登记在册的%(label)s。") % {"label": label})
        return data

    def parties(self) -> list[dict]:
        d = self.cleaned_data
        return [
            {"side": side_name, "kind": d[f"{s}_kind"], "name": d[f"{s}_name"], "id_type": d[f"{s}_id_type"],
             "id_number": d[f"{s}_id_number"], "phone": d[f"{s}_phone"], "address": d[f"{s}_address"],
             "resident": d[f"{s}_resident"], "unit": d[f"{s}_unit"]}
            for s, side_name in (("a", "applicant"), ("r", "respondent"))
        ]

    @property
    def has_grids(self) -> bool:
        return not self.fields["grid"].is_empty

    def side_fields(self, side: str):
        return [self[f"{side}_{n}"] for n in ("kind", "name", "id_type", "id_number", "phone", "address")]

    def side_picks(self, side: str) -> list[RegisterPick]:
        """The registered resident / unit of one side: single-pick search boxes."""
        if not self.may_link:
            return []
        picks = []
        for what, model in (("resident", Resident), ("unit", Unit)):
            name = f"{side}_{what}"
            value = self.data.get(name, "") if self.is_bound else ""
            picks.append(RegisterPick(name=name, label=self.fields[name].label, kind=f"{what}s", multiple=False,
                                      picked=picked(self.user, model, [value])))
        return picks

    @property
    def applicant_picks(self):
        return self.side_picks("a")

    @property
    def respondent_picks(self):
        return self.side_picks("r")

    @property
    def applicant_fields(self):
        return self.side_fields("a")

    @property
    def respondent_fields(self):
        return self.side_fields("r")

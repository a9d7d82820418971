from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from disputes.links import IdListField, RegisterPick, may_link, picked
from disputes.models import Category, Urgency
from disputes.photos import MAX_PHOTOS
from governance.fields import GridField
from governance.roles import Cap
from parties.models import Resident, Unit


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, (list, tuple)) else [data]
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("最多上传 %(MAX_PHOTOS)s 张照片。") % {"MAX_PHOTOS": MAX_PHOTOS})
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def category_choices() -> list:
    """Sub-categories grouped under their top category (a top category without children is itself a choice)."""
    cats = list(Category.objects.filter(is_active=True).select_related("parent"))
    tops = [c for c in cats if c.parent_id is None]
    children: dict[int, list[Category]] = {}
    for c in cats:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    choices: list = [("", _("请选择类别"))]
    for top in tops:
        subs = children.get(top.pk)
        if subs:
            choices.append((top.name, [(c.pk, c.name) for c in subs]))
        else:
            choices.append((top.pk, top.name))
    return choices


class FileCaseForm(forms.Form):
    category = forms.TypedChoiceField(label=_("事件类别"), coerce=int, error_messages={
        "required": _("请选择事件类别。"), "invalid_choice": _("请选择有效的事件类别。")})
    grid = GridField(label=_("所在网格"), cap=Cap.FILE_CASE, error_messages={
        "required": _("请选择网格。"), "invalid_choice": _("请选择您负责的网格。")})
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL)
    title = forms.CharField(label=_("标题"), max_length=80, error_messages={"required": _("请填写标题。"), "max_length": _("标题不能超过 80 字。")})
    description = forms.CharField(
        label=_("事件描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写事件描述。"), "max_length": _("描述不能超过 2000 字。")},
    )
    address = forms.CharField(label=_("地点"), max_length=120, required=False)
    lat = forms.DecimalField(label=_("纬度"), required=False, min_value=-90, max_value=90, decimal_places=6, max_digits=9,
                             widget=forms.HiddenInput, error_messages={"invalid": _("纬度格式不正确。")})
    lng = forms.DecimalField(label=_("经度"), required=False, min_value=-180, max_value=180, decimal_places=6, max_digits=9,
                             widget=forms.HiddenInput, error_messages={"invalid": _("经度格式不正确。")})
    involved = forms.CharField(label=_("涉及人员或单位"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    residents = IdListField(label=_("涉及人员（实有人口）"), what="人员")
    units = IdListField(label=_("涉及单位（实有单位）"), what="单位")
    photos = MultipleFileField(label=_("现场照片"))
    self_handle = forms.BooleanField(label=_("已当场处置（自处结案）"), required=False)
    evidence_note = forms.CharField(label=_("处置情况"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = MultipleFileField(label=_("处置照片"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["grid"].setup(user)
        self.user = user
        self.may_link = may_link(user)

    @property
    def has_grids(self) -> bool:
        return not self.fields["grid"].is_empty

    def register_picks(self) -> list[RegisterPick]:
        """The residents and units pickers (search as you type), with what was already picked."""
        if not self.may_link:
            return []
        values = self.data.getlist if self.is_bound and hasattr(self.data, "getlist") else (lambda name: [])
        return [
            RegisterPick(name="residents", label=self.fields["residents"].label, kind="residents", multiple=True,
                         picked=picked(self.user, Resident, values("residents"))),
            RegisterPick(name="units", label=self.fields["units"].label, kind="units", multiple=True,
                         picked=picked(self.user, Unit, values("units"))),
        ]

    def clean_category(self):
        pk = self.cleaned_data["category"]
        try:
            return Category.objects.select_related("parent").get(pk=pk, is_active=True)
        except Category.DoesNotExist:
            raise ValidationError(_("请选择有效的事件类别。")) from None

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lng") is None):
            raise ValidationError(_("位置须同时包含经度和纬度。"))
        return data

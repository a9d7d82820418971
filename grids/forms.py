from django import forms
from django.utils.translation import gettext_lazy as _

from governance.fields import GridField
from governance.roles import Cap
from grids.models import VisitKind


class VisitForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=VisitKind.choices, widget=forms.RadioSelect, initial=VisitKind.VISIT)
    grid = GridField(label=_("网格"), cap=Cap.CHANGE_REGISTER)
    place = forms.CharField(label=_("地点"), max_length=200, required=False,
                            widget=forms.TextInput(attrs={"placeholder": _("巡查地点，如 3号楼北侧")}))
    findings = forms.CharField(label=_("发现情况"), widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("如：无异常；楼道堆放杂物…")}))
    photo = forms.ImageField(label=_("现场照片（可选）"), required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].setup(user)

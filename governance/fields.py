"""The one grid field every form uses to pick a grid in the user's scope.

A scope of a few grids (a grid worker, community staff: at most PICKER_THRESHOLD) gets a plain
<select>. A bigger one (a street, a district, a city of 20,000 grids) gets a text input holding a
grid code, which static/js/picker.js turns into a type-ahead over /territory/grids/search/;
without JavaScript the code is typed by hand. Either way the value is checked here, against the
scope, and cleans to the Region: an unknown or out-of-scope code is a Chinese form error.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from governance.models import Region, User
from governance.roles import Cap
from governance.selectors import grids_in_scope

PICKER_THRESHOLD = 50
_CODE = re.compile(r"\d{15}")


def grid_label(grid: Region) -> str:
    return f"{grid.name}（{grid.code}）"


class GridField(forms.Field):
    """A grid where the user holds `cap`. Call `setup(user)` in the form's __init__."""

    default_error_messages = {
        "required": _("请选择网格。"),
        "invalid": _("请从候选列表中选择网格，或填写 15 位网格编码。"),
        "invalid_choice": _("网格编码“%(code)s”不存在或不在您的辖区内。"),
    }

    def __init__(self, *, cap: str = Cap.VIEW, empty_label: str | None = None, **kwargs):
        kwargs.setdefault("widget", forms.Select)
        super().__init__(**kwargs)
        self.cap = cap
        self.empty_label = empty_label
        self.queryset: QuerySet | None = None
        self.grids: list[Region] | None = None  # the few grids, when a <select>

    @property
    def is_empty(self) -> bool:
        """No grid at all in scope (the form is of no use to this user)."""
        return self.grids is not None and not self.grids

    @property
    def is_picker(self) -> bool:
        return self.queryset is not None and self.grids is None

    def setup(self, user: User, queryset: QuerySet | None = None, search_cap: str | None = None) -> None:
        """Bind to the user's grids (or `queryset`, already scoped): one query, at most
        PICKER_THRESHOLD + 1 rows. `search_cap`: the capability the type-ahead searches with."""
        qs = queryset if queryset is not None else grids_in_scope(user, self.cap)
        self.queryset = qs
        few = list(qs.only("code", "name")[: PICKER_THRESHOLD + 1])
        if len(few) <= PICKER_THRESHOLD:
            self.grids = few
            choices = [(g.code, grid_label(g)) for g in few]
            if self.empty_label is not None or not self.required:
                choices.insert(0, ("", self.empty_label or "—"))
            self.widget = forms.Select(choices=choices)
            if len(few) == 1 and self.required and self.initial is None:
                self.initial = few[0].code
        else:
            self.grids = None
            url = reverse("grid-search") + "?" + urlencode({"cap": search_cap or self.cap})
            self.widget = forms.TextInput(attrs={
                "data-grid-picker": url, "autocomplete": "off", "spellcheck": "false", "maxlength": "64",
                "placeholder": _("输入网格编码或名称查找"),
            })
        self.widget.is_required = self.required

    def to_python(self, value) -> str:
        if value in self.empty_values:
            return ""
        return str(value).strip()[:200]

    def clean(self, value):
        code = self.to_python(value)
        self.validate(code)
        self.run_validators(code)
        if not code:
            return None
        if not _CODE.fullmatch(code):
            found = _CODE.findall(code)  # "name（code）" pasted back: take the code
            if len(found) != 1:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            code = found[0]
        if self.queryset is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"code": code})
        grid = next((g for g in self.grids if g.code == code), None) if self.grids is not None else None
        if grid is None:  # a big scope, or a form whose choices are narrower than what it accepts
            grid = self.queryset.filter(code=code).first()
        if grid is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"code": code})
        return grid

    def has_changed(self, initial, data) -> bool:
        return (initial or "") != (self.to_python(data) or "")

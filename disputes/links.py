"""Links from cases and dispute parties to the registers (parties.Resident / parties.Unit).

Only rows the actor may link (parties.selectors.LINK_CAPS: view_register, or a mediator's
territory) AND that live in the
case's own grid may be linked; anything else is refused with one Chinese message, so a
forged id neither links nor tells whether the row exists.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from governance.inputs import is_digits
from governance.models import User
from governance.scope import region_codes
from parties.models import Resident, Unit
from parties.selectors import LINK_CAPS, link_scoped, resident_label, unit_label

MAX_LINKS = 20
OUTSIDE = gettext_lazy("所选%(what)s不属于该网格或不在您的辖区内。")


def parse_ids(values, what: str) -> list[int]:
    """Distinct positive ints from form values; a non-number is a Chinese ValidationError."""
    ids: list[int] = []
    for value in values or ():
        if hasattr(value, "pk"):
            value = value.pk
        text = str(value).strip()
        if not text:
            continue
        if not is_digits(text):
            raise ValidationError(_("所选%(what)s不正确。") % {"what": what})
        if int(text) not in ids:
            ids.append(int(text))
    if len(ids) > MAX_LINKS:
        raise ValidationError(_("最多关联 %(MAX_LINKS)s 个%(what)s。") % {"MAX_LINKS": MAX_LINKS, "what": what})
    return ids


def _rows(model, actor: User | None, grid_code: str, ids: list[int], what: str) -> list:
    if not ids:
        return []
    qs = model.objects.filter(pk__in=ids, grid_id=grid_code)
    if actor is not None:
        qs = link_scoped(qs, actor)
    rows = list(qs)
    if len(rows) != len(ids):
        raise ValidationError(OUTSIDE % {"what": what}, code="outside")
    order = {pk: i for i, pk in enumerate(ids)}
    return sorted(rows, key=lambda r: order[r.pk])


def resolve_residents(actor: User | None, grid_code: str, values) -> list[Resident]:
    return _rows(Resident, actor, grid_code, parse_ids(values, _("人员")), _("人员"))


def resolve_units(actor: User | None, grid_code: str, values) -> list[Unit]:
    what = pgettext("organisation, inside a sentence", "单位")
    return _rows(Unit, actor, grid_code, parse_ids(values, what), what)


class IdListField(forms.Field):
    """Many ids from a <select multiple>; which ids may be linked is the action's business."""

    widget = forms.SelectMultiple

    def __init__(self, *args, what: str = "", **kwargs):
        kwargs.setdefault("required", False)
        self.what = what
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in (None, ""):
            return []
        if not isinstance(value, (list, tuple)):
            value = [value]
        return parse_ids(value, self.what)


def may_link(user: User) -> bool:
    """Whether the register pickers are of any use to `user` (view_register or mediate somewhere)."""
    return any(region_codes(user, cap) for cap in LINK_CAPS)


def picked(user: User, model, values) -> list[tuple[int, str, str]]:
    """The rows already picked in a submitted form, to show them again: [(pk, masked label, grid)],
    only those the user may see. At most one query; junk ids are simply left out (the field says why)."""
    ids: list[int] = []
    for value in values or ():
        text = str(value).strip()
        if text.isascii() and text.isdigit() and len(text) <= 18 and int(text) not in ids:
            ids.append(int(text))
    if not ids:
        return []
    qs = link_scoped(model.objects.filter(pk__in=ids[:MAX_LINKS]), user)
    if model is Resident:
        rows = qs.only("pk", "name", "grid_id", "id_number_encrypted", "id_number_hash")
        label = resident_label
    else:
        rows = qs.only("pk", "name", "grid_id", "credit_code")
        label = unit_label
    order = {pk: i for i, pk in enumerate(ids)}
    return [(r.pk, label(r), r.grid_id) for r in sorted(rows, key=lambda r: order[r.pk])]


class RegisterPick:
    """What the template needs to draw one register picker (templates/_register_pick.html): a
    hidden <select> holding the picked ids, which static/js/picker.js drives with a search box and
    chips. Without JavaScript nothing can be searched; the form says where to write the names."""

    def __init__(self, *, name: str, label: str, kind: str, multiple: bool, picked: list, testid: str = ""):
        self.name, self.label, self.kind, self.multiple, self.picked = name, label, kind, multiple, picked
        self.url = reverse("parties:resident-search" if kind == "residents" else "parties:unit-search")
        self.testid = testid or name

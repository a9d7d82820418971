"""The rules of the loop's configuration — who may change it and what a valid value is — in one
place, because two doors lead in: the one-at-a-time do_* actions (disputes.actions.configuration)
and the spreadsheet import (disputes.resources). Each check returns the cleaned value or raises a
ValidationError with the Chinese line the user sees, whichever door the value came through."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from disputes.kernel import clean_text
from disputes.models import CalendarDay, Category, Stage, TimeUnit
from governance.models import User
from governance.resources import whole_number
from governance.roles import CODE_LENGTH, Cap, Level
from governance.scope import region_codes

CODE_MAX_LENGTH = 16
NAME_MAX_LENGTH = 32
NOTE_MAX_LENGTH = 32
# The longest a stage may take, per unit.
TIME_LIMIT_MAX = {TimeUnit.HOURS.value: 240, TimeUnit.DAYS.value: 60}


def may_configure(actor: User | None) -> bool:
    """The taxonomy and calendar are city-wide: CONFIGURE on a top node (admin of the city)."""
    if actor is None:
        return True
    return any(len(code) == CODE_LENGTH[Level.CITY] for code in region_codes(actor, Cap.CONFIGURE))


def configure_refusal() -> str:
    return _("只有市级管理员可以配置事件类别、时限和工作日历。")


def _clean_code(code, refusal: str) -> str:
    """A code of the taxonomy: digits only (they sort and read like the GB codes), at most 16."""
    number = whole_number(code)
    if number is not None and not isinstance(code, str):
        code = str(number)  # a spreadsheet cell typed as a number (its leading zeros are already lost)
    code = str(code or "").strip()
    if not code or not code.isascii() or not code.isdigit() or len(code) > CODE_MAX_LENGTH:
        raise ValidationError(refusal, code="code")
    return code


def _clean_name(name, refusal: str) -> str:
    name = str(name or "").strip()
    if not name or len(name) > NAME_MAX_LENGTH:
        raise ValidationError(refusal, code="name")
    return name


def clean_category_code(code) -> str:
    return _clean_code(code, _("类别编码只能由数字组成。"))


def clean_category_name(name) -> str:
    return _clean_name(name, _("请填写类别名称（不超过 32 字）。"))


def clean_dispute_type_code(code) -> str:
    return _clean_code(code, _("纠纷类型编码只能由数字组成（不超过 16 位）。"))


def clean_dispute_type_name(name) -> str:
    return _clean_name(name, _("请填写纠纷类型名称（不超过 32 字）。"))


def check_category_parent(category: Category, parent: Category | None) -> None:
    """Two levels at most: a parent is a top category, and a category with children stays on top."""
    if parent is None:
        return
    if category.pk is not None and parent.pk == category.pk:
        raise ValidationError(_("类别不能是自己的上级。"), code="parent")
    if parent.parent_id:
        raise ValidationError(_("事件类别最多两级。"), code="levels")
    if category.pk is not None and category.children.exists():
        raise ValidationError(_("事件类别最多两级：“%(code)s”已有子类，不能再做子类。") % {"code": category.code},
                              code="levels")


def clean_stage(stage: str | None) -> str:
    if stage not in Stage.values:
        raise ValidationError(_("办理环节不正确。"), code="stage")
    return stage


def clean_time_unit(unit: str | None) -> str:
    if unit not in TimeUnit.values:
        raise ValidationError(_("时限单位须为工作小时或工作日。"), code="unit")
    return unit


def clean_time_amount(amount, unit: str) -> int:
    """A whole number within the unit's range; text ("6") and spreadsheet numbers (6.0) are read."""
    value = whole_number(amount)
    if value is None or not 1 <= value <= TIME_LIMIT_MAX.get(unit, 0):
        raise ValidationError(_("时限须为 1–240 个工作小时或 1–60 个工作日。"), code="amount")
    return value


def clean_calendar_kind(kind: str | None) -> str:
    if kind not in CalendarDay.Kind.values:
        raise ValidationError(_("日期类型须为节假日或调休上班。"), code="kind")
    return kind


def clean_calendar_note(note: str | None) -> str:
    return clean_text(note, _("说明"), required=False, max_length=NOTE_MAX_LENGTH)

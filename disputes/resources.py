"""The loop's city-wide configuration tables as spreadsheets (django-import-export resources):
case categories, time limits per stage, dispute types and the working calendar.

Each is keyed on what identifies a row to an admin (a code, a category and a stage, a date), so
re-importing an exported file finds every row unchanged. Every value is checked by the same rules
as the one-at-a-time forms (disputes.configuration_rules), with the same Chinese messages.
Column names and the words in the cells (受理, 工作日, 是) are the file's format: Chinese in every
language, as the roster headers are."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from import_export import fields

from disputes.configuration_rules import (
    check_category_parent,
    clean_calendar_kind,
    clean_calendar_note,
    clean_category_code,
    clean_category_name,
    clean_dispute_type_code,
    clean_dispute_type_name,
    clean_stage,
    clean_time_amount,
    clean_time_unit,
)
from disputes.models import CalendarDay, Category, DisputeType, Stage, TimeLimit, TimeUnit
from governance.inputs import parse_date
from governance.resources import (
    CheckedWidget,
    ChoiceWidget,
    CodeWidget,
    FlagWidget,
    NumberWidget,
    TableResource,
    whole_number,
)

SORT_MAX = 32767  # PositiveSmallIntegerField


def _sort_refusal() -> str:
    return _("排序须为 0–32767 的整数。")


def _parent_missing(code: str) -> str:
    return _("上级编码“%(code)s”不存在（上级类别须已在系统中，或在文件中写在它的子类之前）。") % {"code": code}


class CategoryResource(TableResource):
    code = fields.Field(attribute="code", column_name="编码", widget=CheckedWidget(clean_category_code))
    name = fields.Field(attribute="name", column_name="名称", widget=CheckedWidget(clean_category_name))
    parent = fields.Field(attribute="parent", column_name="上级编码", widget=CodeWidget(Category, _parent_missing))
    # Blank 启用 / 排序 keep what the category has (saves_null_values=False), a new one the defaults.
    is_active = fields.Field(attribute="is_active", column_name="启用", saves_null_values=False,
                             widget=FlagWidget(lambda: _("启用")))
    sort = fields.Field(attribute="sort", column_name="排序", saves_null_values=False,
                        widget=NumberWidget(0, SORT_MAX, _sort_refusal))

    optional_columns = ("上级编码", "启用", "排序")

    class Meta:
        model = Category
        fields = ("code", "name", "parent", "is_active", "sort")
        import_id_fields = ("code",)

    def get_queryset(self) -> QuerySet:
        # Each top category followed by its sub-categories, as on the page: a parent always comes
        # before its children, so the exported file imports into an empty taxonomy as it stands.
        return Category.objects.select_related("parent").order_by(
            Coalesce("parent__sort", "sort"), Coalesce("parent__code", "code"),
            F("parent_id").asc(nulls_first=True), "sort", "code",
        )

    def init_instance(self, row=None) -> Category:
        return Category(sort=999)  # as a category added on the page: after the existing ones

    def check_row(self, instance: Category, errors: dict[str, ValidationError]) -> None:
        if "parent" in errors:
            return
        try:
            check_category_parent(instance, instance.parent)
        except ValidationError as e:
            errors["parent"] = e


def _time_amount(value: Any) -> int:
    number = whole_number(value)
    if number is None:
        raise ValidationError(_("时限须为 1–240 个工作小时或 1–60 个工作日。"))
    return number


class TimeLimitResource(TableResource):
    category = fields.Field(attribute="category", column_name="类别编码",
                            widget=CodeWidget(Category, lambda code: _("类别编码“%(code)s”不存在。") % {"code": code},
                                              required=lambda: _("请填写类别编码。")))
    stage = fields.Field(attribute="stage", column_name="环节",
                         widget=ChoiceWidget(Stage, lambda: _("办理环节不正确。"), check=clean_stage))
    amount = fields.Field(attribute="amount", column_name="时限", widget=CheckedWidget(_time_amount))
    unit = fields.Field(attribute="unit", column_name="单位",
                        widget=ChoiceWidget(TimeUnit, lambda: _("时限单位须为工作小时或工作日。"),
                                            check=clean_time_unit))

    class Meta:
        model = TimeLimit
        fields = ("category", "stage", "amount", "unit")
        import_id_fields = ("category", "stage")

    def get_queryset(self) -> QuerySet:
        # accept < handle < verify: the stages' values sort in the loop's order.
        return TimeLimit.objects.select_related("category").order_by("category__sort", "category__code", "stage")

    def check_row(self, instance: TimeLimit, errors: dict[str, ValidationError]) -> None:
        if "amount" in errors or "unit" in errors:
            return
        try:
            instance.amount = clean_time_amount(instance.amount, instance.unit)
        except ValidationError as e:
            errors["amount"] = e


class DisputeTypeResource(TableResource):
    code = fields.Field(attribute="code", column_name="编码", widget=CheckedWidget(clean_dispute_type_code))
    name = fields.Field(attribute="name", column_name="名称", widget=CheckedWidget(clean_dispute_type_name))
    is_active = fields.Field(attribute="is_active", column_name="启用", saves_null_values=False,
                             widget=FlagWidget(lambda: _("启用")))
    sort = fields.Field(attribute="sort", column_name="排序", saves_null_values=False,
                        widget=NumberWidget(0, SORT_MAX, _sort_refusal))

    optional_columns = ("启用", "排序")

    class Meta:
        model = DisputeType
        fields = ("code", "name", "is_active", "sort")
        import_id_fields = ("code",)

    def get_queryset(self) -> QuerySet:
        return DisputeType.objects.order_by("sort", "code")


# What Excel writes for a date typed by hand and saved as CSV on a Chinese Windows: 2026/10/1.
_SLASHED_DATE = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})")


def _calendar_date(value: Any) -> date:
    if isinstance(value, datetime):  # a date cell of an .xlsx
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        raise ValidationError(_("请填写日期。"))
    slashed = _SLASHED_DATE.fullmatch(text)
    if slashed:
        try:
            return date(*(int(part) for part in slashed.groups()))
        except ValueError:
            raise ValidationError(_("日期格式应为 YYYY-MM-DD。")) from None
    day = parse_date(text, _("日期"))
    if day is None:
        raise ValidationError(_("日期格式应为 YYYY-MM-DD。"))
    return day


class CalendarDayResource(TableResource):
    date = fields.Field(attribute="date", column_name="日期",
                        widget=CheckedWidget(_calendar_date, render=lambda day: day.isoformat()))
    kind = fields.Field(attribute="kind", column_name="类型",
                        widget=ChoiceWidget(CalendarDay.Kind, lambda: _("日期类型须为节假日或调休上班。"),
                                            check=clean_calendar_kind))
    note = fields.Field(attribute="note", column_name="说明", widget=CheckedWidget(clean_calendar_note))

    optional_columns = ("说明",)

    class Meta:
        model = CalendarDay
        fields = ("date", "kind", "note")
        import_id_fields = ("date",)

    def get_queryset(self) -> QuerySet:
        return CalendarDay.objects.order_by("date")

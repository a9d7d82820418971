"""Reading what users post: bad input is a ValidationError with a Chinese message (a 400 on
the page), never a 500. Used by views, and by actions for values that arrive as text."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _


def is_digits(value, max_length: int = 18) -> bool:
    """Whether `value` is a number a form or URL may carry: ASCII digits only (str.isdigit() also
    takes "²" and other digits int() or the database refuse) and short enough for a bigint."""
    text = str(value)
    return 0 < len(text) <= max_length and text.isascii() and text.isdigit()


def posted_version(data) -> int:
    """The version of the record the form was rendered with (optimistic locking)."""
    version = data.get("version")
    if version is None or not is_digits(version, 9):
        raise ValidationError(_("表单已过期，请刷新页面后重试。"))
    return int(version)


def parse_datetime(value: str | None, what: str, required: bool = False) -> datetime | None:
    """A datetime-local field; a naive value is in the user's time zone (Asia/Shanghai)."""
    if not value:
        if required:
            raise ValidationError(_("请填写%(what)s。") % {"what": what})
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("%(what)s格式不正确。") % {"what": what}) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def parse_date(value, what: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(_("%(what)s格式应为 YYYY-MM-DD。") % {"what": what}) from None


def parse_flag(value, missing: str) -> bool:
    """A "1"/"0" choice (yes / no radio buttons); `missing` is the message when it is neither."""
    flag = {"1": True, "0": False}.get(value)
    if flag is None:
        raise ValidationError(missing)
    return flag


def pick(qs: QuerySet, pk, what: str, required: bool = False) -> Model | None:
    """The row of `qs` a form field names by id, or a ValidationError naming the field."""
    if not pk:
        if required:
            raise ValidationError(_("请选择%(what)s。") % {"what": what})
        return None
    if not is_digits(pk):
        raise ValidationError(_("%(what)s不正确。") % {"what": what})
    obj = qs.filter(pk=int(pk)).first()
    if obj is None:
        raise ValidationError(_("%(what)s不存在。") % {"what": what})
    return obj

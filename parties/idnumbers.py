"""Citizen ID numbers (公民身份号码) as GB 11643-1999 defines them.

18 characters: a 6-digit address code, an 8-digit birth date (YYYYMMDD), a
3-digit sequence (odd for men, even for women) and a check character computed
with ISO 7064 MOD 11-2 (0-9 or X).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # index = weighted sum mod 11
# First two digits: provinces (GB/T 2260), plus 8x for Hong Kong/Macao/Taiwan residence permits
# and 9x for the 2023 foreign permanent residence ID card.
PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82 83 91 92 93 94 95 96 97 98 99".split()
)
EARLIEST_BIRTH = date(1860, 1, 1)
_SPACES = re.compile(r"[\s\u3000\u00a0\u200b]+")
_EXCEL_NUMBER = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$|^\d+\.\d+$")


def normalize_id_number(raw: str) -> str:
    """Strip spaces, turn full-width digits and letters half-width, upper-case the x."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw))
    text = _SPACES.sub("", text)
    return text.upper()


def check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, WEIGHTS))
    return CHECK_CHARS[total % 11]


def validate_id_number(value: str) -> None:
    """Raise ValidationError with a Chinese message naming what is wrong with the number."""
    value = value or ""
    if not value:
        raise ValidationError(_("公民身份号码不能为空。"), code="required")
    if _EXCEL_NUMBER.match(value):
        raise ValidationError(
            _("公民身份号码“%(value)s”像是被 Excel 当作数字保存，后几位已丢失；请把该列设为“文本”格式后重新填写。"),
            params={"value": value},
            code="excel_number",
        )
    if len(value) != 18:
        raise ValidationError(
            _("公民身份号码应为 18 位，“%(value)s”是 %(n)s 位。"), params={"value": value, "n": len(value)}, code="length"
        )
    if not (value[:17].isascii() and value[:17].isdigit()) or value[17] not in "0123456789X":
        raise ValidationError(
            _("公民身份号码只能是数字，最后一位可以是 X；“%(value)s”含有其他字符。"), params={"value": value}, code="characters"
        )
    if value[:2] not in PROVINCES:
        raise ValidationError(
            _("公民身份号码前 2 位“%(p)s”不是有效的省级行政区划代码。"), params={"p": value[:2]}, code="address"
        )
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(
            _("公民身份号码第 7–14 位“%(d)s”不是真实的出生日期。"), params={"d": value[6:14]}, code="birth_date"
        ) from None
    if born < EARLIEST_BIRTH or born > date.today():
        raise ValidationError(
            _("公民身份号码中的出生日期 %(d)s 不合理（早于 1860 年或晚于今天）。"),
            params={"d": born.isoformat()},
            code="birth_date",
        )
    # Never name the "right" last character: a number with the wrong one is wrong somewhere (usually a
    # digit mistyped earlier), and offering the character that would pass invites a made-up number.
    if value[17] != check_char(value[:17]):
        raise ValidationError(
            _("公民身份号码“%(value)s”校验不通过，号码有误：请对照身份证原件逐位核对后重新填写。"),
            params={"value": value},
            code="checksum",
        )


def birth_date_and_gender(value: str) -> tuple[date, str]:
    """Birth date and gender ("M"/"F") of a valid number: the 17th digit is odd for men."""
    value = normalize_id_number(value)
    born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    return born, ("M" if int(value[16]) % 2 else "F")

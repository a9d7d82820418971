"""Phones (mobile and landline) and unified social credit codes (GB 32100-2015)."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SPACES = re.compile(r"[\s\u3000\u00a0\u200b]+")
_DASHES = re.compile(r"[‐‑‒–—―－~～]")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Area code 3-4 digits starting with 0, 7-8 digit number, optional extension.
LANDLINE = re.compile(r"^(0\d{2,3})-?([2-9]\d{6,7})(?:-(\d{1,6}))?$")


def normalize_phone(raw: str) -> str:
    """Mobiles become 11 digits; landlines "0417-2812345" (extension "-8001" kept)."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw))
    text = _SPACES.sub("", text)
    text = _DASHES.sub("-", text).replace("(", "").replace(")", "-").strip("-")
    text = re.sub(r"-+", "-", text)
    if text.startswith("+86"):
        text = text[3:].lstrip("-")
    elif text.startswith("0086"):
        text = text[4:].lstrip("-")
    digits = text.replace("-", "")
    if len(digits) == 13 and digits.startswith("86") and MOBILE.match(digits[2:]):
        return digits[2:]
    if MOBILE.match(digits):
        return digits
    m = LANDLINE.match(text)
    if m:
        area, number, ext = m.groups()
        return f"{area}-{number}" + (f"-{ext}" if ext else "")
    return text


def validate_phone(value: str) -> None:
    value = value or ""
    if not value:
        raise ValidationError(_("联系电话不能为空。"), code="required")
    if MOBILE.match(value) or LANDLINE.match(value):
        return
    digits = re.sub(r"\D", "", value)
    if re.search(r"[^\d-]", value):
        raise ValidationError(
            _("联系电话“%(value)s”含有数字和连字符以外的字符。"), params={"value": value}, code="characters"
        )
    if digits.startswith("1"):
        if len(digits) != 11:
            raise ValidationError(
                _("手机号码应为 11 位，“%(value)s”是 %(n)s 位。"), params={"value": value, "n": len(digits)}, code="length"
            )
        raise ValidationError(
            _("手机号码“%(value)s”的第 2 位应为 3–9。"), params={"value": value}, code="mobile_prefix"
        )
    if digits.startswith("0"):
        raise ValidationError(
            _("固定电话“%(value)s”格式不对：应为区号（3–4 位，以 0 开头）加 7–8 位号码，如 0417-2812345。"),
            params={"value": value},
            code="landline",
        )
    raise ValidationError(
        _("联系电话“%(value)s”既不是 11 位手机号码，也不是带区号的固定电话（如 0417-2812345）。"),
        params={"value": value},
        code="format",
    )


# GB 32100-2015: 18 characters from this set (no I, O, S, V, Z).
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
REGISTRATION_AUTHORITIES = {
    "1": "1 2 3 9",  # 机构编制: 机关、事业单位、群众团体、其他
    "2": "1 9",  # 外交
    "3": "1 2 3 4 5 9",  # 司法行政
    "4": "1 9",  # 文化
    "5": "1 2 3 9",  # 民政: 社会团体、民办非企业单位、基金会
    "6": "1 2 9",  # 旅游
    "7": "1 2 9",  # 宗教
    "8": "1 9",  # 工会
    "9": "1 2 3",  # 工商: 企业、个体工商户、农民专业合作社
    "A": "1 9",  # 中央军委改革和编制办公室
    "N": "1 2 3 9",  # 农业
    "Y": "1",  # 其他
}


def normalize_credit_code(raw: str) -> str:
    if raw is None:
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(raw))).upper()


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """GB 32100-2015: length, character set, registration authority and type, area code, check character."""
    value = value or ""
    if not value:
        raise ValidationError(_("统一社会信用代码不能为空。"), code="required")
    if len(value) != 18:
        raise ValidationError(
            _("统一社会信用代码应为 18 位，“%(value)s”是 %(n)s 位。"),
            params={"value": value, "n": len(value)},
            code="length",
        )
    bad = sorted({c for c in value if c not in CREDIT_CHARS})
    if bad:
        raise ValidationError(
            _("统一社会信用代码“%(value)s”含有不允许的字符“%(bad)s”（不使用 I、O、S、V、Z 和小写字母）。"),
            params={"value": value, "bad": "".join(bad)},
            code="characters",
        )
    kinds = REGISTRATION_AUTHORITIES.get(value[0])
    if kinds is None:
        raise ValidationError(
            _("统一社会信用代码第 1 位“%(c)s”不是有效的登记管理部门代码。"), params={"c": value[0]}, code="authority"
        )
    if value[1] not in kinds.split():
        raise ValidationError(
            _("统一社会信用代码第 2 位“%(c)s”不是登记管理部门“%(a)s”下的机构类别。"),
            params={"c": value[1], "a": value[0]},
            code="kind",
        )
    if not value[2:8].isdigit():
        raise ValidationError(
            _("统一社会信用代码第 3–8 位“%(c)s”应为 6 位数字的行政区划码。"), params={"c": value[2:8]}, code="area"
        )
    if value[17] != credit_check_char(value[:17]):  # the passing character is never named (see idnumbers)
        raise ValidationError(
            _("统一社会信用代码“%(value)s”校验不通过，代码有误：请对照营业执照逐位核对后重新填写。"),
            params={"value": value},
            code="checksum",
        )

"""Cleaning of spreadsheet cell values before any check.

Admins' files are messy: full-width digits and letters (ＡＢＣ１２３), stray and
non-breaking spaces, a lowercase x at the end of an ID number, numbers where
text was meant. Everything a roster checks first goes through `clean_text`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_SPACES = re.compile(r"\s+")
_ALL_SPACE = re.compile(r"[\s\u200b\ufeff]+")


class LostPrecision(ValueError):
    """An 18-digit number that Excel stored as a floating-point number."""


def cell_to_text(value) -> str:
    """A cell value (str, int, float, date, None) as text, without Excel's ".0"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def clean_text(value: str) -> str:
    """Full-width to half-width (NFKC), spaces trimmed and runs of spaces collapsed."""
    if not value:
        return ""
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    return _SPACES.sub(" ", value).strip()


def clean_code(value: str) -> str:
    """Codes, ID numbers, phones: no spaces at all, upper case (x → X)."""
    if not value:
        return ""
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    return _ALL_SPACE.sub("", value).upper()


def clean_name(value: str) -> str:
    """A Chinese name: spaces between Chinese characters are typing slips ("张 三" → "张三")."""
    value = clean_text(value)
    if " " in value and not value.isascii():
        value = re.sub(r"(?<=[\u4e00-\u9fff·]) (?=[\u4e00-\u9fff·])", "", value)
    return value


_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+\d+$")


def looks_like_excel_number(raw) -> bool:
    """A long number typed into a number-formatted column: Excel keeps 15 significant digits,
    so an 18-digit ID number comes back as 2.10802E+17 or 210802194604082000."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return True
    if isinstance(raw, str):
        return bool(_SCIENTIFIC.match(clean_code(raw)))
    return False

"""The row checks that the residents, houses and units rosters share: the grid column, phones, choices."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext

from governance.models import Region
from governance.roles import Level
from parties.validators import MOBILE, normalize_phone, validate_phone
from rosters.engine import ImportContext, Row

GRID_ALIASES = ("所属网格编码", "所属网格", "网格代码", "网格号")


def choice_words(choices: type[models.Choices], extra: dict[str, str]) -> dict[str, str]:
    """The words a file may use for a choice: its labels, its stored values and `extra` aliases."""
    words = {str(label): value for value, label in choices.choices}
    words.update({value: value for value in choices.values})
    words.update(extra)
    return words


class GridCheck:
    """The grid codes that exist, loaded once per import, and the importer's scope."""

    def load(self) -> None:
        self.grid_codes = set(Region.objects.filter(level=Level.GRID).values_list("code", flat=True))

    def check_grid(self, row: Row, code: str, ctx: ImportContext) -> bool:
        if not code:
            row.fail("missing_grid", gettext("缺少网格编码"))
        elif code not in self.grid_codes:
            row.fail("unknown_grid", gettext("网格编码“%(code)s”不存在") % {"code": code})
        elif not ctx.in_scope(code):
            row.fail("out_of_scope", gettext("网格“%(code)s”不在您的管辖范围内") % {"code": code})
        else:
            return True
        return False


def check_phone(row: Row, key: str = "phone") -> str:
    raw = row.values.get(key)
    if raw is None or raw == "":
        return ""
    if raw.__class__ is str and len(raw) == 11 and raw.isascii() and raw.isdigit() and MOBILE.match(raw):
        return raw  # what normalize_phone returns for a plain mobile number, and valid
    phone = normalize_phone(str(raw) if not isinstance(raw, float) else str(int(raw)))
    if not phone:
        return ""
    try:
        validate_phone(phone)
    except ValidationError as e:
        row.fail("bad_phone", e.messages[0])
    return phone


def check_choice(row: Row, key: str, words: dict[str, str], label: str, default: str) -> str:
    text = row.text(key)
    if not text:
        return default
    value = words.get(text) or words.get(text.replace(" ", ""))
    if value is None:
        # `label` is a catalogued field name (政治面貌, 房屋用途…); translated only here, off the valid-row path.
        row.fail("bad_value", gettext("%(label)s“%(text)s”不在可选范围内") % {"label": gettext(label), "text": text})
        return default
    return value

"""Initial passwords for imported grid workers: generation, hashing and the one-time .xlsx.

A password is shown once, in the .xlsx the admin downloads; only its hash is stored.
The user must set their own at first login (User.must_change_password)."""

from __future__ import annotations

import io
import secrets
import string

import openpyxl
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from rosters.sheets import xlsx_cells

# No look-alikes (0/O, 1/l/I): the password is read off a sheet and typed on a phone.
ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lIo")
LENGTH = 10  # 56 symbols ** 10 ≈ 58 bits
ISSUE_LIMIT = 1000  # per download; hashing dominates (about 12 ms each)


def generate_password() -> str:
    while True:
        password = "".join(secrets.choice(ALPHABET) for _position in range(LENGTH))
        # Three character classes, as the password rules ask of a chosen one (governance.passwords).
        if any(c.isdigit() for c in password) and any(c.islower() for c in password) and any(
            c.isupper() for c in password
        ):
            return password


class _IssuedPasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2 with fewer rounds, for issued passwords only. Key stretching exists for passwords
    people choose; these are ~58 random bits, valid until the first login, where Django re-hashes
    them with the default rounds and the user replaces them. At the default 1,000,000 rounds
    (0.6 s each here) a district's 550 workers would take minutes in one request."""

    iterations = 20_000


def hash_issued_password(password: str) -> str:
    default = get_hasher("default")
    if type(default) is PBKDF2PasswordHasher:
        return make_password(password, hasher=_IssuedPasswordHasher())
    return make_password(password)  # another default (e.g. a fast one in tests): use it as is


def passwords_workbook(rows: list[tuple[str, str, str, str]]) -> bytes:
    """登录名, 姓名, 网格, 初始密码 — every cell as text (a name such as =HYPERLINK(…) too)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("初始密码")
    sheet.append([_("登录名"), _("姓名"), _("网格"), _("初始密码")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(xlsx_cells(sheet, row))
    for letter, width in zip("ABCD", (16, 10, 40, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            cell.number_format = "@"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""Password rules (GB/T 22239-2019 8.1.4.1 a): the validators of AUTH_PASSWORD_VALIDATORS beside
Django's length and common-password ones, the history of past passwords, and expiry.

- at least three of the four classes: lower case, upper case, digits, other characters;
- not the username, nor containing it (either way round, any case);
- none of the user's last `PASSWORD_HISTORY` passwords (their hashes are kept in PasswordHistory);
- a password is replaced after `PASSWORD_MAX_AGE_DAYS` (governance.middleware sends the user to
  the password change, as for an issued one);
- an issued (initial or reset) password that was never replaced no longer signs in after
  `ISSUED_PASSWORD_DAYS` (governance.signin's form says so).

Django calls each validator's `password_changed` after a password is saved (User.save): that is
where the history and the date of the change are written, whichever path set the password.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with its message in Chinese (Django 5.2's Chinese catalogue lacks the new wording)."""

    def get_error_message(self) -> str:
        return _("密码长度太短。密码必须包含至少 %(n)s 个字符。") % {"n": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少 %(n)s 个字符。") % {"n": self.min_length}


def character_classes(password: str) -> int:
    """How many of lower case, upper case, digits and other characters the password holds."""
    return sum((
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ))


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、其他符号中的至少 %(n)s 类。"),
                code="password_too_simple", params={"n": self.min_classes},
            )

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、其他符号中的至少 %(n)s 类。") % {"n": self.min_classes}


class NotUsernameValidator:
    def validate(self, password: str, user=None) -> None:
        username = (getattr(user, "username", "") or "").casefold()
        if not username:
            return
        lowered = password.casefold()
        if username in lowered or username[::-1] in lowered:
            raise ValidationError(_("密码不能包含用户名。"), code="password_contains_username")

    def get_help_text(self) -> str:
        return _("密码不能包含用户名。")


class PasswordHistoryValidator:
    """None of the last `count` passwords (the current one included). Each comparison is a full
    password hash (PBKDF2, about half a second): only on a password change."""

    def __init__(self, count: int = 5):
        self.count = count

    def _recent(self, user) -> list[str]:
        from governance.models import PasswordHistory

        if user is None or user.pk is None or self.count <= 0:
            return []
        hashes = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.count])
        if user.has_usable_password() and user.password not in hashes:
            hashes = [user.password, *hashes][: self.count]
        return hashes

    def validate(self, password: str, user=None) -> None:
        if any(check_password(password, encoded) for encoded in self._recent(user)):
            raise ValidationError(
                ngettext("新密码不能与最近使用过的密码相同。", "新密码不能与最近 %(n)s 次使用过的密码相同。", self.count),
                code="password_reused", params={"n": self.count},
            )

    def get_help_text(self) -> str:
        return ngettext("不能与最近使用过的密码相同。", "不能与最近 %(n)s 次使用过的密码相同。", self.count) % {"n": self.count}

    def password_changed(self, password: str, user=None) -> None:
        """Keep the new password's hash (and only the last `count`), and the date of the change."""
        from governance.models import PasswordHistory, User

        if user is None or user.pk is None:
            return
        now = timezone.now()
        User.objects.filter(pk=user.pk).update(password_changed_at=now)
        user.password_changed_at = now
        if self.count <= 0:
            return
        PasswordHistory.objects.create(user=user, password=user.password, set_at=now)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[self.count:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()


def _older_than(moment: datetime | None, days: int) -> bool:
    return days > 0 and moment is not None and timezone.now() - moment > timedelta(days=days)


def password_expired(user) -> bool:
    """A password the user chose that is older than PASSWORD_MAX_AGE_DAYS (0: never expires)."""
    return not getattr(user, "must_change_password", False) and _older_than(
        getattr(user, "password_changed_at", None), settings.PASSWORD_MAX_AGE_DAYS
    )


def issued_password_expired(user) -> bool:
    """An issued password never replaced, older than ISSUED_PASSWORD_DAYS: it no longer signs in."""
    return getattr(user, "must_change_password", False) and _older_than(
        getattr(user, "password_changed_at", None), settings.ISSUED_PASSWORD_DAYS
    )

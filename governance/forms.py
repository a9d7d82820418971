"""Forms of the governance app."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from governance.actions import do_change_own_password


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's password change, written through a do_* action; the new password must differ."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_unchanged": _("新密码不能与当前密码相同。"),
    }

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("new_password1")
        if password and "new_password1" not in self.errors and password == cleaned.get("old_password"):
            self.add_error("new_password1", forms.ValidationError(self.error_messages["password_unchanged"],
                                                                  code="password_unchanged"))
        return cleaned

    def save(self, commit: bool = True):
        return do_change_own_password(actor=self.user, password=self.cleaned_data["new_password1"])

"""The Django admin at /admin/: for superusers only, and every write on the audit trail.

The admin is not scoped (README: the security model), so it is for those who run the whole
system. Django's own site lets in any `is_staff` account, where a staff user holding the user
permissions can tick `is_superuser` on themself, and it records its writes only in
`django_admin_log`. This site:

- lets in active superusers only (`has_permission`; its sign-in form refuses everyone else);
- mixes `AuditedAdmin` into every ModelAdmin registered on it (ours, and django.contrib.auth's,
  guardian's or any app's), so each add, change and delete made in the admin appends one
  AuditEvent (`admin.add` / `admin.change` / `admin.delete`) in the same transaction as the
  write: the model's label, the object's id and the names of the changed fields (never values);
  a save on guardian's object-permission pages (a territorial grant on a Region) is an
  `admin.change` naming the user or group and the permissions added and removed.

`install()` makes it the default site (`admin.site`, which the root URLconf serves); governance/admin.py
calls it when the admin autodiscovers the apps, before any app of ours registers a model.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, router, transaction
from django.http import HttpRequest
from django.utils.functional import empty
from django.utils.translation import gettext_lazy as _

from governance.actions import record_audit

# Where construct_change_message leaves the changed fields for the log_* call that follows it.
_CHANGED = "_gridgov_admin_changed_fields"


def territory_of(obj: models.Model) -> str:
    """The territory code an object lives in (its model's `territory_field`), or ""."""
    path = getattr(type(obj), "territory_field", "")
    value: Any = obj
    for part in path.split("__") if path else ():
        try:
            value = getattr(value, part)
        except ObjectDoesNotExist:
            return ""
        if value is None:
            return ""
    return value if isinstance(value, str) else ""


def changed_fields(form, formsets) -> list[str]:
    """The names of the fields a change form changed, and the inlines it added, changed or deleted to."""
    fields = list(form.changed_data) if form is not None else []
    if {"password1", "password2"} & set(fields):  # the admin's set-password form
        fields = ["password"]
    for formset in formsets or ():
        if formset.new_objects or formset.changed_objects or formset.deleted_objects:
            fields.append(formset.model._meta.label_lower)
    return fields


class AuditedAdmin:
    """A ModelAdmin mixin: one AuditEvent per admin add, change and delete of an object."""

    def construct_change_message(self, request: HttpRequest, form, formsets, add: bool = False):
        setattr(request, _CHANGED, changed_fields(form, formsets))
        return super().construct_change_message(request, form, formsets, add)

    def _audit(self, request: HttpRequest, action: str, obj: models.Model, fields: list[str]) -> None:
        record_audit(
            actor=request.user,
            action=f"admin.{action}",
            target=obj,
            region_code=territory_of(obj)[:15],
            detail={"model": obj._meta.label, "id": str(obj.pk), "fields": fields},
        )

    def log_addition(self, request: HttpRequest, obj: models.Model, message):
        entry = super().log_addition(request, obj, message)
        self._audit(request, "add", obj, getattr(request, _CHANGED, []))
        return entry

    def log_change(self, request: HttpRequest, obj: models.Model, message):
        entry = super().log_change(request, obj, message)
        self._audit(request, "change", obj, getattr(request, _CHANGED, []))
        return entry

    def log_deletions(self, request: HttpRequest, queryset):
        objects = list(queryset)  # called before the deletion: each object still has its pk
        entries = super().log_deletions(request, objects)
        for obj in objects:
            self._audit(request, "delete", obj, [])
        return entries

    # django-guardian's object-permission pages (RegionAdmin): a grant of scope_<cap> on a node is a
    # capability over the territory below it, so each save there is an admin change too.
    def get_obj_perms_manage_user_form(self, request: HttpRequest):
        return _audited_permissions_form(super().get_obj_perms_manage_user_form(request), request, "user")

    def get_obj_perms_manage_group_form(self, request: HttpRequest):
        return _audited_permissions_form(super().get_obj_perms_manage_group_form(request), request, "group")

    def response_action(self, request: HttpRequest, queryset):
        # Django runs list actions (delete_selected: log, then delete) outside a transaction; here
        # the audit rows and the write commit together or not at all, as in the change form.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().response_action(request, queryset)


def _audited_permissions_form(form_class, request: HttpRequest, grantee: str):
    """guardian's form for one user's (or group's) permissions on one object, saving them and one
    AuditEvent (the permissions added and removed) in one transaction."""

    class AuditedPermissionsForm(form_class):
        def save_obj_perms(self) -> None:
            chosen = set(self.cleaned_data[self.get_obj_perms_field_name()])
            before = set(self.get_obj_perms_field_initial())
            holder = getattr(self, grantee)
            with transaction.atomic(using=router.db_for_write(type(self.obj))):
                super().save_obj_perms()
                record_audit(
                    actor=request.user, action="admin.change", target=self.obj, region_code=territory_of(self.obj)[:15],
                    detail={"model": self.obj._meta.label, "id": str(self.obj.pk), "fields": ["permissions"],
                            grantee: holder.get_username() if grantee == "user" else holder.name,
                            "added": sorted(chosen - before), "removed": sorted(before - chosen)},
                )

    return AuditedPermissionsForm


class SuperuserAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _("请输入超级管理员的%(username)s和密码（区分大小写）。管理后台只对超级管理员开放。"),
    }

    def confirm_login_allowed(self, user) -> None:
        super(AdminAuthenticationForm, self).confirm_login_allowed(user)  # active; not AdminAuthenticationForm's is_staff
        if not user.is_superuser:
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login",
                                  params={"username": self.username_field.verbose_name})


class GridgovAdminSite(admin.AdminSite):
    site_header = site_title = _("gridgov 管理后台（超级管理员）")
    login_form = SuperuserAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def register(self, model_or_iterable, admin_class=None, **options) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdmin):
            admin_class = type(admin_class.__name__, (AuditedAdmin, admin_class), {"__module__": admin_class.__module__})
        super().register(model_or_iterable, admin_class, **options)


def install() -> GridgovAdminSite:
    """Make GridgovAdminSite the default site, `django.contrib.admin.site`, keeping what is registered
    on it so far (django.contrib.auth's Group, say), now audited. Idempotent.

    `admin.site` is a lazy object that Django's admin app fills with its `default_site` class; the
    settings could name this class there (an AdminConfig subclass in INSTALLED_APPS), in which case
    this does nothing. Replacing what the lazy object wraps reaches every module holding `admin.site`."""
    lazy = admin.sites.site
    current = lazy._wrapped if lazy._wrapped is not empty else None
    if isinstance(current, GridgovAdminSite):
        return current
    site = GridgovAdminSite(name=current.name if current is not None else "admin")
    if current is not None:
        site._actions = dict(current._actions)
        site._global_actions = dict(current._global_actions)
        for model, model_admin in current._registry.items():
            site.register(model, type(model_admin))
    lazy._wrapped = site
    return site

"""The Django admin: superusers only, every write audited (governance.admin_audit)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import router, transaction
from guardian.admin import GuardedModelAdmin

from governance import admin_audit
from governance.models import Department, Region, RoleAssignment, User

# Before anything of ours is registered: admin.site becomes the superuser-only, audited site.
admin_audit.install()


@admin.register(User)
class GridgovUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("gridgov", {"fields": ("name", "phone", "must_change_password")}),)
    list_display = ("username", "name", "is_active", "is_superuser")
    search_fields = ("username", "name")

    def user_change_password(self, request, id, form_url=""):
        # Django saves the new password and logs it outside a transaction; the audit row commits with it.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().user_change_password(request, id, form_url)


@admin.register(Region)
class RegionAdmin(GuardedModelAdmin):
    list_display = ("code", "name", "level", "grid_type")
    list_filter = ("level", "grid_type")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region")
    raw_id_fields = ("region",)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "region", "department")
    list_filter = ("role",)
    raw_id_fields = ("user", "region", "department")

# The audit trail is not in the admin: it is the audit administrator's to read (/audit/,
# governance.audit), append-only for everyone, the superuser included (三员分立).

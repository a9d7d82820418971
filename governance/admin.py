from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from guardian.admin import GuardedModelAdmin

from governance.models import AuditEvent, Department, Region, RoleAssignment, User


@admin.register(User)
class GridgovUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("gridgov", {"fields": ("name", "phone", "must_change_password")}),)
    list_display = ("username", "name", "is_active", "is_staff")
    search_fields = ("username", "name")


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


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "target_type", "target_id", "region_code")
    list_filter = ("action",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

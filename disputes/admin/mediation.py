"""Admin for what an admin configures for disputes: dispute types, risk criteria, committees,
rooms and mediators. (Superusers only, like the rest of /admin/.)"""

from django.contrib import admin

from disputes.models import DisputeType, MediationCommittee, MediationRoom, Mediator, RiskCriterion


@admin.register(DisputeType)
class DisputeTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_active", "sort")
    list_filter = ("is_active",)
    search_fields = ("code", "name")


@admin.register(RiskCriterion)
class RiskCriterionAdmin(admin.ModelAdmin):
    list_display = ("name", "measure", "threshold", "dispute_type", "level", "is_active")
    list_filter = ("level", "measure", "is_active")


class MediationRoomInline(admin.TabularInline):
    model = MediationRoom
    extra = 0


class MediatorInline(admin.TabularInline):
    model = Mediator
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(MediationCommittee)
class MediationCommitteeAdmin(admin.ModelAdmin):
    list_display = ("name", "region")
    search_fields = ("name", "region__code", "region__name")
    autocomplete_fields = ("region",)
    inlines = [MediationRoomInline, MediatorInline]

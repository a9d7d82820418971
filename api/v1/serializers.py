"""What /api/v1/ answers. Personal data is masked exactly as on the pages (parties' masks: the
ID number to its area code, phones with at least 4 digits hidden, the birth year only); the plain
values appear only in the answer to an audited reveal."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from disputes.models import Case, CaseEvent, CasePhoto, Category, Extension
from governance.models import Region
from grids.models import Visit
from parties.models import House, PartyBranch, Resident, Unit
from reports.models import Snapshot

# ---------------------------------------------------------------- territory


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent_id", allow_null=True, read_only=True)
    level_name = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "level_name", "parent", "grid_type"]


class RegionDetailSerializer(RegionSerializer):
    children = serializers.SerializerMethodField()
    centre = serializers.SerializerMethodField()

    class Meta(RegionSerializer.Meta):
        fields = [*RegionSerializer.Meta.fields, "centre", "boundary", "children"]

    @extend_schema_field(RegionSerializer(many=True))
    def get_children(self, obj):
        return RegionSerializer(self.context.get("children", []), many=True).data

    def get_centre(self, obj) -> list[float] | None:
        if obj.centre_lat is None or obj.centre_lng is None:
            return None
        return [float(obj.centre_lng), float(obj.centre_lat)]


class MeRoleSerializer(serializers.Serializer):
    role = serializers.CharField()
    role_name = serializers.CharField()
    region = serializers.CharField()
    region_name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    roles = MeRoleSerializer(many=True)


# ---------------------------------------------------------------- registers


class ResidentSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(source="id_number_masked", read_only=True, help_text="掩码：只显示地区码")
    phone = serializers.CharField(source="phone_masked", read_only=True, help_text="掩码：至少隐去 4 位")
    birth_year = serializers.CharField(read_only=True)
    grid = serializers.CharField(source="grid_id", read_only=True)
    house = serializers.IntegerField(source="house_id", allow_null=True, read_only=True)
    address = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()

    class Meta:
        model = Resident
        fields = ["id", "name", "id_number", "phone", "gender", "birth_year", "ethnicity", "political_status",
                  "residency_type", "grid", "house", "address", "tags"]

    def get_address(self, obj) -> str:
        return obj.house.address if obj.house_id else ""

    def get_tags(self, obj) -> list[str]:
        return [t.tag for t in getattr(obj, "active_tags", [])]


class ResidentRevealSerializer(serializers.Serializer):
    id_number = serializers.CharField()
    phone = serializers.CharField(allow_blank=True)
    birth_date = serializers.CharField(allow_blank=True)


class UnitRevealSerializer(serializers.Serializer):
    phone = serializers.CharField(allow_blank=True)


class ResidentLookupSerializer(serializers.Serializer):
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=32)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    name = serializers.CharField(required=False, allow_blank=True, max_length=64)


class ResidentLookupResultSerializer(serializers.Serializer):
    results = ResidentSerializer(many=True)
    truncated = serializers.BooleanField()


class HouseSerializer(serializers.ModelSerializer):
    grid = serializers.CharField(source="grid_id", read_only=True)
    building = serializers.CharField(source="building.name", read_only=True)
    address = serializers.CharField(read_only=True)

    class Meta:
        model = House
        fields = ["id", "grid", "building", "unit_no", "room", "address", "use", "area"]


class UnitSerializer(serializers.ModelSerializer):
    grid = serializers.CharField(source="grid_id", read_only=True)
    contact_phone = serializers.CharField(source="contact_phone_masked", read_only=True, help_text="掩码")

    class Meta:
        model = Unit
        fields = ["id", "name", "credit_code", "kind", "address", "grid", "contact_name", "contact_phone", "employees"]


class PartyBranchSerializer(serializers.ModelSerializer):
    grid = serializers.CharField(source="grid_id", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    secretary = serializers.SerializerMethodField()

    class Meta:
        model = PartyBranch
        fields = ["id", "name", "grid", "grid_name", "secretary", "established_on"]

    def get_secretary(self, obj) -> str:
        return obj.secretary.name if obj.secretary_id else ""


# ---------------------------------------------------------------- cases


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(source="parent_id", allow_null=True, read_only=True)

    class Meta:
        model = Category
        fields = ["id", "code", "name", "parent", "is_active"]


class CaseSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    status_name = serializers.CharField(source="get_status_display", read_only=True)
    category = serializers.IntegerField(source="category_id", read_only=True)
    category_name = serializers.CharField(source="category.__str__", read_only=True)
    grid = serializers.CharField(source="grid_id", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    lat = serializers.FloatField(allow_null=True, read_only=True)
    lng = serializers.FloatField(allow_null=True, read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    handler = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["id", "number", "kind", "title", "status", "status_name", "urgency", "category", "category_name",
                  "grid", "grid_name", "address", "lat", "lng", "created_at", "deadline", "is_overdue", "level",
                  "supervision", "handler", "closed_at", "rating", "version"]

    def get_handler(self, obj) -> str:
        if obj.assignee_id:
            return obj.assignee.get_full_name()
        return obj.department.name if obj.department_id else ""


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    action_name = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "at", "action", "action_name", "from_status", "to_status", "actor", "note"]

    def get_actor(self, obj) -> str:
        return obj.actor.get_full_name() if obj.actor_id else ""


class CasePhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = CasePhoto
        fields = ["id", "kind", "url"]

    def get_url(self, obj) -> str:
        return f"/api/v1/cases/{obj.case_id}/photos/{obj.pk}/"


class LinkedResidentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    id_number = serializers.CharField(source="id_number_masked")


class LinkedUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ExtensionSerializer(serializers.ModelSerializer):
    requested_by = serializers.SerializerMethodField()

    class Meta:
        model = Extension
        fields = ["id", "case", "days", "reason", "state", "requested_at", "requested_by"]

    def get_requested_by(self, obj) -> str:
        return obj.requested_by.get_full_name()


class CaseDetailSerializer(CaseSerializer):
    filer = serializers.SerializerMethodField()
    events = CaseEventSerializer(many=True, read_only=True, source="timeline")
    photos = CasePhotoSerializer(many=True, read_only=True, source="report_photos")
    residents = LinkedResidentSerializer(many=True, read_only=True, source="linked_residents")
    units = LinkedUnitSerializer(many=True, read_only=True, source="linked_units")
    allowed_actions = serializers.ListField(child=serializers.CharField(), read_only=True)
    pending_extension = ExtensionSerializer(read_only=True, allow_null=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "description", "involved", "filer", "reject_reason", "rework_count",
                  "self_handled", "merged_into", "events", "photos", "residents", "units", "allowed_actions",
                  "pending_extension"]

    def get_filer(self, obj) -> str:
        return obj.filer.get_full_name()


class TodoSerializer(serializers.Serializer):
    cases = CaseSerializer(many=True)
    extensions = ExtensionSerializer(many=True)


# ---------------------------------------------------------------- visits


class VisitSerializer(serializers.ModelSerializer):
    grid = serializers.CharField(source="grid_id", read_only=True)
    worker = serializers.SerializerMethodField()
    house = serializers.IntegerField(source="house_id", allow_null=True, read_only=True)
    resident = serializers.IntegerField(source="resident_id", allow_null=True, read_only=True)
    unit = serializers.IntegerField(source="unit_id", allow_null=True, read_only=True)
    has_photo = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = ["id", "grid", "kind", "at", "worker", "house", "resident", "unit", "place", "findings", "has_photo"]

    def get_worker(self, obj) -> str:
        return obj.worker.get_full_name() if obj.worker_id else ""

    def get_has_photo(self, obj) -> bool:
        return bool(obj.photo)


# ---------------------------------------------------------------- reports


class KpiSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    formula = serializers.CharField()
    unit = serializers.CharField()
    better = serializers.CharField()


class SnapshotSerializer(serializers.ModelSerializer):
    node = serializers.CharField(source="node_id", read_only=True)
    kpis = serializers.DictField(child=serializers.FloatField(allow_null=True), read_only=True)
    restated_kpis = serializers.DictField(child=serializers.FloatField(allow_null=True), read_only=True,
                                          allow_null=True)

    class Meta:
        model = Snapshot
        fields = ["node", "period", "status", "definition_version", "kpis", "restated_kpis", "computed_at",
                  "confirmed_at", "published_at", "restated_at"]


class PeriodsSerializer(serializers.Serializer):
    node = serializers.CharField()
    name = serializers.CharField()
    periods = serializers.ListField(child=serializers.CharField())


def now():
    return timezone.now()

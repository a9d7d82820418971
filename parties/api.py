"""Read-only JSON API on the registers: scoped like the pages, masked like the pages,
cursor-paginated (no COUNT). Plain values are never served here; reveal is a page action."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.pagination import CursorPagination

from governance.roles import Cap
from governance.scope import scoped
from parties.models import Resident, TagKind, Unit
from parties.selectors import ResidentSearch, resident_queryset


class NewestFirst(CursorPagination):
    ordering = "-id"
    page_size = 50


class ResidentSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    address = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()

    class Meta:
        model = Resident
        fields = ["id", "name", "id_number", "phone", "gender", "birth_date", "ethnicity", "political_status",
                  "residency_type", "grid", "house", "address", "tags"]

    def get_address(self, obj: Resident) -> str:
        return obj.house.address if obj.house_id else ""

    def get_tags(self, obj: Resident) -> list[str]:
        return [t.tag for t in getattr(obj, "active_tags", [])]


class ResidentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ResidentSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        p = self.request.query_params
        tag = p.get("tag", "")
        if tag and tag not in TagKind.values:
            raise APIValidationError({"tag": _("人员标签无效。")})
        search = ResidentSearch(name=p.get("name", "")[:64], id_number=p.get("id_number", "")[:32],
                                phone=p.get("phone", "")[:32], building=p.get("building", "")[:64],
                                room=p.get("room", "")[:16], tag=tag)
        if self.action == "retrieve":
            search = ResidentSearch()
        qs = resident_queryset(self.request.user, search)
        if search.errors:
            raise APIValidationError({"id_number": search.errors})
        return qs


class UnitSerializer(serializers.ModelSerializer):
    contact_phone = serializers.CharField(source="contact_phone_masked", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "name", "credit_code", "kind", "address", "grid", "contact_name", "contact_phone", "employees"]


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return scoped(Unit.objects.all(), self.request.user, Cap.VIEW_REGISTER)

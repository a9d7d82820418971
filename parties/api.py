"""Read-only JSON API on the registers: scoped like the pages, masked like the pages,
cursor-paginated (no COUNT). Plain values are never served here; reveal is a page action.

No ID number or phone goes into a URL: GET /api/registers/residents/ filters by name, building,
room and tag only; an exact look-up by ID number or phone is POST /api/registers/residents/search/
({"id_number": …} or {"phone": …}, JSON or form), audited and rate-limited like the page's
(parties.lookups), answering at most 50 rows. Birth dates are given as the year only."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from governance.roles import Cap
from governance.scope import scoped
from parties import actions, lookups
from parties.models import Resident, TagKind, Unit
from parties.selectors import ResidentSearch, resident_queryset

LOOKUP_LIMIT = 50


class NewestFirst(CursorPagination):
    ordering = "-id"
    page_size = 50


class TooManyLookups(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "throttled"

    def __init__(self, error: lookups.TooManyLookups):
        super().__init__(error.message)
        self.wait = error.retry_after  # DRF's handler sends it as Retry-After


class NotCached:
    """Register data is personal: no browser or proxy keeps a copy."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response


class ResidentSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    birth_year = serializers.CharField(read_only=True)
    address = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()

    class Meta:
        model = Resident
        fields = ["id", "name", "id_number", "phone", "gender", "birth_year", "ethnicity", "political_status",
                  "residency_type", "grid", "house", "address", "tags"]

    def get_address(self, obj: Resident) -> str:
        return obj.house.address if obj.house_id else ""

    def get_tags(self, obj: Resident) -> list[str]:
        return [t.tag for t in getattr(obj, "active_tags", [])]


def _text(data, name: str, limit: int) -> str:
    value = data.get(name, "")
    if not isinstance(value, str) or "\x00" in value:  # PostgreSQL refuses NUL in text: a 400, not a 500
        raise APIValidationError({name: _("须为文本。")})
    return value.strip()[:limit]


class ResidentViewSet(NotCached, viewsets.ReadOnlyModelViewSet):
    serializer_class = ResidentSerializer
    pagination_class = NewestFirst

    def _search(self, data) -> ResidentSearch:
        tag = _text(data, "tag", 32)
        if tag and tag not in TagKind.values:
            raise APIValidationError({"tag": _("人员标签无效。")})
        return ResidentSearch(name=_text(data, "name", 64), building=_text(data, "building", 64),
                              room=_text(data, "room", 16), tag=tag)

    def get_queryset(self):
        p = self.request.query_params
        if self.action == "retrieve":
            search = ResidentSearch()
        else:
            for name in ("id_number", "phone"):
                if p.get(name):
                    raise APIValidationError({name: _("身份证号和电话不能放在网址中：请用 POST /api/registers/residents/search/ 精确查找。")})
            search = self._search(p)
        return resident_queryset(self.request.user, search)

    @action(detail=False, methods=["post"])
    def search(self, request):
        """An exact look-up by ID number or phone (with the other filters if given); at most 50 rows."""
        data = request.data
        if not hasattr(data, "get"):
            raise APIValidationError({"id_number": _("请提交 JSON 对象或表单。")})
        search = self._search(data)
        search.id_number, search.phone = _text(data, "id_number", 32), _text(data, "phone", 32)
        if not (search.id_number or search.phone):
            raise APIValidationError({"id_number": _("请提供完整的身份证号或电话。")})
        qs = resident_queryset(request.user, search)
        if search.errors:
            raise APIValidationError({"id_number" if search.id_number else "phone": search.errors})
        try:
            rows = actions.do_look_up(actor=request.user, what="resident", exact=search.exact,
                                      rows=qs.order_by("-pk"), source="api", limit=LOOKUP_LIMIT + 1)
        except lookups.TooManyLookups as e:
            raise TooManyLookups(e) from None
        return Response({"results": self.get_serializer(rows[:LOOKUP_LIMIT], many=True).data,
                         "truncated": len(rows) > LOOKUP_LIMIT})


class UnitSerializer(serializers.ModelSerializer):
    contact_phone = serializers.CharField(source="contact_phone_masked", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "name", "credit_code", "kind", "address", "grid", "contact_name", "contact_phone", "employees"]


class UnitViewSet(NotCached, viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return scoped(Unit.objects.all(), self.request.user, Cap.VIEW_REGISTER)

"""GET/POST /api/v1/visits/ and GET /api/v1/visits/{id}/: the grid log, scoped (VIEW_REGISTER) as
the visits page; logging one is grids.actions.do_log_visit (CHANGE_REGISTER on the grid)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from api.v1 import serializers as s
from api.v1.base import MAX_ID, ApiView, bounded_id, digits
from governance.models import Region
from governance.roles import Cap, Level
from governance.scope import get_in_scope_or_404, scoped
from grids.actions import do_log_visit
from grids.models import Visit, VisitKind
from parties.models import House, Resident, Unit

TAGS = ["visits"]


def _p(name: str, description: str, enum=None, type_=OpenApiTypes.STR):
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, required=False, description=description, enum=enum)


class LogVisitSerializer(serializers.Serializer):
    grid = serializers.CharField(max_length=15)
    kind = serializers.ChoiceField(choices=VisitKind.choices, default=VisitKind.VISIT)
    findings = serializers.CharField(max_length=2000, allow_blank=True)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    house = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None)
    resident = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None)
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None)
    photo = serializers.FileField(required=False, allow_null=True, default=None)


class VisitListView(ApiView):
    serializer_class = s.VisitSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(summary="走访巡查记录", operation_id="visits_list", responses=s.VisitSerializer(many=True), tags=TAGS, parameters=[
        _p("grid", "区划或网格编码（前缀）"), _p("kind", "类型", VisitKind.values), _p("mine", "1：只看我的", ["1"]),
        _p("from", "日期起", type_=OpenApiTypes.DATE), _p("to", "日期止", type_=OpenApiTypes.DATE)])
    def get(self, request):
        p = request.query_params
        qs = scoped(Visit.objects.all(), request.user, Cap.VIEW_REGISTER)
        grid, kind = p.get("grid", "").strip(), p.get("kind", "")
        if grid:
            if not digits(grid, 15):
                raise ValidationError({"grid": [_("网格编码只能由数字组成。")]})
            qs = qs.filter(grid__code__startswith=grid)
        if kind:
            if kind not in VisitKind.values:
                raise ValidationError({"kind": [_("记录类型筛选条件不正确。")]})
            qs = qs.filter(kind=kind)
        if p.get("mine") == "1":
            qs = qs.filter(worker=request.user)
        for key, lookup, days in (("from", "at__gte", 0), ("to", "at__lt", 1)):
            value = p.get(key, "")
            if value:
                try:
                    day = date.fromisoformat(value) + timedelta(days=days)
                except (ValueError, OverflowError):
                    raise ValidationError({key: [_("日期格式应为 YYYY-MM-DD。")]}) from None
                qs = qs.filter(**{lookup: timezone.make_aware(datetime.combine(day, datetime.min.time()))})
        page = self.paginate_queryset(qs.select_related("worker"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(summary="记录一次走访或巡查（可附照片）", tags=TAGS,
                   request={"application/json": LogVisitSerializer, "multipart/form-data": LogVisitSerializer},
                   responses={201: s.VisitSerializer})
    def post(self, request):
        form = LogVisitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        grid = scoped(Region.objects.filter(level=Level.GRID), request.user, Cap.VIEW).filter(code=d["grid"]).first()
        if grid is None:
            raise ValidationError({"grid": [_("网格不存在或不在您的辖区内。")]})
        target = {}
        for name, model in (("house", House), ("resident", Resident), ("unit", Unit)):
            if d[name] is not None:
                found = scoped(model.objects.all(), request.user, Cap.VIEW_REGISTER).filter(pk=d[name]).first()
                if found is None:
                    raise ValidationError({name: [_("不存在或不在您的辖区内。")]})
                target[name] = found
        visit = do_log_visit(actor=request.user, grid=grid, kind=d["kind"], findings=d["findings"], place=d["place"],
                             at=d["at"], photo=d["photo"], **target)
        return Response(s.VisitSerializer(visit).data, status=201)


class VisitDetailView(ApiView):
    @extend_schema(summary="一条走访巡查记录", tags=TAGS, responses=s.VisitSerializer)
    def get(self, request, pk: int):
        qs = Visit.objects.select_related("worker")
        return Response(s.VisitSerializer(get_in_scope_or_404(qs, request.user, Cap.VIEW_REGISTER, pk=bounded_id(pk))).data)

"""The registers under /api/v1/: residents, houses, units, party branches. Every read through
parties.selectors (scoped VIEW_REGISTER, 404 outside), masked as the pages; a reveal is its own
POST, audited by parties.actions.do_reveal_pii (403 without REVEAL_PII on the record's grid);
exact look-ups by ID number or phone only by POST, audited and rate-limited (parties.lookups)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.v1 import serializers as s
from api.v1.base import ApiView, bounded_id, digits
from governance.roles import Cap
from governance.scope import scoped
from parties import actions, lookups, selectors
from parties.api import TooManyLookups  # the 429 the register API has always answered with
from parties.models import House, PartyBranch, TagKind, UnitKind

LOOKUP_LIMIT = 50


def _text(params, name: str, limit: int) -> str:
    value = params.get(name, "")
    if not isinstance(value, str):
        raise ValidationError({name: [_("须为文本。")]})
    if "\x00" in value:
        raise ValidationError({name: [_("含有不允许的字符。")]})
    return value.strip()[:limit]


def _grid(params) -> str:
    grid = _text(params, "grid", 15)
    if grid and not digits(grid, 15):
        raise ValidationError({"grid": [_("网格编码只能由数字组成。")]})
    return grid


def _p(name: str, description: str, enum=None, type_=OpenApiTypes.STR):
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, required=False, description=description, enum=enum)


GRID = _p("grid", "区划或网格编码（前缀）")
TAGS = ["registers"]

# ---------------------------------------------------------------- residents


def _resident_search(params) -> selectors.ResidentSearch:
    tag = _text(params, "tag", 32)
    if tag and tag not in TagKind.values:
        raise ValidationError({"tag": [_("人员标签无效。")]})
    return selectors.ResidentSearch(name=_text(params, "name", 64), building=_text(params, "building", 64),
                                    room=_text(params, "room", 16), tag=tag, grid=_grid(params))


class ResidentListView(ApiView):
    serializer_class = s.ResidentSerializer

    @extend_schema(summary="实有人口（掩码）", operation_id="residents_list", responses=s.ResidentSerializer(many=True), tags=TAGS, parameters=[
        _p("name", "姓名前缀"), _p("building", "楼栋前缀"), _p("room", "房号"), _p("tag", "人员标签", TagKind.values), GRID,
        _p("id_number", "不允许：身份证号请用 POST …/residents/search/"), _p("phone", "不允许：电话请用 POST …/residents/search/"),
    ])
    def get(self, request):
        p = request.query_params
        for name in ("id_number", "phone"):
            if p.get(name):
                raise ValidationError({name: [_("身份证号和电话不能放在网址中：请用 POST /api/v1/residents/search/ 精确查找。")]})
        qs = selectors.resident_queryset(request.user, _resident_search(p))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ResidentSearchView(ApiView):
    serializer_class = s.ResidentLookupSerializer

    @extend_schema(summary="按身份证号或电话精确查找（审计、限频）", tags=TAGS, request=s.ResidentLookupSerializer,
                   responses=s.ResidentLookupResultSerializer)
    def post(self, request):
        form = s.ResidentLookupSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        search = selectors.ResidentSearch(name=d.get("name", "").strip(), id_number=d.get("id_number", "").strip(),
                                          phone=d.get("phone", "").strip())
        if not (search.id_number or search.phone):
            raise ValidationError({"id_number": [_("请提供完整的身份证号或电话。")]})
        qs = selectors.resident_queryset(request.user, search)
        if search.errors:
            raise ValidationError({"id_number" if search.id_number else "phone": search.errors})
        try:
            rows = actions.do_look_up(actor=request.user, what="resident", exact=search.exact,
                                      rows=qs.order_by("-pk"), source="api", limit=LOOKUP_LIMIT + 1)
        except lookups.TooManyLookups as e:
            raise TooManyLookups(e) from None
        return Response({"results": s.ResidentSerializer(rows[:LOOKUP_LIMIT], many=True).data,
                         "truncated": len(rows) > LOOKUP_LIMIT})


class ResidentDetailView(ApiView):
    @extend_schema(summary="一名居民（掩码）", tags=TAGS, responses=s.ResidentSerializer)
    def get(self, request, pk: int):
        resident = selectors.get_resident(request.user, bounded_id(pk))
        resident.active_tags = [t for t in selectors.resident_tags(resident, request.user) if t.active]
        return Response(s.ResidentSerializer(resident).data)


class ResidentRevealView(ApiView):
    @extend_schema(summary="查看完整身份证号、电话和出生日期（审计；须有查看敏感信息权限）", tags=TAGS, request=None,
                   responses=s.ResidentRevealSerializer)
    def post(self, request, pk: int):
        resident = selectors.get_resident(request.user, bounded_id(pk))
        return Response(actions.do_reveal_pii(actor=request.user, target=resident))


# ---------------------------------------------------------------- houses


class HouseListView(ApiView):
    serializer_class = s.HouseSerializer

    @extend_schema(summary="房屋", operation_id="houses_list", responses=s.HouseSerializer(many=True), tags=TAGS,
                   parameters=[_p("building", "楼栋前缀"), _p("room", "房号"), GRID])
    def get(self, request):
        p = request.query_params
        qs = scoped(House.objects.all(), request.user, Cap.VIEW_REGISTER)
        building, room, grid = _text(p, "building", 64), _text(p, "room", 16), _grid(p)
        if building:
            qs = qs.filter(building__name__startswith=building)
        if room:
            qs = qs.filter(room=room)
        if grid:
            qs = qs.filter(grid__code__startswith=grid)
        page = self.paginate_queryset(qs.select_related("building"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class HouseDetailView(ApiView):
    @extend_schema(summary="一处房屋", tags=TAGS, responses=s.HouseSerializer)
    def get(self, request, pk: int):
        return Response(s.HouseSerializer(selectors.get_house(request.user, bounded_id(pk))).data)


# ---------------------------------------------------------------- units


class UnitListView(ApiView):
    serializer_class = s.UnitSerializer

    @extend_schema(summary="实有单位（电话掩码）", operation_id="units_list", responses=s.UnitSerializer(many=True), tags=TAGS, parameters=[
        _p("name", "名称前缀"), _p("credit_code", "统一社会信用代码"), _p("kind", "单位类别", UnitKind.values), GRID])
    def get(self, request):
        p = request.query_params
        kind = _text(p, "kind", 16)
        if kind and kind not in UnitKind.values:
            raise ValidationError({"kind": [_("单位类别无效。")]})
        qs = selectors.unit_queryset(request.user, name=_text(p, "name", 64), credit_code=_text(p, "credit_code", 18),
                                     kind=kind, grid=_grid(p))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class UnitDetailView(ApiView):
    @extend_schema(summary="一个单位（电话掩码）", tags=TAGS, responses=s.UnitSerializer)
    def get(self, request, pk: int):
        return Response(s.UnitSerializer(selectors.get_unit(request.user, bounded_id(pk))).data)


class UnitRevealView(ApiView):
    @extend_schema(summary="查看单位完整联系电话（审计）", tags=TAGS, request=None, responses=s.UnitRevealSerializer)
    def post(self, request, pk: int):
        unit = selectors.get_unit(request.user, bounded_id(pk))
        return Response(actions.do_reveal_pii(actor=request.user, target=unit))


# ---------------------------------------------------------------- party branches


class PartyBranchListView(ApiView):
    serializer_class = s.PartyBranchSerializer

    @extend_schema(summary="网格党支部", operation_id="party_branches_list", responses=s.PartyBranchSerializer(many=True), tags=TAGS)
    def get(self, request):
        qs = scoped(PartyBranch.objects.all(), request.user, Cap.VIEW_REGISTER).select_related("grid", "secretary")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class PartyBranchDetailView(ApiView):
    @extend_schema(summary="一个网格党支部", tags=TAGS, responses=s.PartyBranchSerializer)
    def get(self, request, pk: int):
        return Response(s.PartyBranchSerializer(selectors.get_party_branch(request.user, bounded_id(pk))).data)

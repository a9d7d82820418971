"""GET /api/v1/me/, /api/v1/territory/, /api/v1/territory/{code}/: the user's roles and the
territory tree, scoped (VIEW) like the territory page."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from api.v1 import serializers as s
from api.v1.base import ApiView, digits
from governance.models import Region
from governance.roles import Cap
from governance.scope import get_in_scope_or_404, role_assignments, scoped, top_regions

CHILDREN_LIMIT = 1000  # a node has tens of children; never a whole city's 20,000 grids at once


class MeView(ApiView):
    @extend_schema(summary="当前用户及其角色", responses=s.MeSerializer, tags=["territory"])
    def get(self, request):
        user = request.user
        roles = [{"role": a.role, "role_name": a.get_role_display(), "region": a.region_id, "region_name": a.region.name}
                 for a in role_assignments(user)]
        return Response(s.MeSerializer({"username": user.username, "name": user.get_full_name(), "roles": roles}).data)


class TerritoryRootView(ApiView):
    pagination_class = None

    @extend_schema(summary="我的最高辖区节点", responses=s.RegionSerializer(many=True), tags=["territory"])
    def get(self, request):
        return Response(s.RegionSerializer(top_regions(request.user, Cap.VIEW), many=True).data)


class TerritoryNodeView(ApiView):
    @extend_schema(summary="辖区节点及其下级", responses=s.RegionDetailSerializer, tags=["territory"])
    def get(self, request, code: str):
        if not digits(code, 15):
            return get_in_scope_or_404(Region.objects.none(), request.user, Cap.VIEW, code=code)
        node = get_in_scope_or_404(Region.objects.all(), request.user, Cap.VIEW, code=code)
        children = list(scoped(Region.objects.filter(parent=node), request.user, Cap.VIEW).order_by("code")[:CHILDREN_LIMIT])
        return Response(s.RegionDetailSerializer(node, context={"children": children}).data)

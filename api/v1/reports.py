"""Reports (八个一) under /api/v1/: the KPI definitions, a node's periods and one period's snapshot,
read through reports.selectors (scoped VIEW_CASES: 404 outside, as the report pages)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.v1 import serializers as s
from api.v1.base import ApiView, digits
from governance.actions import validation_message
from reports import selectors
from reports.kpis import KPIS
from reports.periods import parse

TAGS = ["reports"]


def _region(request, code: str):
    if not digits(code, 15):
        raise Http404(_("不存在或不在您的辖区内。"))
    return selectors.region_for_user(request.user, code)


class KpiListView(ApiView):
    pagination_class = None

    @extend_schema(summary="指标定义", tags=TAGS, responses=s.KpiSerializer(many=True))
    def get(self, request):
        rows = [{"code": k.code, "name": str(k.name), "formula": str(k.formula), "unit": str(k.unit), "better": k.better}
                for k in KPIS]
        return Response(s.KpiSerializer(rows, many=True).data)


class ReportPeriodsView(ApiView):
    @extend_schema(summary="一个区划已有报告的报告期（新的在前）", tags=TAGS, operation_id="reports_periods", responses=s.PeriodsSerializer)
    def get(self, request, code: str):
        region = _region(request, code)
        return Response({"node": region.code, "name": region.name, "periods": selectors.periods_of(request.user, region)})


class ReportSnapshotView(ApiView):
    @extend_schema(summary="一个区划一个报告期的指标快照", tags=TAGS, responses=s.SnapshotSerializer)
    def get(self, request, code: str, period: str):
        region = _region(request, code)
        try:
            p = parse(period)
        except DjangoValidationError as e:
            raise ValidationError({"period": [validation_message(e)]}) from None
        snap = selectors.snapshot_of(request.user, region, p)
        if snap is None:
            raise Http404(_("该区划本期报告尚未生成。"))
        return Response(s.SnapshotSerializer(snap).data)

"""The dispute risk register (风险台账) under /api/v1/risks/: the list with the register page's filters
(disputes.selectors.mediation.filtered_risk_register, on scoped()), an entry with its reviews and what
the user may do now (allowed_risk_actions, with the owners it may name: risk_owner_candidates), and
定人定责定措施 (update), 研判 (review) and 销号 (close) as POSTs through the same do_* actions as the
entry's page. An entry is versioned with its dispute's case: `version` is the dispute's, a stale one
is 409."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from api.v1.base import ApiView, bounded_id
from api.v1.cases import Versioned
from disputes.actions import mediation as actions
from disputes.models import RiskEntry, RiskLevel
from disputes.selectors.mediation import (
    allowed_risk_actions,
    filtered_risk_register,
    risk_entry_for_detail,
    risk_owner_candidates,
)

TAGS = ["risks"]
OWNER_CHOICES = 200  # as the entry page's <select>


class NewestEntryFirst(CursorPagination):
    """Cursor pages by id, the newest entry first (the page orders by level and review date; a
    client filters by `level`)."""

    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class PersonSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")


class RiskEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    dispute = serializers.IntegerField(source="dispute_id")
    title = serializers.CharField(source="dispute.case.title")
    grid = serializers.CharField(source="grid_id")
    grid_name = serializers.CharField(source="grid.name")
    level = serializers.ChoiceField(choices=RiskLevel.choices, help_text="2 较大，3 重大")
    outcome = serializers.CharField(source="dispute.outcome", help_text="纠纷的调解结果")
    owner = serializers.SerializerMethodField(help_text="责任人姓名；未落实为 null")
    responsibility = serializers.CharField()
    measures = serializers.CharField()
    next_review = serializers.DateField(allow_null=True)
    review_overdue = serializers.BooleanField()
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(source="dispute.case.version", help_text="所属纠纷（事件）的版本（乐观锁）")

    def get_owner(self, entry) -> str | None:
        return entry.owner.get_full_name() if entry.owner_id else None


class RiskReviewSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    by = serializers.SerializerMethodField()
    note = serializers.CharField()
    next_review = serializers.DateField(allow_null=True)

    def get_by(self, review) -> str:
        return review.by.get_full_name() if review.by_id else ""


class RiskEntryDetailSerializer(RiskEntrySerializer):
    dispute_type = serializers.CharField(source="dispute.dispute_type.name")
    closed_by = serializers.SerializerMethodField()
    close_note = serializers.CharField()
    reviews = RiskReviewSerializer(many=True, source="review_list")
    allowed_actions = serializers.ListField(child=serializers.ChoiceField(choices=["update", "review", "close"]))
    owner_candidates = PersonSerializer(many=True, help_text="可指定的责任人（可更新时列出，至多 200 人）")

    def get_closed_by(self, entry) -> str | None:
        return entry.closed_by.get_full_name() if entry.closed_by_id else None


def get_entry(user, pk) -> RiskEntry:
    entry = risk_entry_for_detail(user, bounded_id(pk))
    if entry is None:
        raise Http404(_("不存在或不在您的辖区内。"))
    return entry


def entry_detail(user, entry: RiskEntry) -> dict:
    allowed = allowed_risk_actions(user, entry)
    entry.review_list = list(entry.reviews.select_related("by"))
    entry.allowed_actions = sorted(allowed)
    entry.owner_candidates = list(risk_owner_candidates(entry)[:OWNER_CHOICES]) if "update" in allowed else []
    return RiskEntryDetailSerializer(entry).data


def _p(name, description, enum=None, type_=OpenApiTypes.STR):
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, required=False, description=description, enum=enum)


class RiskListView(ApiView):
    serializer_class = RiskEntrySerializer
    pagination_class = NewestEntryFirst

    @extend_schema(summary="风险台账（与风险台账页相同的范围与筛选；较大、重大风险的纠纷）", operation_id="risks_list",
                   tags=TAGS, responses=RiskEntrySerializer(many=True), parameters=[
                       _p("closed", "1：已销号的；其他：在册的", ["0", "1"]),
                       _p("level", "风险等级", [str(v) for v in RiskLevel.values]),
                       _p("grid", "区划或网格编码（前缀）")])
    def get(self, request):
        qs, _cleaned, errors = filtered_risk_register(request.user, request.query_params)
        if errors:
            raise ValidationError({"non_field_errors": errors})
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class RiskDetailView(ApiView):
    @extend_schema(summary="风险台账条目：研判记录、当前可做的操作（及可指定的责任人）", tags=TAGS,
                   responses=RiskEntryDetailSerializer)
    def get(self, request, pk: int):
        return Response(entry_detail(request.user, get_entry(request.user, pk)))


class UpdateInput(Versioned):
    owner = serializers.CharField(max_length=150, required=False, allow_blank=True, default="",
                                  help_text="责任人登录名（见条目的 owner_candidates）")
    responsibility = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    measures = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    next_review = serializers.DateField(required=False, allow_null=True, default=None)


class ReviewInput(Versioned):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="",
                                 help_text="研判情况（动作在权限之后检查是否必填）")
    next_review = serializers.DateField(required=False, allow_null=True, default=None)


class CloseInput(Versioned):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="", help_text="销号说明")


def _update(request, entry, d):
    owner = None
    if d["owner"]:
        owner = risk_owner_candidates(entry).filter(username=d["owner"]).first()
        if owner is None:
            raise ValidationError({"owner": [_("责任人不存在。")]})
    actions.do_update_risk_entry(actor=request.user, entry=entry, version=d["version"], owner=owner,
                                 responsibility=d["responsibility"], measures=d["measures"],
                                 next_review=d["next_review"])


STEPS = {
    "update": (_l("定人、定责、定措施"), UpdateInput, _update),
    "review": (_l("研判（责任人或风险管理人员）"), ReviewInput, lambda r, e, d: actions.do_review_risk(
        actor=r.user, entry=e, version=d["version"], note=d["note"], next_review=d["next_review"])),
    "close": (_l("销号（风险已消除）"), CloseInput, lambda r, e, d: actions.do_close_risk(
        actor=r.user, entry=e, version=d["version"], note=d["note"])),
}


def _step_view(name, summary, form_class, perform):
    class RiskStepView(ApiView):
        @extend_schema(summary=str(summary), tags=TAGS, operation_id=f"risks_{name}", request=form_class,
                       responses={200: RiskEntryDetailSerializer})
        def post(self, request, pk: int):
            entry = get_entry(request.user, pk)
            form = form_class(data=request.data)
            form.is_valid(raise_exception=True)
            perform(request, entry, form.validated_data)
            return Response(entry_detail(request.user, get_entry(request.user, pk)))

    RiskStepView.__name__ = RiskStepView.__qualname__ = f"Risk{name.title()}View"
    return RiskStepView


STEP_VIEWS = {name: _step_view(name, *spec) for name, spec in STEPS.items()}

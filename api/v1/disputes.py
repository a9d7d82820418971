"""Disputes (矛盾纠纷) under /api/v1/disputes/: the list with the dispute list's filters
(disputes.selectors.mediation.dispute_list on visible_disputes), filing (do_file_dispute), the
detail (the dispute, its parties masked as on the page, sessions, follow-ups, its risk register
entry, what the user may do now: allowed_dispute_actions), the mediation steps, the risk assessment,
adding a party and the follow-ups as their own POSTs through the same do_* actions as the dispute
page (each with the version of the dispute's case: a stale one is 409), and a party's reveal
(do_reveal_party: audited, REVEAL_PII). The risk register itself is /api/v1/risks/ (api.v1.risks). The case steps
of a dispute (accept, assign, verify…) are the case endpoints (/api/v1/cases/{id}/…)."""

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

from api.v1 import serializers as s
from api.v1.base import MAX_ID, ApiView, bounded_id, digits
from api.v1.cases import Versioned, detail, get_case
from api.v1.risks import RiskEntrySerializer
from disputes.actions import mediation as actions
from disputes.models import DisputeType, MediationRoom, MediationSession, Urgency
from disputes.models.mediation import IdType, Outcome, PartyKind, PartySide, ReferralTarget, RiskLevel, Source
from disputes.selectors.mediation import (
    allowed_dispute_actions,
    dispute_for_detail,
    dispute_list,
    follow_ups_of,
    party_rows,
    risk_entries_of,
)
from governance.models import Region, User
from governance.roles import Cap, Level
from governance.scope import scoped

TAGS = ["disputes"]


class ByCase(CursorPagination):
    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class DisputeTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DisputeType
        fields = ["id", "code", "name", "is_active"]


class PartyRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    side = serializers.CharField(source="side_code")
    side_name = serializers.CharField(source="side")
    kind = serializers.CharField()
    name = serializers.CharField()
    id_type = serializers.CharField()
    id_number = serializers.CharField(help_text="掩码；仅在 reveal 的应答中为完整号码")
    phone = serializers.CharField()
    address = serializers.CharField()
    resident = serializers.IntegerField(source="resident_id", allow_null=True)
    unit = serializers.IntegerField(source="unit_id", allow_null=True)


class SessionSerializer(serializers.ModelSerializer):
    room = serializers.CharField(source="room.name", default="", read_only=True)

    class Meta:
        model = MediationSession
        fields = ["id", "at", "room", "place", "held", "attendees", "agreed", "recorded_at"]


class FollowUpSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    due = serializers.DateField()
    owner = serializers.CharField(source="owner.get_full_name", help_text="回访人")
    pending = serializers.BooleanField(source="is_pending", help_text="待回访（未完成、未取消）")
    done_at = serializers.DateTimeField(allow_null=True)
    holds = serializers.BooleanField(allow_null=True, help_text="协议履行良好；未回访为 null")
    note = serializers.CharField()
    cancelled = serializers.BooleanField(help_text="纠纷重新调解，该回访已取消")
    may_record = serializers.BooleanField(help_text="当前用户可以记录该回访")


class DisputeSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField(source="case.title")
    status = serializers.CharField(source="case.status")
    grid = serializers.CharField(source="case.grid_id")
    dispute_type = serializers.CharField(source="dispute_type.name")
    source = serializers.CharField()
    risk_level = serializers.IntegerField()
    outcome = serializers.CharField()
    mediation_due = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField(source="case.created_at")
    version = serializers.IntegerField(source="case.version")


class DisputeDetailSerializer(DisputeSummarySerializer):
    source_detail = serializers.CharField()
    people_count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    threat_violence = serializers.BooleanField()
    threat_petition = serializers.BooleanField()
    risk_reasons = serializers.ListField(child=serializers.CharField())
    agreement_no = serializers.CharField()
    terms = serializers.CharField()
    referred_to = serializers.CharField()
    parties = PartyRowSerializer(many=True, source="party_list")
    sessions = SessionSerializer(many=True, source="session_list")
    follow_ups = FollowUpSerializer(many=True, source="follow_up_list")
    risk_entry = RiskEntrySerializer(source="risk_entry_row", allow_null=True,
                                     help_text="风险台账条目（在册的，否则最近销号的；未入台账为 null）")
    allowed_actions = serializers.ListField(child=serializers.CharField())
    case = s.CaseDetailSerializer(source="case_detail")


def get_dispute(user, pk):
    dispute = dispute_for_detail(user, bounded_id(pk))
    if dispute is None:
        raise Http404(_("不存在或不在您的辖区内。"))
    return dispute


def dispute_detail(user, dispute, revealed=frozenset()) -> dict:
    dispute.party_list = party_rows(dispute, revealed)
    dispute.session_list = list(dispute.sessions.select_related("room").order_by("at"))
    allowed = allowed_dispute_actions(user, dispute)
    dispute.allowed_actions = sorted(allowed)
    dispute.follow_up_list = follow_ups_of(user, dispute, allowed)
    entries = risk_entries_of(dispute)
    dispute.risk_entry_row = next((e for e in entries if e.closed_at is None), entries[0] if entries else None)
    if dispute.risk_entry_row is not None:
        dispute.risk_entry_row.dispute = dispute
    dispute.case_detail = None
    data = DisputeDetailSerializer(dispute).data
    data["case"] = detail(user, get_case(user, dispute.pk))
    return data


def _p(name, description, enum=None, type_=OpenApiTypes.STR):
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, required=False, description=description, enum=enum)


class DisputeTypeListView(ApiView):
    pagination_class = None

    @extend_schema(summary="纠纷类型", tags=TAGS, responses=DisputeTypeSerializer(many=True))
    def get(self, request):
        return Response(DisputeTypeSerializer(DisputeType.objects.filter(is_active=True).order_by("sort", "code")[:500],
                                              many=True).data)


class PartyInput(serializers.Serializer):
    side = serializers.ChoiceField(choices=PartySide.choices)
    resident = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None,
                                        help_text="实有人口 id（登记在册的当事人；姓名证件电话不复制）")
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None)
    kind = serializers.ChoiceField(choices=PartyKind.choices, required=False, default=PartyKind.PERSON)
    name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    id_type = serializers.ChoiceField(choices=IdType.choices, required=False, allow_blank=True, default="")
    id_number = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class FileDisputeInput(serializers.Serializer):
    grid = serializers.CharField(max_length=15)
    dispute_type = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    title = serializers.CharField(max_length=80)
    description = serializers.CharField(max_length=2000)
    parties = PartyInput(many=True)
    source = serializers.ChoiceField(choices=Source.choices, default=Source.PATROL)
    source_detail = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    people_count = serializers.IntegerField(min_value=1, max_value=100000, default=2)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, default=0)
    threat_violence = serializers.BooleanField(default=False)
    threat_petition = serializers.BooleanField(default=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    address = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class DisputeListView(ApiView):
    serializer_class = DisputeSummarySerializer
    pagination_class = ByCase

    @extend_schema(summary="矛盾纠纷列表（与纠纷列表页相同的范围与筛选）", operation_id="disputes_list", tags=TAGS,
                   responses=DisputeSummarySerializer(many=True), parameters=[
                       _p("outcome", "调解结果", Outcome.values), _p("source", "来源", Source.values),
                       _p("risk", "风险等级", [str(v) for v in RiskLevel.values]), _p("type", "纠纷类型 id", type_=OpenApiTypes.INT)])
    def get(self, request):
        kind = request.query_params.get("type", "")
        if kind and not digits(kind, 9):
            raise ValidationError({"type": [_("纠纷类型筛选条件不正确。")]})
        qs, _cleaned, errors = dispute_list(request.user, request.query_params)
        if errors:
            raise ValidationError({"non_field_errors": errors})
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(summary="登记矛盾纠纷（事件与纠纷详情一次写入，风险自动评估）", tags=TAGS, request=FileDisputeInput,
                   responses={201: DisputeDetailSerializer})
    def post(self, request):
        form = FileDisputeInput(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        grid = scoped(Region.objects.filter(level=Level.GRID), request.user, Cap.VIEW).filter(code=d.pop("grid")).first()
        if grid is None:
            raise ValidationError({"grid": [_("网格不存在或不在您的辖区内。")]})
        dispute_type = DisputeType.objects.filter(pk=d.pop("dispute_type"), is_active=True).first()
        if dispute_type is None:
            raise ValidationError({"dispute_type": [_("纠纷类型不存在或已停用。")]})
        parties = [{k: v for k, v in p.items() if v not in (None, "")} for p in d.pop("parties")]
        dispute = actions.do_file_dispute(actor=request.user, grid=grid, dispute_type=dispute_type, parties=parties, **d)
        return Response(dispute_detail(request.user, get_dispute(request.user, dispute.pk)), status=201)


class DisputeDetailView(ApiView):
    @extend_schema(summary="纠纷详情：当事人（掩码）、调解记录、当前可做的操作及其事件", tags=TAGS,
                   responses=DisputeDetailSerializer)
    def get(self, request, pk: int):
        return Response(dispute_detail(request.user, get_dispute(request.user, pk)))


class PartyRevealView(ApiView):
    @extend_schema(summary="查看一名当事人的完整证件号和电话（审计；须有查看敏感信息权限）", tags=TAGS, request=None,
                   responses=PartyRowSerializer)
    def post(self, request, pk: int, party_pk: int):
        dispute = get_dispute(request.user, pk)
        party = dispute.parties.filter(pk=bounded_id(party_pk)).first()
        if party is None:
            raise Http404(_("当事人不存在。"))
        actions.do_reveal_party(actor=request.user, dispute=dispute, party=party)
        row = next(r for r in party_rows(dispute, {party.pk}) if r["pk"] == party.pk)
        return Response(PartyRowSerializer(row).data)


# ---------------------------------------------------------------- mediation steps


class ScheduleInput(serializers.Serializer):
    at = serializers.DateTimeField()
    room = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None)
    place = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    mediators = serializers.ListField(child=serializers.CharField(max_length=150), required=False, default=list,
                                      max_length=10, help_text="调解员登录名（默认：本人）")


class RecordInput(serializers.Serializer):
    session = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    attendees = serializers.CharField(max_length=300, allow_blank=True)
    applicant_statement = serializers.CharField(max_length=2000, allow_blank=True)
    respondent_statement = serializers.CharField(max_length=2000, allow_blank=True)
    agreed = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class SettleInput(Versioned):
    facts = serializers.CharField(max_length=3000, allow_blank=True)
    terms = serializers.CharField(max_length=3000, allow_blank=True)
    performance = serializers.CharField(max_length=200, allow_blank=True)
    performance_due = serializers.DateField(required=False, allow_null=True, default=None)


class ReferInput(Versioned):
    target = serializers.ChoiceField(choices=ReferralTarget.choices)
    target_name = serializers.CharField(max_length=80, allow_blank=True)
    note = serializers.CharField(max_length=1000, allow_blank=True)


class MediationExtendInput(Versioned):
    reason = serializers.CharField(max_length=200, allow_blank=True)


class AssessInput(Versioned):
    people_count = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False, allow_null=True,
                                            default=None, help_text="涉及人数（不填：不变）")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True,
                                      default=None, help_text="涉及金额（元；不填：不变）")
    threat_violence = serializers.BooleanField(required=False, allow_null=True, default=None,
                                               help_text="有暴力冲突苗头（不填：不变）")
    threat_petition = serializers.BooleanField(required=False, allow_null=True, default=None,
                                               help_text="有群体上访或越级上访苗头（不填：不变）")
    level = serializers.ChoiceField(choices=RiskLevel.choices, required=False, allow_null=True, default=None,
                                    help_text="人工研判等级（只能提高，须填理由）")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                 help_text="提高风险等级的理由")


class AddPartyInput(Versioned, PartyInput):
    side = serializers.ChoiceField(choices=PartySide.choices, required=False, allow_blank=True, default="",
                                   help_text="当事人身份（动作在权限之后检查是否必填，与页面相同）")


class ScheduleFollowUpInput(Versioned):
    due = serializers.DateField(help_text="回访日期（不早于今天）")
    owner = serializers.CharField(max_length=150, required=False, allow_blank=True, default="",
                                  help_text="回访人登录名（默认：本人）")


class RecordFollowUpInput(Versioned):
    follow_up = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="回访 id（见纠纷详情的 follow_ups）")
    holds = serializers.BooleanField(help_text="true：协议履行良好；false：协议未履行，纠纷重新调解")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="",
                                 help_text="回访情况（协议未履行时必填）")


def _assess(request, dispute, d):
    actions.do_assess_risk(actor=request.user, dispute=dispute, version=d["version"], people_count=d["people_count"],
                           amount=d["amount"], threat_violence=d["threat_violence"],
                           threat_petition=d["threat_petition"], level=d["level"], note=d["note"])


def _add_party(request, dispute, d):
    party = {k: v for k, v in d.items() if k != "version" and v not in (None, "")}
    actions.do_add_party(actor=request.user, dispute=dispute, version=d["version"], **party)


def _schedule_follow_up(request, dispute, d):
    owner = None
    if d["owner"]:
        owner = User.objects.filter(username=d["owner"], is_active=True).first()
        if owner is None:
            raise ValidationError({"owner": [_("回访人不存在。")]})
    actions.do_schedule_follow_up(actor=request.user, dispute=dispute, version=d["version"], due=d["due"], owner=owner)


def _record_follow_up(request, dispute, d):
    follow_up = dispute.follow_ups.filter(pk=d["follow_up"]).first()
    if follow_up is None:
        raise ValidationError({"follow_up": [_("回访不存在。")]})
    actions.do_record_follow_up(actor=request.user, follow_up=follow_up, version=d["version"], holds=d["holds"],
                                note=d["note"])


def _schedule(request, dispute, d):
    room = None
    if d["room"] is not None:
        room = MediationRoom.objects.filter(pk=d["room"]).first()
        if room is None:
            raise ValidationError({"room": [_("调解室不存在。")]})
    mediators = list(User.objects.filter(username__in=d["mediators"], is_active=True))
    if len(mediators) != len(set(d["mediators"])):
        raise ValidationError({"mediators": [_("调解员不存在。")]})
    actions.do_schedule_session(actor=request.user, dispute=dispute, at=d["at"], room=room, place=d["place"],
                                mediators=mediators)


def _record(request, dispute, d):
    session = dispute.sessions.filter(pk=d["session"]).first()
    if session is None:
        raise ValidationError({"session": [_("调解安排不存在。")]})
    actions.do_record_session(actor=request.user, session=session, attendees=d["attendees"],
                              applicant_statement=d["applicant_statement"],
                              respondent_statement=d["respondent_statement"], agreed=d["agreed"])


STEPS = {
    "schedule-session": (_l("安排调解"), ScheduleInput, _schedule),
    "record-session": (_l("记录调解"), RecordInput, _record),
    "settle": (_l("登记调解成功（进入核查）"), SettleInput, lambda r, disp, d: actions.do_settle_dispute(
        actor=r.user, dispute=disp, version=d["version"], facts=d["facts"], terms=d["terms"],
        performance=d["performance"], performance_due=d["performance_due"])),
    "refer": (_l("登记调解不成并移交"), ReferInput, lambda r, disp, d: actions.do_refer_dispute(
        actor=r.user, dispute=disp, version=d["version"], target=d["target"], target_name=d["target_name"],
        note=d["note"])),
    "extend-mediation": (_l("延长委派调解期限"), MediationExtendInput, lambda r, disp, d: actions.do_extend_mediation(
        actor=r.user, dispute=disp, version=d["version"], reason=d["reason"])),
    "assess": (_l("风险评估（较大、重大风险纳入风险台账）"), AssessInput, _assess),
    "add-party": (_l("添加当事人（纠纷未结案时）"), AddPartyInput, _add_party),
    "schedule-follow-up": (_l("再安排一次回访（调解成功的纠纷）"), ScheduleFollowUpInput, _schedule_follow_up),
    "record-follow-up": (_l("记录回访（协议未履行则重新调解）"), RecordFollowUpInput, _record_follow_up),
}


def _step_view(name, summary, form_class, perform):
    class DisputeStepView(ApiView):
        @extend_schema(summary=str(summary), tags=TAGS, operation_id=f"disputes_{name.replace('-', '_')}",
                       request=form_class, responses={200: DisputeDetailSerializer})
        def post(self, request, pk: int):
            dispute = get_dispute(request.user, pk)
            form = form_class(data=request.data)
            form.is_valid(raise_exception=True)
            perform(request, dispute, form.validated_data)
            return Response(dispute_detail(request.user, get_dispute(request.user, pk)))

    DisputeStepView.__name__ = DisputeStepView.__qualname__ = f"Dispute{name.title().replace('-', '')}View"
    return DisputeStepView


STEP_VIEWS = {name: _step_view(name, *spec) for name, spec in STEPS.items()}

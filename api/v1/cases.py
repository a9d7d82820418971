"""Cases and disputes under /api/v1/cases/: the list with the page's filters
(disputes.selectors.cases.filter_cases on visible_cases), filing (do_file_case, photos as
multipart), the detail with its timeline and what the user may do now (allowed_actions), and each
step of the loop as its own POST with the version the client saw (a stale one is 409, as on the
pages), each calling the same do_* action as the case page's view. Disputes are the cases of kind
"dispute" (`?kind=dispute`); their mediation steps are under /api/v1/disputes/ (api.v1.disputes)."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from api.v1 import serializers as s
from api.v1.base import MAX_ID, ApiView, bounded_id, digits
from disputes.actions import cases as actions
from disputes.models import Case, CasePhoto, Category, Extension, Status, Urgency
from disputes.selectors.cases import (
    allowed_actions,
    can_decide_extension,
    filter_cases,
    pending_extensions,
    todo_cases,
    visible_cases,
)
from governance.models import Department, Region, User
from governance.roles import Cap, Level
from governance.scope import scoped

TAGS = ["cases"]
TODO_LIMIT = 200


def get_case(user, pk) -> Case:
    try:
        return (
            visible_cases(user)
            .select_related("category", "category__parent", "grid", "filer", "assignee", "department")
            .get(pk=bounded_id(pk))
        )
    except Case.DoesNotExist:
        raise Http404(_("不存在或不在您的辖区内。")) from None


def detail(user, case: Case) -> dict:
    """The case page's data: timeline, photos, linked residents (masked) and units, what the user may do."""
    case.timeline = list(case.events.select_related("actor"))
    case.report_photos = [p for p in case.photos.only("id", "case_id", "kind") if p.kind == CasePhoto.Kind.REPORT]
    case.linked_residents = list(case.residents.only("pk", "name", "grid_id", "id_number_encrypted", "id_number_hash"))
    case.linked_units = list(case.units.only("pk", "name"))
    case.allowed_actions = sorted(allowed_actions(user, case))
    pending = [e for e in case.extensions.select_related("requested_by") if e.state == Extension.State.PENDING]
    case.pending_extension = pending[0] if pending else None
    if case.pending_extension and can_decide_extension(user, case.pending_extension):
        case.allowed_actions.append("decide")
    return s.CaseDetailSerializer(case).data


def _p(name: str, description: str, enum=None, type_=OpenApiTypes.STR):
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, required=False, description=description, enum=enum)


FILTERS = [
    _p("status", "状态（open：未结案）", ["open", *Status.values]),
    _p("category", "类别 id（含其子类）", type_=OpenApiTypes.INT),
    _p("grid", "区划或网格编码（前缀）"),
    _p("overdue", "1：只看超期未结", ["1"]),
    _p("from", "上报日期起（YYYY-MM-DD）", type_=OpenApiTypes.DATE),
    _p("to", "上报日期止（YYYY-MM-DD）", type_=OpenApiTypes.DATE),
    _p("q", "标题或地点包含"),
    _p("kind", "事件种类", ["case", "dispute"]),
]


class FileCaseSerializer(serializers.Serializer):
    category = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="类别 id（见 /api/v1/categories/）")
    grid = serializers.CharField(max_length=15, help_text="网格编码（15 位）")
    title = serializers.CharField(max_length=80)
    description = serializers.CharField(max_length=2000)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    address = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True, default=None)
    lng = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True, default=None)
    involved = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    residents = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
                                      default=list, max_length=50)
    units = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
                                  default=list, max_length=50)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=9,
                                   help_text="照片（multipart/form-data）")
    self_handle = serializers.BooleanField(required=False, default=False, help_text="自处结案（须附处置照片）")
    evidence_note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    evidence = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=9)


class CategoryListView(ApiView):
    pagination_class = None

    @extend_schema(summary="事件类别（上报用）", tags=TAGS, responses=s.CategorySerializer(many=True))
    def get(self, request):
        rows = Category.objects.filter(is_active=True).order_by("sort", "code")[:1000]
        return Response(s.CategorySerializer(rows, many=True).data)


class CaseListView(ApiView):
    serializer_class = s.CaseSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(summary="事件列表（与事件列表页相同的范围与筛选）", operation_id="cases_list",
                   responses=s.CaseSerializer(many=True), tags=TAGS, parameters=FILTERS)
    def get(self, request):
        params = request.query_params
        category = params.get("category", "")
        if category and not digits(category, 9):
            raise ValidationError({"category": [_("类别筛选条件不正确。")]})
        for key in params:
            if "\x00" in params.get(key, ""):
                raise ValidationError({key: [_("含有不允许的字符。")]})
        qs = visible_cases(request.user).select_related("category", "category__parent", "grid", "assignee", "department")
        qs, _cleaned, errors = filter_cases(qs, params)
        if errors:
            raise ValidationError({"non_field_errors": errors})
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(summary="上报事件（可附照片；自处结案）", tags=TAGS, request={
        "application/json": FileCaseSerializer, "multipart/form-data": FileCaseSerializer,
    }, responses={201: s.CaseDetailSerializer})
    def post(self, request):
        form = FileCaseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        grid = scoped(Region.objects.filter(level=Level.GRID), request.user, Cap.VIEW).filter(code=d["grid"]).first()
        if grid is None:
            raise ValidationError({"grid": [_("网格不存在或不在您的辖区内。")]})
        category = Category.objects.filter(pk=d["category"], is_active=True).first()
        if category is None:
            raise ValidationError({"category": [_("事件类别不存在或已停用。")]})
        case = actions.do_file_case(
            actor=request.user, category=category, grid=grid, title=d["title"], description=d["description"],
            urgency=d["urgency"], address=d["address"], lat=d["lat"], lng=d["lng"], involved=d["involved"],
            residents=d["residents"], units=d["units"], photos=d["photos"], self_handle=d["self_handle"],
            evidence_note=d["evidence_note"], evidence=d["evidence"],
        )
        return Response(detail(request.user, get_case(request.user, case.pk)), status=201)


class CaseDetailView(ApiView):
    @extend_schema(summary="事件详情：时间线、照片、涉及人员（掩码）、当前可做的操作", tags=TAGS,
                   responses=s.CaseDetailSerializer)
    def get(self, request, pk: int):
        return Response(detail(request.user, get_case(request.user, pk)))


class CasePhotoView(ApiView):
    @extend_schema(summary="事件照片（JPEG，已去除 EXIF）", tags=TAGS,
                   responses={(200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request, pk: int, photo_pk: int):
        case = get_case(request.user, pk)
        photo = case.photos.filter(pk=bounded_id(photo_pk)).first()
        if photo is None:
            raise Http404(_("照片不存在。"))
        try:
            handle = photo.image.open("rb")
        except FileNotFoundError:
            raise Http404(_("照片文件已丢失。")) from None
        response = FileResponse(handle, content_type="image/jpeg")
        response["X-Content-Type-Options"] = "nosniff"
        return response


class TodoView(ApiView):
    pagination_class = None

    @extend_schema(summary="我的待办：等我处理的事件（时限最近的在前）和待我审批的延期申请", tags=TAGS,
                   responses=s.TodoSerializer)
    def get(self, request):
        return Response(s.TodoSerializer({
            "cases": list(todo_cases(request.user)[:TODO_LIMIT]),
            "extensions": list(pending_extensions(request.user)[:50]),
        }).data)


# ---------------------------------------------------------------- the loop's actions


class Versioned(serializers.Serializer):
    version = serializers.IntegerField(min_value=0, max_value=MAX_ID, help_text="客户端看到的事件版本（乐观锁）")


class NoteInput(Versioned):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReasonInput(Versioned):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="",
                                   help_text="理由（动作自己检查是否必填，在权限之后）")


class AssignInput(NoteInput):
    assignee = serializers.CharField(max_length=150, required=False, allow_blank=True, default="",
                                     help_text="处置人登录名（与 department 二选一）")
    department = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None,
                                          help_text="处置部门 id")
    deadline = serializers.DateTimeField(required=False, allow_null=True, default=None)


class HandleInput(Versioned):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    evidence = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=9)


class VerifyInput(NoteInput):
    fixed = serializers.BooleanField(help_text="true：已解决，结案；false：退回重新处置")


class RateInput(NoteInput):
    rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True, default=None,
                                      help_text="1–5（动作在权限之后检查）")


class CommentInput(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ExtendInput(ReasonInput):
    days = serializers.IntegerField(min_value=1, max_value=365, required=False, allow_null=True, default=None,
                                    help_text="延期工作日（动作在权限之后检查）")


class DecideInput(Versioned):
    extension = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    grant = serializers.BooleanField()


class MergeInput(Versioned):
    original = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="原事件 id")


def _assign(request, case, d):
    ancestors = case.grid.ancestor_codes() + [case.grid_id]
    assignee = None
    if d["assignee"]:
        assignee = User.objects.filter(username=d["assignee"], is_active=True).first()
        if assignee is None:
            raise ValidationError({"assignee": [_("处置人不存在。")]})
    department = None
    if d["department"] is not None:
        department = Department.objects.filter(region_id__in=ancestors, pk=d["department"]).first()
        if department is None:
            raise ValidationError({"department": [_("处置部门不存在。")]})
    actions.do_assign_case(actor=request.user, case=case, version=d["version"], assignee=assignee,
                           department=department, deadline=d["deadline"], note=d["note"])


def _decide(request, case, d):
    extension = Extension.objects.filter(case=case, pk=d["extension"]).first()
    if extension is None:
        raise ValidationError({"extension": [_("延期申请不存在。")]})
    actions.do_decide_extension(actor=request.user, extension=extension, version=d["version"], grant=d["grant"])


def _merge(request, case, d):
    original = visible_cases(request.user).filter(pk=d["original"]).first()
    if original is None:
        raise ValidationError({"original": [_("原事件不存在。")]})
    actions.do_merge_case(actor=request.user, duplicate=case, original=original, version=d["version"])


ACTIONS = {
    # name: (summary, input, perform(request, case, data))
    "accept": (_l("受理"), NoteInput, lambda r, c, d: actions.do_accept_case(
        actor=r.user, case=c, version=d["version"], note=d["note"])),
    "reject": (_l("不予受理"), ReasonInput, lambda r, c, d: actions.do_reject_case(
        actor=r.user, case=c, version=d["version"], reason=d["reason"])),
    "assign": (_l("派遣（处置人或部门二选一）"), AssignInput, _assign),
    "handle": (_l("反馈处置结果（可附照片）"), HandleInput, lambda r, c, d: actions.do_handle_case(
        actor=r.user, case=c, version=d["version"], note=d["note"], evidence=d["evidence"])),
    "verify": (_l("核查"), VerifyInput, lambda r, c, d: actions.do_verify_case(
        actor=r.user, case=c, version=d["version"], fixed=d["fixed"], note=d["note"])),
    "rate": (_l("评价"), RateInput, lambda r, c, d: actions.do_rate_case(
        actor=r.user, case=c, version=d["version"], rating=d["rating"], note=d["note"])),
    "comment": (_l("添加备注（不改变事件，无需版本）"), CommentInput, lambda r, c, d: actions.do_comment_case(
        actor=r.user, case=c, note=d["note"])),
    "escalate": (_l("升级"), ReasonInput, lambda r, c, d: actions.do_escalate_case(
        actor=r.user, case=c, version=d["version"], reason=d["reason"])),
    "extend": (_l("申请延期"), ExtendInput, lambda r, c, d: actions.do_request_extension(
        actor=r.user, case=c, version=d["version"], days=d["days"], reason=d["reason"])),
    "decide-extension": (_l("审批延期申请"), DecideInput, _decide),
    "merge": (_l("合并为重复事件"), MergeInput, _merge),
}


def _action_view(name: str, summary: str, form_class, perform):
    class CaseActionView(ApiView):
        parser_classes = [JSONParser, MultiPartParser, FormParser]

        @extend_schema(summary=str(summary), tags=TAGS, operation_id=f"cases_{name.replace('-', '_')}",
                       request={"application/json": form_class, "multipart/form-data": form_class},
                       responses={200: s.CaseDetailSerializer})
        def post(self, request, pk: int):
            case = get_case(request.user, pk)
            form = form_class(data=request.data)
            form.is_valid(raise_exception=True)
            perform(request, case, form.validated_data)
            return Response(detail(request.user, get_case(request.user, pk)))

    CaseActionView.__name__ = CaseActionView.__qualname__ = f"Case{name.title().replace('-', '')}View"
    return CaseActionView


ACTION_VIEWS = {name: _action_view(name, *spec) for name, spec in ACTIONS.items()}

__all__ = ["ACTION_VIEWS", "CaseDetailView", "CaseListView", "CasePhotoView", "CategoryListView", "TodoView"]

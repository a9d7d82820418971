from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.inputs import is_digits
from governance.pagination import BadPageKey, pager_links
from governance.roles import Cap
from governance.scope import get_in_scope_or_404
from grids import selectors as grid_selectors
from grids.actions import do_log_visit
from grids.forms import VisitForm
from grids.models import Visit, VisitKind
from grids.sections import sections_for
from grids.selectors import visits_in_scope
from parties import selectors
from parties.forms import add_action_errors
from parties.models import House, Resident, Unit


def _no_store(response: HttpResponse) -> HttpResponse:
    """Pages about residents and their homes are personal data: no browser or proxy keeps a copy."""
    response["Cache-Control"] = "no-store"
    return response


@login_required
def my_grids(request: HttpRequest) -> HttpResponse:
    """A grid worker's home on a phone ("my grid"): filing in one tap, their open cases by deadline,
    this month's visits against the quota, the key persons of their grids, the cases filed nearby,
    and the grids themselves — each a section (grids.sections) of this app or one above."""
    grids = grid_selectors.my_grids(request.user)
    ctx = {"grids": grids, "sections": sections_for(request.user, grids)}
    return _no_store(render(request, "grids/my_grids.html", ctx))


def _param_pk(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "") or request.POST.get(name, "")
    if not raw:
        return None
    if len(raw) > 19 or not raw.isascii() or not raw.isdigit() or int(raw) > 2**63 - 1:
        raise BadRequest(_("参数无效。"))
    return int(raw)


def _visit_filters(params) -> tuple[dict, dict]:
    """?grid= (a code prefix), ?kind=visit|patrol, ?from= / ?to= (days in Asia/Shanghai, `to` included):
    (lookups, cleaned values); a bad value is a Chinese 400."""
    lookups: dict = {}
    shown: dict = {}
    grid = params.get("grid", "").strip()
    if grid:
        if not is_digits(grid, 15):
            raise BadRequest(_("网格编码只能由数字组成。"))
        lookups["grid__code__startswith"] = shown["grid"] = grid
    kind = params.get("kind", "")
    if kind:
        if kind not in VisitKind.values:
            raise BadRequest(_("记录类型筛选条件不正确。"))
        lookups["kind"] = kind
        shown["kind"] = VisitKind(kind).label
    for key, lookup, days in (("from", "at__gte", 0), ("to", "at__lt", 1)):
        value = params.get(key, "")
        if not value:
            continue
        try:
            day = date.fromisoformat(value) + timedelta(days=days)
        except ValueError:
            raise BadRequest(_("日期格式应为 YYYY-MM-DD。")) from None
        lookups[lookup] = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        shown[key] = value
    return lookups, shown


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    """The visits and patrols in scope, newest first; ?mine=1 for one's own."""
    mine = request.GET.get("mine") == "1"
    try:
        lookups, shown = _visit_filters(request.GET)
    except BadRequest as e:  # its own Chinese line (Django's 400 page shows none)
        return _no_store(render(request, "400.html", {"message": str(e)}, status=400))
    try:
        page = visits_in_scope(request.user, mine, request.GET.get("after"), request.GET.get("before"), **lookups)
    except BadPageKey:
        return _no_store(render(request, "400.html", {"message": _("翻页参数无效。")}, status=400))
    can_log = selectors.has_grids(request.user)
    ctx = {"page": page, "mine": mine, "can_log": can_log, "filters": shown, **pager_links(request, page)}
    return _no_store(render(request, "grids/visit_list.html", ctx))


@login_required
def visit_create(request: HttpRequest) -> HttpResponse:
    if not selectors.has_grids(request.user):
        raise PermissionDenied(_("您没有记录走访巡查的权限。"))
    target = {}
    for name, model in (("house", House), ("resident", Resident), ("unit", Unit)):
        pk = _param_pk(request, name)
        if pk is not None:
            target[name] = get_in_scope_or_404(model.objects.all(), request.user, Cap.CHANGE_REGISTER, pk=pk)
    about = target.get("resident") or target.get("house") or target.get("unit")
    initial = {"grid": about.grid_id if about else request.GET.get("grid", "")[:64]}
    form = VisitForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        grid = d["grid"]
        try:
            visit = do_log_visit(
                actor=request.user, grid=grid, kind=d["kind"], findings=d["findings"], place=d["place"],
                photo=d["photo"] or None, **target,
            )
        except ValidationError as e:
            add_action_errors(form, e)
        else:
            messages.success(request, _("已记录。"))
            if visit.resident_id:
                return redirect("parties:resident", pk=visit.resident_id)
            if visit.house_id:
                return redirect("parties:house", pk=visit.house_id)
            if visit.unit_id:
                return redirect("parties:unit", pk=visit.unit_id)
            return redirect("grids:visits")
    status = 400 if request.method == "POST" else 200
    return _no_store(render(request, "grids/visit_form.html", {"form": form, "about": about}, status=status))


# What a stored photo may be served as, by its extension: new photos are always .jpg (re-encoded);
# older ones kept the uploader's extension. Anything else is a download, never shown inline.
IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}


@login_required
def visit_photo(request: HttpRequest, pk: int) -> FileResponse:
    """Photos are served through scope, never from a public media URL; inline only as an image type
    the browser may not second-guess (nosniff), never cached (a photo of a home is personal data)."""
    visit = get_in_scope_or_404(Visit.objects.all(), request.user, Cap.VIEW_REGISTER, pk=pk)
    if not visit.photo:
        raise Http404(_("没有照片。"))
    ext = visit.photo.name.rsplit(".", 1)[-1].lower() if "." in visit.photo.name else ""
    content_type = IMAGE_TYPES.get(ext)
    try:
        handle = visit.photo.open("rb")
    except FileNotFoundError:
        raise Http404(_("照片文件不存在。")) from None
    if content_type:
        response = FileResponse(handle, content_type=content_type)
        response["Content-Disposition"] = f'inline; filename="visit-{visit.pk}.{ext}"'
    else:
        response = FileResponse(handle, content_type="application/octet-stream", as_attachment=True,
                                filename=f"visit-{visit.pk}.bin")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

"""Open311 GeoReport v2 at /open311/v2/ (http://wiki.open311.org/GeoReport_v2/).

- services.(json|xml): every active category is a service (service_code = the category's code,
  group = its top category). metadata is true for every service: each takes the attributes of
  ATTRIBUTES (urgency, involved people or units, and a grid code when no point is given).
- services/{code}.(json|xml): the definition of those attributes.
- requests.(json|xml) GET: service_request_id (comma-separated, overrides the rest), service_code,
  start_date / end_date (W3C datetimes; at most 90 days, the last 90 by default), status (open,
  closed); newest first, at most 200. With api_key (an API token): the cases its user sees
  (disputes' visible_cases), as the case list would show them. Without: only the requests filed
  through Open311, with their status and service but no description, no typed address (the
  grid's name instead) and the point rounded to ~100 m.
- requests.(json|xml) POST: api_key (required), service_code, lat + long (WGS-84) or
  address_string with attribute[grid]; the grid is the one containing the point; description;
  media_url; attribute[…]. Filed as a case by the token's user (FILE_CASE on the grid, else 403).
- requests/{id}.(json|xml), tokens/{token}.(json|xml).

Statuses: the loop's open statuses are "open", the others "closed"; status_notes says where the
case stands in Chinese. The requester's personal data (first_name, last_name, email, phone,
device_id, account_id) is neither stored nor published. Errors: [{"code": …, "description": …}]
with 400 / 403 / 404 (XML: <errors><error>…)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from xml.etree import ElementTree as ET

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework.exceptions import AuthenticationFailed

from api.actions import do_file_open311_request
from api.authentication import authenticate_token
from api.geo import grid_at
from api.models import Open311Request
from disputes.models import OPEN_STATUSES, Case, Category, Status, Urgency
from disputes.selectors.cases import visible_cases
from governance.actions import StaleVersion, validation_message
from governance.models import Region
from governance.roles import CODE_LENGTH, Cap, Level
from governance.scope import scoped

LIMIT = 200
MAX_RANGE = timedelta(days=90)

ATTRIBUTES = [
    {"variable": True, "code": "urgency", "datatype": "singlevaluelist", "required": False,
     "datatype_description": "", "order": 1, "description": "紧急程度",
     "values": [{"key": k, "name": str(v)} for k, v in Urgency.choices]},
    {"variable": True, "code": "involved", "datatype": "text", "required": False,
     "datatype_description": "不超过 500 字", "order": 2, "description": "涉及人员或单位"},
    {"variable": True, "code": "grid", "datatype": "string", "required": False,
     "datatype_description": "15 位网格编码", "order": 3, "description": "所在网格（未提供经纬度时必填）"},
]

STATUS_NOTES = {
    Status.REPORTED: "已上报，等待受理",
    Status.ACCEPTED: "已受理，等待派遣",
    Status.ASSIGNED: "处置中",
    Status.HANDLED: "已处置，等待核查",
    Status.CLOSED: "已办结",
    Status.REJECTED: "不予受理",
    Status.MERGED: "与其他诉求合并办理",
}


class Refused(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


# ---------------------------------------------------------------- rendering


def _xml(root: str, item: str, rows: list[dict]) -> bytes:
    top = ET.Element(root)
    for row in rows:
        _xml_fill(ET.SubElement(top, item), row)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8", xml_declaration=False)


LIST_ITEMS = {"attributes": "attribute", "values": "value"}


def _xml_fill(element: ET.Element, row: dict) -> None:
    for key, value in row.items():
        child = ET.SubElement(element, key)
        if isinstance(value, list):
            for entry in value:
                _xml_fill(ET.SubElement(child, LIST_ITEMS.get(key, "item")), entry)
        elif isinstance(value, dict):
            _xml_fill(child, value)
        elif isinstance(value, bool):
            child.text = "true" if value else "false"
        elif value is not None:
            child.text = str(value)


def respond(fmt: str, root: str, item: str, rows, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        response = HttpResponse(_xml(root, item, rows), content_type="text/xml; charset=utf-8", status=status)
    else:
        response = JsonResponse(rows, safe=False, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return respond(fmt, "errors", "error", [{"code": status, "description": description}], status)


def open311(view):
    """Refusals in the spec's format; the format from the URL (json or xml)."""

    def wrapped(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
        try:
            return view(request, fmt, **kwargs)
        except Refused as e:
            return error(fmt, e.status, e.description)
        except AuthenticationFailed as e:
            return error(fmt, 403, str(e.detail))
        except PermissionDenied as e:
            return error(fmt, 403, str(e) or _("您没有执行此操作的权限。"))
        except StaleVersion as e:
            return error(fmt, 409, str(e.message))
        except ValidationError as e:
            return error(fmt, 400, validation_message(e))

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _local(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _user(request: HttpRequest, required: bool):
    key = (request.POST.get("api_key") if request.method == "POST" else None) or request.GET.get("api_key", "")
    if not key:
        if required:
            raise Refused(403, _("须提供 api_key（API 令牌）。"))
        return None
    user, _token = authenticate_token(key.strip(), request.method, request.path)
    return user


# ---------------------------------------------------------------- services


def _service(category: Category) -> dict:
    group = category.parent.name if category.parent_id else category.name
    return {"service_code": category.code, "service_name": str(category), "description": "",
            "metadata": True, "type": "realtime", "keywords": "", "group": group}


@require_GET
@open311
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    rows = Category.objects.filter(is_active=True).select_related("parent").order_by("sort", "code")[:1000]
    return respond(fmt, "services", "service", [_service(c) for c in rows])


@require_GET
@open311
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    if not Category.objects.filter(code=code[:16], is_active=True).exists():
        raise Refused(404, _("没有该服务类型。"))
    body = {"service_code": code, "attributes": ATTRIBUTES}
    if fmt == "xml":
        top = ET.Element("service_definition")
        _xml_fill(top, body)
        content = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8", xml_declaration=False)
        return HttpResponse(content, content_type="text/xml; charset=utf-8")
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


# ---------------------------------------------------------------- requests


def _public(case: Case, full: bool) -> dict:
    """One request as GeoReport v2 lists it. `full` (a signed caller who sees the case): the
    description and the typed address; otherwise neither, and the point rounded (~100 m)."""
    try:
        link = case.open311
    except Open311Request.DoesNotExist:
        link = None
    lat = float(case.lat) if case.lat is not None else None
    lng = float(case.lng) if case.lng is not None else None
    if not full and lat is not None:
        lat, lng = round(lat, 3), round(lng, 3)
    agency = case.department.name if case.department_id else ""
    return {
        "service_request_id": str(case.pk),
        "status": "open" if case.status in OPEN_STATUSES else "closed",
        "status_notes": STATUS_NOTES.get(case.status, ""),
        "service_name": str(case.category),
        "service_code": case.category.code,
        "description": case.description if full else "",
        "agency_responsible": agency,
        "service_notice": "",
        "requested_datetime": _local(case.created_at),
        "updated_datetime": _local(case.updated_at),
        "expected_datetime": _local(case.deadline) if case.status in OPEN_STATUSES else None,
        "address": case.address if full else case.grid.name,
        "address_id": "",
        "zipcode": "",
        "lat": lat,
        "long": lng,
        "media_url": link.media_url if link else "",
    }


def _readable(user) -> tuple:
    """(queryset, full?) of the requests a caller may read."""
    related = ("category", "category__parent", "grid", "department", "open311")
    if user is None:
        return Case.objects.filter(open311__isnull=False).select_related(*related), False
    return visible_cases(user).select_related(*related), True


def _when(value: str, name: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = parse_datetime(value.strip().replace(" ", "+"))
    except ValueError:
        moment = None
    if moment is None:
        raise Refused(400, _("%(name)s 须为 W3C 日期时间，如 2026-12-01T08:00:00+08:00。") % {"name": name})
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _list_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    user = _user(request, required=False)
    qs, full = _readable(user)
    g = request.GET
    ids = [i.strip() for i in g.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        if len(ids) > LIMIT or not all(i.isascii() and i.isdigit() and len(i) <= 9 for i in ids):
            raise Refused(400, _("service_request_id 须为逗号分隔的编号。"))
        qs = qs.filter(pk__in=[int(i) for i in ids])
    else:
        codes = [c.strip()[:16] for c in g.get("service_code", "").split(",") if c.strip()]
        if codes:
            qs = qs.filter(category__code__in=codes[:50])
        start, end = _when(g.get("start_date", ""), "start_date"), _when(g.get("end_date", ""), "end_date")
        if start and end and (end < start or end - start > MAX_RANGE):
            raise Refused(400, _("start_date 与 end_date 之间不能超过 90 天。"))
        end = end or ((start + MAX_RANGE) if start else timezone.now())
        start = start or (end - MAX_RANGE)
        qs = qs.filter(created_at__gte=start, created_at__lte=end)
        wanted = {s.strip() for s in g.get("status", "").split(",") if s.strip()}
        if wanted - {"open", "closed"}:
            raise Refused(400, _("status 只能是 open 或 closed。"))
        if wanted == {"open"}:
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif wanted == {"closed"}:
            qs = qs.exclude(status__in=OPEN_STATUSES)
    rows = [_public(c, full) for c in qs.order_by("-created_at", "-id")[:LIMIT]]
    return respond(fmt, "service_requests", "request", rows)


def _number(value: str, name: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise Refused(400, _("%(name)s 格式不正确。") % {"name": name}) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise Refused(400, _("%(name)s 超出范围。") % {"name": name})
    return number


def _create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    user = _user(request, required=True)
    p = request.POST
    code = p.get("service_code", "").strip()
    if not code:
        raise Refused(400, _("须提供 service_code。"))
    category = Category.objects.filter(code=code[:16], is_active=True).first()
    if category is None:
        raise Refused(404, _("没有该服务类型。"))
    attributes = {k[len("attribute["):-1]: v for k, v in p.items() if k.startswith("attribute[") and k.endswith("]")}
    lat_raw, lng_raw = p.get("lat", "").strip(), p.get("long", "").strip()
    address = p.get("address_string", "").strip()
    lat = lng = None
    if lat_raw or lng_raw:
        if not (lat_raw and lng_raw):
            raise Refused(400, _("lat 与 long 须同时提供。"))
        lat, lng = _number(lat_raw, "lat", -90, 90), _number(lng_raw, "long", -180, 180)
        grid = grid_at(user, Cap.FILE_CASE, lat, lng) or grid_at(user, Cap.VIEW, lat, lng)
        if grid is None:
            raise Refused(400, _("该位置不在您辖区的任何网格内。"))
    else:
        code_given = attributes.get("grid", "").strip()
        if not address or not code_given:
            raise Refused(400, _("须提供经纬度（lat、long），或 address_string 与 attribute[grid]（网格编码）。"))
        grid = None
        if code_given.isascii() and code_given.isdigit() and len(code_given) == CODE_LENGTH[Level.GRID]:
            grid = scoped(Region.objects.filter(level=Level.GRID), user, Cap.VIEW).filter(code=code_given).first()
        if grid is None:
            raise Refused(400, _("网格不存在或不在您的辖区内。"))
    description = p.get("description", "").strip()
    if not description:
        raise Refused(400, _("须提供 description（诉求内容）。"))
    urgency = attributes.get("urgency", Urgency.NORMAL) or Urgency.NORMAL
    media_url = p.get("media_url", "").strip()
    if media_url and (len(media_url) > 500 or not media_url.startswith(("http://", "https://"))):
        raise Refused(400, _("media_url 须为 http(s) 链接。"))
    if "\x00" in description + address + media_url + "".join(attributes.values()):
        raise Refused(400, _("含有不允许的字符。"))
    title = description.splitlines()[0][:80] if description else str(category)
    link = do_file_open311_request(
        actor=user, media_url=media_url, category=category, grid=grid, title=title, description=description[:2000],
        urgency=urgency, address=address[:120], lat=lat, lng=lng, involved=attributes.get("involved", "")[:500],
    )
    rows = [{"service_request_id": str(link.case_id), "token": link.token, "service_notice": "", "account_id": ""}]
    return respond(fmt, "service_requests", "request", rows, status=201)


@csrf_exempt  # api_key only: no cookie is read here, so no cross-site request can act as anyone
@require_http_methods(["GET", "POST"])
@open311
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create_request(request, fmt)
    return _list_requests(request, fmt)


@require_GET
@open311
def request_detail(request: HttpRequest, fmt: str, pk: str) -> HttpResponse:
    user = _user(request, required=False)
    qs, full = _readable(user)
    case = qs.filter(pk=int(pk)).first() if pk.isascii() and pk.isdigit() and len(pk) <= 9 else None
    if case is None:
        raise Refused(404, _("没有该诉求，或您无权查看。"))
    return respond(fmt, "service_requests", "request", [_public(case, full)])


@require_GET
@open311
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    link = Open311Request.objects.filter(token=token[:32]).first()
    if link is None:
        raise Refused(404, _("没有该令牌。"))
    return respond(fmt, "service_requests", "request", [{"service_request_id": str(link.case_id), "token": link.token}])

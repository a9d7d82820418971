"""What the territory map draws: the boundaries below a node coloured by a KPI, and case points.

Bounded at city scale (20,000 grids, hundreds of thousands of open cases): a node draws the
deepest level below it that has at most MAX_BOUNDARIES nodes (its grids when they are few enough,
else its communities, streets or districts), and at most MAX_POINTS case points, the newest first,
inside the map's view (bbox). Coordinates are WGS-84; static/js/map.js converts them for display.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Min
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes.models import OPEN_STATUSES, Status
from disputes.selectors.cases import visible_cases
from governance import geo
from governance.models import Region
from governance.roles import CODE_LENGTH, Cap, Level
from governance.scope import scoped
from reports import periods
from reports.kpis import BY_CODE, DEFINITION_VERSION, compute
from reports.rankings import BAND_LABELS, GREEN, RED, YELLOW, rank

MAX_BOUNDARIES = 500
MAX_POINTS = 1000
VALUES_TTL = 120  # seconds a node's KPI values are reused by the map (the legend says how fresh they are)
DEFAULT_KPI = "closure_rate"
# The KPIs a map may be coloured by (each has a better direction and so bands).
MAP_KPIS = [
    "closure_rate", "on_time_rate", "satisfaction", "overdue_open", "mediation_success_rate", "risks_open",
    "visit_rate", "grids_without_worker",
]
COLOURS = {GREEN: "#2e7d32", YELLOW: "#f9a825", RED: "#c62828", "": "#9e9e9e"}
# Half a demo grid's size: the margin of a box drawn from grid centres when a node has no boundary.
CENTRE_MARGIN = 0.002


class BadMapInput(ValueError):
    """A query parameter the map cannot use (the view answers 400 with the message)."""


def kpi_choices() -> list[tuple[str, str]]:
    return [(code, str(BY_CODE[code].name)) for code in MAP_KPIS]


def parse_kpi(value: str | None) -> str:
    value = value or DEFAULT_KPI
    if value not in MAP_KPIS:
        raise BadMapInput(_("不支持按该指标着色。"))
    return value


def period_choices(now=None) -> list[tuple[str, str]]:
    """The periods a map may be coloured for: this month (the default), last month, this quarter, this year."""
    now = now or timezone.now()
    month = periods.containing(periods.Kind.MONTH, now)
    return [
        (month.code, _("本月")),
        (month.previous().code, _("上月")),
        (periods.containing(periods.Kind.QUARTER, now).code, _("本季度")),
        (periods.containing(periods.Kind.YEAR, now).code, _("本年")),
    ]


def parse_period(value: str | None, now=None) -> periods.Period:
    now = now or timezone.now()
    if not value:
        return periods.containing(periods.Kind.MONTH, now)
    try:
        period = periods.parse(value)
    except ValidationError as e:
        raise BadMapInput(e.messages[0]) from None
    if period.start > now:
        raise BadMapInput(_("报告期尚未开始。"))
    return period


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """`west,south,east,north` in degrees (GeoJSON's order) → (south, west, north, east)."""
    if not value:
        return None
    try:
        west, south, east, north = (float(x) for x in value.split(","))
    except ValueError:
        raise BadMapInput(_("地图范围（bbox）格式不正确，应为“西,南,东,北”四个经纬度。")) from None
    values = (west, south, east, north)
    if any(v != v or v in (float("inf"), float("-inf")) for v in values) or not (
        -180 <= west <= east <= 180 and -90 <= south <= north <= 90
    ):
        raise BadMapInput(_("地图范围（bbox）超出经纬度范围。"))
    return south, west, north, east


def drawn_level(region: Region) -> int:
    """The deepest level below `region` with at most MAX_BOUNDARIES nodes (one GROUP BY)."""
    if region.is_grid:
        return Level.GRID
    counts = dict(
        Region.objects.filter(code__startswith=region.code, level__gt=region.level)
        .order_by().values_list("level").annotate(n=Count("code"))
    )
    for level in range(Level.GRID, region.level, -1):
        if counts.get(level, 0) <= MAX_BOUNDARIES:
            return level
    return region.level + 1


def _fallback_boxes(region: Region, codes: list[str], width: int) -> dict[str, dict]:
    """Boxes around the grid centres below each node that has no boundary of its own (one query)."""
    if not codes:
        return {}
    rows = (
        Region.objects.filter(level=Level.GRID, code__startswith=region.code, centre_lat__isnull=False,
                              centre_lng__isnull=False)
        .annotate(prefix=Substr("code", 1, width)).order_by().values("prefix")
        .annotate(s=Min("centre_lat"), w=Min("centre_lng"), n=Max("centre_lat"), e=Max("centre_lng"))
    )
    wanted = set(codes)
    return {
        r["prefix"]: geo.rectangle(float(r["s"]) - CENTRE_MARGIN, float(r["w"]) - CENTRE_MARGIN,
                                   float(r["n"]) + CENTRE_MARGIN, float(r["e"]) + CENTRE_MARGIN)
        for r in rows if r["prefix"] in wanted
    }


@dataclass
class Legend:
    colour: str
    label: str


def _format(value, unit: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value}{unit}" if unit in ("%",) else f"{value} {unit}"


def _kpi_values(key: str, codes: list[str], period: periods.Period, now) -> dict[str, dict]:
    """compute() for the drawn nodes, kept VALUES_TTL seconds (a finished month's overdue_open scans the
    raw cases: over a second for a city of 20,000 grids; README "Speed"), so switching the KPI or reloading is quick. The
    values are not the user's: which nodes a user gets is decided (scoped) before, on every request."""
    if not codes:
        return {}
    key = f"map:kpis:{DEFINITION_VERSION}:{key}:{period.code}"
    cached = cache.get(key)
    if cached is None or any(code not in cached for code in codes):
        cached = compute(codes, period, now)
        cache.set(key, cached, VALUES_TTL)
    return cached


def grid_features(user, region: Region, kpi_code: str, period: periods.Period | None = None, now=None) -> dict:
    """A FeatureCollection of the boundaries drawn for `region`, coloured by `kpi_code` for the
    period (default: the current month): properties code, name, value, label, colour, band, url (and approximate for a
    box drawn from grid centres). Bounded: at most MAX_BOUNDARIES features, a fixed number of queries."""
    level = drawn_level(region)
    if region.is_grid:
        nodes = [region]
    else:
        nodes = list(
            scoped(Region.objects.filter(code__startswith=region.code, level=level), user, Cap.VIEW)
            .only("code", "name", "level", "boundary").order_by("code")[:MAX_BOUNDARIES]
        )
    missing = [n.code for n in nodes if not geo.has_area(n.boundary) and n.level < Level.GRID]
    boxes = _fallback_boxes(region, missing, CODE_LENGTH[level]) if missing else {}
    collection = _boundary_collection(nodes, level, f"{region.code}:{level}", boxes, kpi_code, period, now)
    collection["outlines"] = _outlines(user, region, level)
    return collection


def my_grid_features(grids: list[Region], kpi_code: str, period: periods.Period | None = None, now=None) -> dict:
    """grid_features for the grids a grid worker covers (grids.selectors.my_grids: read through their
    scope), however many and wherever they lie: their own boundaries, no outlines (the community
    above is not theirs to see). At most MAX_BOUNDARIES, a fixed number of queries."""
    nodes = sorted(grids, key=lambda g: g.code)[:MAX_BOUNDARIES]
    # The values are a grid's, whoever asks: the cache key names the set of grids, not the user.
    key = "grids:" + hashlib.sha256(",".join(n.code for n in nodes).encode()).hexdigest()[:32]
    collection = _boundary_collection(nodes, Level.GRID, key, {}, kpi_code, period, now)
    collection["outlines"] = []
    return collection


def _boundary_collection(nodes: list[Region], level: int, cache_key: str, boxes: dict[str, dict], kpi_code: str,
                         period: periods.Period | None, now) -> dict:
    """The FeatureCollection of `nodes` (already scoped and bounded), drawn at `level`, coloured by the KPI;
    `boxes`: the shapes drawn for nodes without a boundary of their own."""
    now = now or timezone.now()
    period = period or periods.containing(periods.Kind.MONTH, now)
    kpi = BY_CODE[kpi_code]
    values = _kpi_values(cache_key, [n.code for n in nodes], period, now)
    bands = {row.region.code: row for row in rank(kpi_code, [(n, values[n.code]) for n in nodes])}
    features = []
    for node in nodes:
        shape, approximate = (node.boundary, False) if geo.has_area(node.boundary) else (boxes.get(node.code), True)
        if shape is None:
            continue
        row = bands[node.code]
        value = row.value
        if row.insufficient and value is not None:
            label = _("%(value)s（样本不足）") % {"value": _format(value, kpi.unit)}
        elif value is None:
            label = _("样本不足")
        else:
            label = _format(value, kpi.unit)
        features.append({
            "type": "Feature",
            "geometry": shape,
            "properties": {
                "code": node.code, "name": node.name, "value": value, "label": label,
                "colour": COLOURS[row.band], "band": row.band, "approximate": approximate,
                "url": reverse("region", args=[node.code]),
            },
        })
    legend = [Legend(COLOURS[b], _band_legend(kpi, b)) for b in (GREEN, YELLOW, RED)] + [
        Legend(COLOURS[""], _("样本不足或无数据"))
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "kpi": kpi_code, "kpi_name": str(kpi.name), "period": period.code,
        "level": str(Level(level).label), "truncated": len(nodes) == MAX_BOUNDARIES,
        "freshness": _("指标至多 %(n)s 分钟前计算") % {"n": max(VALUES_TTL // 60, 1)},
        "legend": [{"colour": item.colour, "label": item.label} for item in legend],
    }


def _outlines(user, region: Region, level: int) -> list[dict]:
    """The boundaries of the node's children when a deeper level is drawn (a street's communities
    around its grids), to draw on top as outlines: one query, at most MAX_BOUNDARIES."""
    if level <= region.level + 1:
        return []
    children = (
        scoped(Region.objects.filter(parent_id=region.code), user, Cap.VIEW)
        .filter(boundary__isnull=False).only("code", "name", "boundary").order_by("code")[:MAX_BOUNDARIES]
    )
    return [
        {"type": "Feature", "geometry": c.boundary, "properties": {"code": c.code, "name": c.name}}
        for c in children if geo.has_area(c.boundary)
    ]


def _band_legend(kpi, band: str) -> str:
    name = str(BAND_LABELS[band])
    if kpi.green is None or kpi.yellow is None:
        return {GREEN: _("%(band)s（前三分之一）"), YELLOW: _("%(band)s（中间三分之一）"),
                RED: _("%(band)s（后三分之一）")}[band] % {"band": name}
    lower = kpi.better == "lower"
    green, yellow = _format(kpi.green, kpi.unit), _format(kpi.yellow, kpi.unit)
    if band == GREEN:
        bound = ("≤ " if lower else "≥ ") + green
    elif band == YELLOW:
        bound = ("≤ " if lower else "≥ ") + yellow
    else:
        bound = ("> " if lower else "< ") + yellow
    return f"{name} {bound}"


def case_features(user, region: Region, status: str = "open", bbox=None) -> dict:
    """A FeatureCollection of the case points under `region` the user may see (visible_cases:
    scope, and dispatches for department handlers), newest first, at most MAX_POINTS; `truncated`
    says there were more (zoom in). Two queries at most beyond the scope's."""
    return _case_collection(visible_cases(user).filter(grid__code__startswith=region.code), status, bbox)


def my_case_features(user, grids: list[Region], status: str = "open", bbox=None) -> dict:
    """case_features for the grids a grid worker covers (grids.selectors.my_grids): the cases of those
    grids the user may see, in one query however many grids."""
    return _case_collection(visible_cases(user).filter(grid_id__in=[g.code for g in grids]), status, bbox)


def _case_collection(qs, status: str, bbox) -> dict:
    if status not in ("open", "all"):
        raise BadMapInput(_("事件状态只能是 open 或 all。"))
    qs = qs.filter(lat__isnull=False, lng__isnull=False)
    qs = qs.filter(status__in=OPEN_STATUSES) if status == "open" else qs.exclude(status=Status.MERGED)
    if bbox is not None:
        south, west, north, east = bbox
        qs = qs.filter(lat__gte=south, lat__lte=north, lng__gte=west, lng__lte=east)
    rows = list(qs.order_by("-created_at", "-id").values("id", "status", "title", "lat", "lng")[: MAX_POINTS + 1])
    labels = dict(Status.choices)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(r["lng"]), float(r["lat"])]},
            "properties": {
                "id": r["id"], "status": r["status"], "status_label": str(labels.get(r["status"], r["status"])),
                "title": r["title"], "url": reverse("cases:detail", args=[r["id"]]),
            },
        }
        for r in rows[:MAX_POINTS]
    ]
    return {
        "type": "FeatureCollection", "features": features, "truncated": len(rows) > MAX_POINTS,
        "limit": MAX_POINTS,
        "statuses": [{"status": s, "label": str(labels[s])} for s in (OPEN_STATUSES if status == "open" else
                                                                      [s for s, _l in Status.choices if s != Status.MERGED])],
    }

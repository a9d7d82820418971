"""Reads on cases. Everything starts from governance.scope.scoped(); department
handlers also see what was dispatched to their department, assignees what was
assigned to them (an OR with scope, not a hole in it)."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import BooleanField, Count, Exists, F, Func, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from django.db.models.query import EmptyQuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disputes.kernel import is_handler, kinds_adoptable, rules_for
from disputes.models import OPEN_STATUSES, Case, CaseDispatch, CaseEvent, CaseKind, Extension, Outcome, Status
from governance.inputs import is_digits
from governance.models import User
from governance.roles import CODE_LENGTH, Cap, Level, Role
from governance.scope import can, object_grant_pks, region_codes, role_assignments, scoped

DUPLICATE_RADIUS_M = 100
# The case and dispute lists say how many rows match up to this many ("more than 500" beyond):
# counting a street's 20,000 cases of a year, or a city's 200,000 disputes, on every page view costs
# more than the page (bench/README.md, "Cases at 2 M").
LIST_COUNT_CAP = 500
DUPLICATE_DAYS = 7


def my_department_ids(user: User) -> list[int]:
    return [a.department_id for a in role_assignments(user) if a.role == Role.DEPT_HANDLER and a.department_id]


def _prefix_q(user: User, cap: str, field: str = "grid__code") -> Q | None:
    """Q for rows under the nodes where `user` holds `cap`; None when nowhere."""
    codes = region_codes(user, cap)
    if not codes:
        return None
    q = Q()
    for code in codes:
        q |= Q(**{f"{field}__startswith": code})
    return q


def visible_cases(user: User, open_only: bool = False) -> QuerySet[Case]:
    """The cases of the user's territory (VIEW_CASES), and those ever dispatched to the user or to
    their department. Department handlers hold no VIEW_CASES: a case reaches them only by dispatch,
    and stays visible (read-only once it moved on) for their history.

    `open_only`: for a list the caller then filters to open cases (OPEN_STATUSES: overdue, supervision,
    open, the desk) — the same cases once filtered, not before. The dispatches are read from the rows
    whose case is open (CaseDispatch.case_open, a partial index): a department's work in hand (~1,000
    at 2 M cases), read once and looked up by primary key, instead of the tens of thousands it was ever
    sent matched against the city's open cases one by one (issue 17, bench/README.md).

    The same cases as the union of `visible_case_parts` (both take the territory from `scoped` — whole
    here, node by node there — and the rest from `_dispatched_cases`; disputes/tests/
    test_visible_case_parts.py holds them equal)."""
    territory = _territory_cases(user)
    dispatched = _dispatched_cases(user, open_only)
    return territory if dispatched is None else territory | dispatched


# More territory codes than this and the list reads its territory as one part (the OR of the codes):
# each part is a query of its own on every page.
MAX_TERRITORY_PARTS = 4


def visible_case_parts(user: User, open_only: bool = False) -> list[QuerySet[Case]]:
    """`visible_cases` as parts whose union it is, for a list read newest first part by part and merged
    (governance.pagination.keyset_page's `parts`): one per territory code, one for the cases granted
    one by one, one for the cases dispatched to the user. A case may be in two parts.

    Why: in the one query the OR of the territory and the dispatched cases keeps PostgreSQL from any
    index on the territory's slice, so a street officer's page walked the city's `created_at` index
    backwards and dropped thousands of other streets' rows (2 M cases), and a grid worker's two grids
    were a BitmapOr, hashed joins and a sort. A part alone walks its own slice's index (Case.Meta.indexes,
    disputes.0018) and stops after a page.

    Each territory part is `scoped(…, within=code)`: the scoping function still decides, and says the
    node as the one condition its index answers (`left(grid_id, 9) = …` for a street, 12 for a
    community, `grid_id = …` for a grid, the prefix for a district or the city). Not `scoped()` narrowed
    by a second condition on the same slice: PostgreSQL multiplies the two as if independent and
    reads a street's 20,000 cases by a bitmap and sorts them (409 ms at 2 M cases; bench/README.md)."""
    territory = _territory_cases(user)
    dispatched = _dispatched_cases(user, open_only)
    parts: list[QuerySet[Case]] = []
    codes = region_codes(user, Cap.VIEW_CASES)
    if len(codes) > MAX_TERRITORY_PARTS:
        parts.append(territory)
    elif not isinstance(territory, EmptyQuerySet):
        parts += [scoped(Case.objects.all(), user, Cap.VIEW_CASES, within=code) for code in codes]
        granted = object_grant_pks(user, Case, Cap.VIEW_CASES)
        if granted:
            parts.append(territory.filter(pk__in=granted))
    if dispatched is not None:
        parts.append(dispatched)
    return parts or [territory]


def _territory_cases(user: User) -> QuerySet[Case]:
    return scoped(Case.objects.all(), user, Cap.VIEW_CASES)


def _dispatched_cases(user: User, open_only: bool) -> QuerySet[Case] | None:
    """The cases dispatched to the user or to their department (open ones: `open_only`, see
    visible_cases); None for an anonymous user."""
    if not user.is_authenticated:
        return None
    qs = Case.objects.all()
    mine = Q(assignee=user)
    depts = my_department_ids(user)
    if depts:
        mine |= Q(department_id__in=depts)
    if open_only:
        mine &= Q(case_open=True)
    dispatched = CaseDispatch.objects.filter(mine).values("case_id")
    if connection.vendor == "postgresql" and (open_only or not depts):
        # id = ANY(ARRAY(SELECT …)): the few cases dispatched to one person are read once (an InitPlan)
        # and looked up in the primary key, combined with the territory's index (BitmapOr). `pk IN
        # (SELECT …)` is tested row by row instead, and a small territory then reads the whole table.
        # A department's tens of thousands stay a hashed subquery: its rows are common enough that the
        # newest-first walk finds a page at once; its open ones (open_only) are few, read the same way.
        return qs.filter(_InIds(F("pk"), Subquery(dispatched)))
    return qs.filter(pk__in=dispatched)


class _InIds(Func):
    """`<pk> = ANY(ARRAY(<subquery>))` (PostgreSQL)."""

    arg_joiner = " = ANY(ARRAY"
    template = "%(expressions)s)"
    output_field = BooleanField()
    conditional = True


def may_comment(user: User, case: Case) -> bool:
    """Notes on the timeline: whoever sees the case through the territory, or handles it now.
    A handler the case has moved on from keeps reading it, no more."""
    return can(user, Cap.VIEW_CASES, case.grid_id) or is_handler(user, case)


def allowed_actions(user: User, case: Case) -> frozenset[str]:
    """What `user` may do on `case` now: the names of the case page's actions (one view and one
    URL each). The actions check the same rules again when they run; this decides what is shown.
    Deciding on an extension is `can_decide_extension` (it depends on the request, not the case)."""
    grid = case.grid_id
    is_open = case.status in OPEN_STATUSES
    may_assign = can(user, Cap.ASSIGN_CASE, grid)
    handles = case.status == Status.ASSIGNED and is_handler(user, case)
    rules = rules_for(case)
    allowed = {
        "accept": case.status == Status.REPORTED and can(user, Cap.ACCEPT_CASE, grid),
        "assign": case.status in (Status.ACCEPTED, Status.ASSIGNED) and may_assign,
        # A kind handled on its own page (a dispute: mediation) is not reported back here.
        "handle": handles and not rules.handled_elsewhere,
        "extend": handles,
        "verify": case.status == Status.HANDLED and can(user, Cap.VERIFY_CASE, grid),
        # A self-handled case is not rated by its own filer (her rating would not count, disputes.summaries).
        "rate": case.status == Status.CLOSED and case.rating is None
        and not (case.self_handled and user.pk == case.filer_id)
        and (user.pk == case.filer_id or can(user, Cap.VERIFY_CASE, grid)),
        # 退回（非本部门）: the handler it was dispatched to hands it back to the dispatcher.
        "send_back": case.status == Status.ASSIGNED and is_handler(user, case),
        # 转为矛盾纠纷: an open plain case, by a dispatcher or a mediator of its territory.
        "convert": case.kind == CaseKind.CASE and case.status in (Status.REPORTED, Status.ACCEPTED, Status.ASSIGNED)
        and bool(kinds_adoptable()) and (may_assign or can(user, Cap.MEDIATE, grid)),
        "escalate": is_open and case.level > Level.CITY and can(user, Cap.SUPERVISE_CASE, grid),
        "merge": is_open and may_assign,
        "comment": may_comment(user, case),
    }
    allowed["reject"] = allowed["accept"]
    return frozenset(name for name, ok in allowed.items() if ok)


def can_decide_extension(user: User, ext: Extension) -> bool:
    """The level above the handler: supervisors of the node responsible for the case (or above), not the requester."""
    case = ext.case
    node = case.grid_id[: CODE_LENGTH[Level(min(case.level, Level.STREET))]]
    return user.pk != ext.requested_by_id and can(user, Cap.SUPERVISE_CASE, node)




# The 待办's order: the soonest deadline first (a case without one last), then the oldest.
TODO_ORDER = ("deadline", "pk")
_TODO_RELATED = ("category", "category__parent", "grid", "assignee", "department")


def _todo_conditions(user: User) -> tuple[Q | None, Q]:
    """(what waits for this user's 核查, or None; what waits for the rest: accept, dispatch, handle)."""
    verify = _prefix_q(user, Cap.VERIFY_CASE)
    to_verify = Q(status=Status.HANDLED) & verify if verify is not None else None
    others = Q(status=Status.ASSIGNED, assignee=user)
    depts = my_department_ids(user)
    if depts:
        others |= Q(status=Status.ASSIGNED, department_id__in=depts)
    for status, cap in ((Status.REPORTED, Cap.ACCEPT_CASE), (Status.ACCEPTED, Cap.ASSIGN_CASE)):
        q = _prefix_q(user, cap)
        if q is not None:
            others |= Q(status=status) & q
    return to_verify, others


def todo_sections(user: User) -> tuple[QuerySet[Case], QuerySet[Case]]:
    """The 待办 in its two sections: (待核查: handled cases waiting for this user's 核查; the rest: to
    accept, to dispatch, to handle). Each is paged on its own, in TODO_ORDER; both are open cases of
    a slice of the territory, which the open cases' (status, grid, deadline) index finds."""
    to_verify, others = _todo_conditions(user)
    verify_qs = Case.objects.filter(to_verify) if to_verify is not None else Case.objects.none()
    return (verify_qs.select_related(*_TODO_RELATED).order_by(*TODO_ORDER),
            Case.objects.filter(others).select_related(*_TODO_RELATED).order_by(*TODO_ORDER))


def todo_cases(user: User) -> QuerySet[Case]:
    """Cases waiting for this user's action, soonest deadline first: both sections in one (the API)."""
    to_verify, others = _todo_conditions(user)
    condition = others | to_verify if to_verify is not None else others
    return Case.objects.filter(condition).select_related(*_TODO_RELATED).order_by("deadline", "id")


def pending_extensions(user: User) -> QuerySet[Extension]:
    """Extension requests this user may decide (the level above the handler)."""
    q = _prefix_q(user, Cap.SUPERVISE_CASE, "case__grid__code")
    if q is None:
        return Extension.objects.none()
    return (
        Extension.objects.filter(q, state=Extension.State.PENDING)
        .exclude(requested_by=user)
        .select_related("case", "requested_by")
        .order_by("requested_at")
    )


def filter_cases(qs: QuerySet[Case], params) -> tuple[QuerySet[Case], dict, list[str]]:
    """Apply the list filters; returns (queryset, cleaned values, Chinese errors for bad values)."""
    errors: list[str] = []
    cleaned: dict = {}
    status = params.get("status", "")
    if status:
        if status == "open":
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif status in Status.values:
            qs = qs.filter(status=status)
        else:
            errors.append(_("状态筛选条件不正确。"))
        cleaned["status"] = status
    category = params.get("category", "")
    if category:
        if is_digits(category):
            qs = qs.filter(Q(category_id=int(category)) | Q(category__parent_id=int(category)))
            cleaned["category"] = int(category)
        else:
            errors.append(_("类别筛选条件不正确。"))
    grid = params.get("grid", "").strip()
    if grid:
        if is_digits(grid, 15):
            qs = qs.filter(grid__code__startswith=grid)
            cleaned["grid"] = grid
        else:
            errors.append(_("网格编码只能由数字组成。"))
    supervision = params.get("supervision", "")
    if supervision:
        # Under supervision (督办): open cases with a card, yellow (1), red (2) or either (any).
        cards = {"1": [1], "2": [2], "any": [1, 2]}.get(supervision)
        if cards is None:
            errors.append(_("督办筛选条件不正确。"))
        else:
            qs = qs.filter(status__in=OPEN_STATUSES, supervision__in=cards)
            cleaned["supervision"] = supervision
    if params.get("overdue") in ("1", "on", "true"):
        qs = qs.filter(status__in=OPEN_STATUSES, deadline__lt=timezone.now())
        cleaned["overdue"] = True
    for key, lookup in (("from", "gte"), ("to", "lt")):
        value = params.get(key, "")
        if not value:
            continue
        try:
            day = date.fromisoformat(value)
        except ValueError:
            errors.append(_("日期格式应为 YYYY-MM-DD。"))
            continue
        if key == "to":
            day += timedelta(days=1)
        start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        qs = qs.filter(**{f"created_at__{lookup}": start})
        cleaned[key] = value
    q = params.get("q", "").strip()[:40]
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(address__icontains=q))
        cleaned["q"] = q
    qs = _filter_report_figures(qs, params, cleaned, errors)
    return qs, cleaned, errors


# The filters that pick the cases behind a report figure (reports.views.drill_url), each exactly as
# reports.kpis / disputes.summaries count it. Dates are whole days in Asia/Shanghai; "…_before=D"
# means before the end of day D (the period's last day: "by the period's end").
REPORT_FLAGS = {
    # key: (value, lookup, Chinese label for the list page)
    "merged": ("0", lambda qs: qs.exclude(status=Status.MERGED), gettext_lazy("不含已合并的重复事件")),
    "self_handled": ("0", lambda qs: qs.exclude(self_handled=True), gettext_lazy("不含自处事件")),
    "rework": ("1", lambda qs: qs.filter(rework_count__gt=0), gettext_lazy("有返工")),
}


# Their keys, in the order the list page keeps them (hidden fields of its filter form).
REPORT_KEYS = ("closed_before", "kind", *REPORT_FLAGS, "rated", "rated_before", "on_time", "outcome", "settled_before")


def _end_of_day(value: str) -> datetime | None:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))


def _counted_ratings(before: datetime | None = None):
    """A rating that counts (disputes.summaries): not a self-handled case's rating by its own filer."""
    events = CaseEvent.objects.filter(case=OuterRef("pk"), action=CaseEvent.Action.RATE).exclude(
        case__self_handled=True, actor_id=OuterRef("filer_id"))
    if before is not None:
        events = events.filter(at__lt=before)
    return Exists(events)


def _late():
    """On time (reports.kpis): no overdue supervision card on the timeline."""
    return Exists(CaseEvent.objects.filter(case=OuterRef("pk"), action=CaseEvent.Action.ESCALATE, detail__has_key="card"))


def _filter_report_figures(qs: QuerySet[Case], params, cleaned: dict, errors: list[str]) -> QuerySet[Case]:
    dates: dict[str, datetime] = {}
    for key in ("closed_before", "rated_before", "settled_before"):
        value = params.get(key, "")
        if not value:
            continue
        end = _end_of_day(value)
        if end is None:
            errors.append(_("日期格式应为 YYYY-MM-DD。"))
            continue
        dates[key] = end
        cleaned[key] = value
    if "closed_before" in dates:
        qs = qs.filter(closed_at__lt=dates["closed_before"])
    kind = params.get("kind", "")
    if kind:
        if kind in CaseKind.values:
            qs = qs.filter(kind=kind)
            cleaned["kind"] = kind
        else:
            errors.append(_("事件种类筛选条件不正确。"))
    for key, (wanted, apply, _label) in REPORT_FLAGS.items():
        value = params.get(key, "")
        if not value:
            continue
        if value == wanted:
            qs = apply(qs)
            cleaned[key] = value
        else:
            errors.append(_("筛选条件“%(key)s”的值不正确。") % {"key": key})
    rated = params.get("rated", "")
    if rated:
        if rated == "1":
            qs = qs.filter(rating__isnull=False).filter(_counted_ratings(dates.get("rated_before")))
            cleaned["rated"] = rated
        else:
            errors.append(_("评价筛选条件不正确。"))
    elif "rated_before" in dates:
        errors.append(_("“评价日期止”须与“已评价”一起使用。"))
    on_time = params.get("on_time", "")
    if on_time:
        if on_time in ("0", "1"):
            qs = qs.exclude(_late()) if on_time == "1" else qs.filter(_late())
            cleaned["on_time"] = on_time
        else:
            errors.append(_("按期筛选条件不正确。"))
    outcome = params.get("outcome", "")
    if outcome:
        if outcome == Outcome.SETTLED:
            qs = qs.filter(dispute__outcome=Outcome.SETTLED, dispute__settled_at__isnull=False)
            if "settled_before" in dates:
                qs = qs.filter(dispute__settled_at__lt=dates["settled_before"])
            cleaned["outcome"] = outcome
        else:
            errors.append(_("调解结果筛选条件不正确。"))
    elif "settled_before" in dates:
        errors.append(_("“调解成功日期止”须与“调解成功”一起使用。"))
    return qs


def describe_filters(cleaned: dict) -> list[str]:
    """The report-figure filters in force, in Chinese, for the list page (the form shows the others)."""
    out: list[str] = []
    if "closed_before" in cleaned:
        out.append(_("%(day)s 及以前结案") % {"day": cleaned["closed_before"]})
    if "kind" in cleaned:
        out.append(str(CaseKind(cleaned["kind"]).label))
    for key, (_wanted, _apply, label) in REPORT_FLAGS.items():
        if key in cleaned:
            out.append(str(label))
    if "rated" in cleaned:
        out.append(_("已评价（自处事件由上报人自评的不计）"))
        if "rated_before" in cleaned:
            out.append(_("%(day)s 及以前评价") % {"day": cleaned["rated_before"]})
    if "on_time" in cleaned:
        out.append(_("按期办结（从未超期督办）") if cleaned["on_time"] == "1" else _("曾超期督办"))
    if "outcome" in cleaned:
        out.append(_("调解成功"))
        if "settled_before" in cleaned:
            out.append(_("%(day)s 及以前调解成功") % {"day": cleaned["settled_before"]})
    return out


def _lists_open_cases(params) -> bool:
    """Whether filter_cases keeps only open cases for these parameters (status=open, a supervision
    card, overdue)."""
    return (params.get("status", "") == "open" or params.get("supervision", "") in ("1", "2", "any")
            or params.get("overdue") in ("1", "on", "true"))


_LIST_RELATED = ("category", "category__parent", "grid", "assignee", "department")


def case_list(user: User, params) -> tuple[QuerySet[Case], dict, list[str]]:
    qs = visible_cases(user, open_only=_lists_open_cases(params)).select_related(*_LIST_RELATED)
    return filter_cases(qs, params)


def case_list_parts(user: User, params) -> list[QuerySet[Case]]:
    """The list `case_list` gives, as parts whose union it is (visible_case_parts, each filtered the
    same way): the case list reads its page part by part (keyset_page's `parts`).

    A list of open cases (status=open or one open status, a supervision card, overdue) is one part,
    the whole list: its one query walks the open cases' own index (case_open_newest, a few per cent
    of the cases) newest first and finds a street's page at once (2.7 ms at 2 M cases), where the
    street's part alone was a BitmapAnd of the street's 20,000 cases with the 130,000 of the open
    statuses, and a sort (12–41 ms)."""
    open_only = _lists_open_cases(params)
    if open_only or params.get("status", "") in OPEN_STATUSES:
        return [case_list(user, params)[0]]
    return [filter_cases(part.select_related(*_LIST_RELATED), params)[0]
            for part in visible_case_parts(user, open_only=open_only)]


def _metres(lat1: Decimal, lng1: Decimal, lat2: Decimal, lng2: Decimal) -> float:
    """Haversine distance in metres."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6_371_000 * 2 * math.asin(math.sqrt(a))


def possible_duplicates(
    user: User, *, category_id: int, grid_code: str, lat=None, lng=None, exclude_pk: int | None = None,
    now: datetime | None = None, limit: int = 10,
) -> list[Case]:
    """Open cases of the same category in the same grid, or within 100 m, filed in the last 7 days."""
    now = now or timezone.now()
    near = Q(grid_id=grid_code)
    if lat is not None and lng is not None:
        lat, lng = Decimal(str(lat)), Decimal(str(lng))
        dlat = Decimal("0.0010")
        dlng = Decimal(str(round(0.0010 / max(math.cos(math.radians(float(lat))), 0.01), 6)))
        near |= Q(lat__range=(lat - dlat, lat + dlat), lng__range=(lng - dlng, lng + dlng))
    qs = (
        visible_cases(user)
        .filter(near, category_id=category_id, status__in=OPEN_STATUSES, created_at__gte=now - timedelta(days=DUPLICATE_DAYS))
        .select_related("grid", "category")
        .order_by("-created_at")
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    found = []
    for case in qs[: limit * 3]:
        if case.grid_id == grid_code:
            case.distance = None
            found.append(case)
        elif lat is not None and case.lat is not None:
            d = _metres(lat, lng, case.lat, case.lng)
            if d <= DUPLICATE_RADIUS_M:
                case.distance = round(d)
                found.append(case)
    return found[:limit]


def cases_involving(user: User, *, resident=None, unit=None, limit: int = 20) -> list[Case]:
    """The cases (disputes included) a registered resident or unit is linked to, that `user` may see."""
    qs = visible_cases(user)
    if resident is not None:
        qs = qs.filter(residents=resident)
    if unit is not None:
        qs = qs.filter(units=unit)
    return list(qs.select_related("category").order_by("-created_at", "-id")[:limit])


def open_cases_by_child(user: User, region_code: str, child_width: int) -> dict[str, tuple[int, int]]:
    """{child code: (open cases, of which overdue)} for the children (codes `child_width` long) of
    `region_code`, counting only cases in the user's territorial scope. One query over open cases
    (the (status, deadline) index): open cases are a small share of a city's history."""
    qs = scoped(Case.objects.filter(grid__code__startswith=region_code, status__in=OPEN_STATUSES), user, Cap.VIEW_CASES)
    rows = (
        qs.annotate(prefix=Substr("grid_id", 1, child_width))
        .values("prefix")
        # Counting the grid (never NULL), not the id: every column read is then in the open cases'
        # (status, grid, deadline) index, an index-only scan (2 M cases, 65,000 open: 57 ms, not 269 ms).
        .annotate(open=Count("grid"), overdue=Count("grid", filter=Q(deadline__lt=timezone.now())))
        .values_list("prefix", "open", "overdue")
    )
    return {prefix: (n, late) for prefix, n, late in rows}

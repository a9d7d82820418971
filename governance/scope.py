"""Territorial scope: the one place that decides what a user may see and touch.

Every queryset shown to a user goes through `scoped()`. A model that lives
somewhere names the field holding its territory code (`territory_field`,
e.g. "grid_id"); the filter is a prefix match on that code, because a node's
code is a prefix of every code below it.

Sources of scope, in order (a Django superuser is for installation only — the audited /admin/ —
and has no territorial capability of its own: it reaches what its roles give it, like anyone):
1. (none for superusers)
2. roles held on nodes (RoleAssignment) — a role's capabilities apply to the
   node and everything below it;
3. django-guardian grants on a Region with codename `scope_<cap>` — the same,
   for exceptions such as an auditor (few rows, never one per register row);
4. django-guardian grants on a single object (`view_case` on one case) —
   for sharing one object with someone outside its territory.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from functools import reduce

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.db.models.lookups import Exact
from django.http import Http404
from django.utils.translation import gettext as _
from guardian.models import GroupObjectPermission, UserObjectPermission

from governance.models import Region, RoleAssignment, User
from governance.roles import CODE_LENGTH, ROLE_CAPABILITIES, Cap, Level, Role

_CACHE_ATTR = "_gridgov_scope_cache"


def _minimal_prefixes(codes: Iterable[str]) -> tuple[str, ...]:
    """Drop codes already covered by a shorter code in the set."""
    kept: list[str] = []
    for code in sorted(set(codes), key=lambda c: (len(c), c)):
        if not any(code.startswith(k) for k in kept):
            kept.append(code)
    return tuple(sorted(kept))


def _scope_cache(user: User) -> dict:
    """Role assignments and guardian node grants, loaded once per user object (i.e. per request)."""
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is not None:
        return cache
    assignments = list(RoleAssignment.objects.filter(user=user).select_related("region", "department"))
    region_ct = ContentType.objects.get_for_model(Region)
    node_grants: dict[str, set[str]] = {}
    grant_rows = list(
        UserObjectPermission.objects.filter(user=user, content_type=region_ct).values_list(
            "permission__codename", "object_pk"
        )
    ) + list(
        GroupObjectPermission.objects.filter(group__user=user, content_type=region_ct).values_list(
            "permission__codename", "object_pk"
        )
    )
    for codename, code in grant_rows:
        if codename.startswith("scope_"):
            node_grants.setdefault(codename.removeprefix("scope_"), set()).add(code)
    cache = {"assignments": assignments, "node_grants": node_grants, "codes": {}}
    setattr(user, _CACHE_ATTR, cache)
    return cache


def forget_scope(user: User) -> None:
    """Call after changing a user's roles or grants within the same request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def role_assignments(user: User) -> list[RoleAssignment]:
    if not user.is_authenticated:
        return []
    return _scope_cache(user)["assignments"]


def region_codes(user: User, cap: str = Cap.VIEW) -> tuple[str, ...]:
    """The territory codes under which `user` has capability `cap` (minimal set)."""
    if not user.is_authenticated or not user.is_active:
        return ()
    cache = _scope_cache(user)
    if cap not in cache["codes"]:
        codes = {a.region_id for a in cache["assignments"] if cap in ROLE_CAPABILITIES[a.role]}
        codes |= cache["node_grants"].get(cap, set())
        cache["codes"][cap] = _minimal_prefixes(codes)
    return cache["codes"][cap]


def _object_grant_codename(model: type[Model], cap: str) -> str:
    action = {Cap.VIEW: "view", Cap.VIEW_CASES: "view", Cap.VIEW_REGISTER: "view", Cap.CHANGE_REGISTER: "change"}.get(cap, cap)
    return f"{action}_{model._meta.model_name}"


def _object_grant_pks(user: User, model: type[Model], cap: str) -> list[str]:
    """The pks of the objects of `model` granted to `user` for `cap`, read once per user object (i.e.
    per request, like the roles: forget_scope drops them too)."""
    if model is Region:
        return []  # grants on nodes are handled as scope above
    grants = _scope_cache(user).setdefault("object_grants", {})
    key = (model._meta.label, cap)
    if key not in grants:
        grants[key] = _read_object_grant_pks(user, model, cap)
    return grants[key]


def object_grant_pks(user: User, model: type[Model], cap: str = Cap.VIEW) -> list[str]:
    """The pks `scoped` lets through by a grant on the single object (none for a user it shows nothing):
    for a list read in parts, the granted objects being one part (disputes.selectors.cases.visible_case_parts)."""
    if not user.is_authenticated or not user.is_active:
        return []
    return _object_grant_pks(user, model, cap)


def _read_object_grant_pks(user: User, model: type[Model], cap: str) -> list[str]:
    ct = ContentType.objects.get_for_model(model)
    codename = _object_grant_codename(model, cap)
    user_pks = UserObjectPermission.objects.filter(
        user=user, content_type=ct, permission__codename=codename
    ).values_list("object_pk", flat=True)
    group_pks = GroupObjectPermission.objects.filter(
        group__user=user, content_type=ct, permission__codename=codename
    ).values_list("object_pk", flat=True)
    return list(user_pks) + list(group_pks)


def scope_condition(model: type[Model], user: User, cap: str = Cap.VIEW, field: str | None = None) -> Q | None:
    """The filter `scoped` applies (None: nothing), for a condition inside a larger one — e.g. the
    sensitive tags a user may see among all tags. `field`: the territory field, if not the model's."""
    if not user.is_authenticated or not user.is_active:
        return None
    field = field or model.territory_field
    condition = Q()
    for code in region_codes(user, cap):
        condition |= Q(**{f"{field}__startswith": code})
    return condition or None


def scoped(qs: QuerySet, user: User, cap: str = Cap.VIEW, *, within: str | None = None) -> QuerySet:
    """Filter `qs` to the rows `user` may reach with capability `cap`.

    `within` (a node's code): only the rows of the user's territory under that node, object grants left
    out — for a list read node by node (disputes.selectors.cases.visible_case_parts). A node the user
    reaches whole is one condition on it alone, which its index answers: a model's territory prefixes
    indexed as expressions (`territory_prefix_indexes`: {width: expression}, e.g. Case's
    left(grid_id, 9)) are said as `<expression> = code`. Never wider than `scoped` without it."""
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if within is not None:
        return _scoped_within(qs, user, cap, within)
    field = qs.model.territory_field
    condition = Q()
    grid = CODE_LENGTH[Level.GRID]
    for code in region_codes(user, cap):
        # A grid has no nodes below it: its rows are those of exactly its code, which the planner
        # estimates from the column's statistics (a prefix it cannot, and at 2 M cases it then walks
        # the whole table newest first for a grid worker's few hundred rows).
        lookup = "" if len(code) == grid else "__startswith"
        condition |= Q(**{f"{field}{lookup}": code})
    pks = _object_grant_pks(user, qs.model, cap)
    if pks:
        condition |= Q(pk__in=pks)
    if not condition:
        return qs.none()
    return qs.filter(condition)


def _node_condition(model: type[Model], code: str) -> Q | Exact:
    """The rows under the node `code`: the way `scoped` says it (a grid's exact code, a prefix), or by
    the model's index on the prefix of that width."""
    field = model.territory_field
    expression = getattr(model, "territory_prefix_indexes", {}).get(len(code))
    if expression is not None:
        return Exact(expression, code)
    lookup = "" if len(code) == CODE_LENGTH[Level.GRID] else "__startswith"
    return Q(**{f"{field}{lookup}": code})


def _scoped_within(qs: QuerySet, user: User, cap: str, within: str) -> QuerySet:
    codes = region_codes(user, cap)
    if any(within.startswith(code) for code in codes):
        # All of the node is the user's: the one condition on it (said twice, the scope's way and the
        # index's, PostgreSQL multiplied their selectivities: a street's 20,000 cases were estimated
        # at 100, read by a bitmap and sorted, 400 ms at 2 M cases instead of an index walk of 0.1 ms).
        return qs.filter(_node_condition(qs.model, within))
    below = [code for code in codes if code.startswith(within)]
    if not below:
        return qs.none()
    return qs.filter(reduce(operator.or_, (_node_condition(qs.model, code) for code in below)))


def can(user: User, cap: str, region_code: str) -> bool:
    """Whether `user` has `cap` on the node `region_code` (by role or node grant)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return any(region_code.startswith(code) for code in region_codes(user, cap))


def get_in_scope_or_404(qs: QuerySet, user: User, cap: str = Cap.VIEW, **lookup) -> Model:
    """Like get_object_or_404, but outside the user's scope is "not found" too: no leak."""
    try:
        return scoped(qs, user, cap).get(**lookup)
    except qs.model.DoesNotExist:
        raise Http404(_("不存在或不在您的辖区内。")) from None


def top_regions(user: User, cap: str = Cap.VIEW) -> list[Region]:
    """The highest nodes the user reaches — where their home page starts."""
    return list(Region.objects.filter(code__in=region_codes(user, cap)))


def holds_only(user: User, role: str) -> bool:
    assignments = role_assignments(user)
    return bool(assignments) and all(a.role == role for a in assignments)


def is_grid_worker_only(user: User) -> bool:
    return holds_only(user, Role.GRID_WORKER)


def runs_the_system(user: User) -> bool:
    """City admins (CONFIGURE on a top node) and superusers: they see the system page and are told
    on every page when background work has stopped."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or any(len(code) == CODE_LENGTH[Level.CITY] for code in region_codes(user, Cap.CONFIGURE))

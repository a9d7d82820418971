"""The case loop's kernel: what every write on a case does, with public names.

Every step of the loop (actions/cases.py) and everything built on it (actions/mediation.py)
goes through these:

- `lock_case(case, version)` re-reads the case under a row lock and checks that the version
  the actor saw is still current (optimistic locking: `StaleCase`, shown as HTTP 409);
- `save_case(case, fields)` writes the changed fields with the version bumped, guarded by
  `WHERE version = <seen>` so that nothing is overwritten even without row locks (SQLite);
- `require_status(case, allowed, doing)` refuses an action that does not fit the state;
- `record_event(...)` appends one row to the case's timeline; `record_dispatch(case)` remembers
  who it was dispatched to (handlers reach a case by dispatch, not by territory);
- `notify(user_ids, case, kind, text)` sends in-app notices after the commit;
- `handler_ids` / `holders_of` / `is_handler` say who must act; `holders_by_node`,
  `handlers_by_department` and `notices_for` do the same for a batch of cases (periodic supervision;
  governance.locks.run_alone keeps it from running twice at once);
- the loop's clock: `stage_deadline`, `handle_deadline`;
- the case summaries (`disputes.summaries`, read by the report cycles): an action that can change
  a counted fact takes `before = counts_of(case)` under the case's lock and calls
  `recount(case, before)` after its writes, in the same transaction;
- `register_kind(KindRules(...))`: a richer kind of case (a dispute) tells the loop how it
  differs — its handling deadline, what a failed verification means, whether 处置 is
  recorded on its own page — instead of the loop testing `case.kind`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disputes.calendar import deadline_from
from disputes.models import OPEN_STATUSES, Case, CaseDispatch, CaseEvent, CaseKind, Category, Notice, Stage, TimeLimit
from disputes.summaries import counts_of, recount
from governance.actions import StaleVersion
from governance.models import RoleAssignment, User
from governance.roles import ADMIN_ROLES, ROLE_CAPABILITIES, Cap, Role
from governance.scope import role_assignments

__all__ = ["counts_of", "recount"]  # the summaries' kernel calls, named here with the rest of the loop's

DEFAULT_LIMITS = {Stage.ACCEPT: (4, "hours"), Stage.HANDLE: (5, "days"), Stage.VERIFY: (1, "days")}


class StaleCase(StaleVersion):
    """The case changed since the actor loaded it."""

    message = gettext_lazy("该事件已被他人更新，请刷新后重试。")


STALE_MESSAGE = StaleCase.message


class CaseStateError(ValidationError):
    """The action does not fit the case's current state."""


# ---------------------------------------------------------------- kinds of case


@dataclass(frozen=True)
class KindRules:
    """How one kind of case departs from the plain loop (registered once, at app start)."""

    kind: str
    # The handling deadline when the case is accepted, assigned or sent back; None: the category's limit.
    handle_deadline: Callable[[Case], datetime | None] = lambda case: None
    # Called under the case's lock when 核查 finds the case not fixed, before it goes back to the handler.
    on_verification_failed: Callable[[Case], None] = lambda case: None
    # Set when 处置 is not reported on the case page but on the kind's own page (the refusal says where).
    handled_elsewhere: str | Promise = ""
    # The kind's own page for a case, if it has one (the case page links to it).
    page_url: Callable[[Case], str] | None = None
    # A plain case filed in one of these categories is this kind from the start (a 矛盾纠纷
    # category: the case reaches the mediation desk): `adopt` is called under the case's row,
    # after filing or when a case is converted, and writes the kind's own data.
    claims_category: Callable[[Category], bool] = lambda category: False
    adopt: Callable[..., None] | None = None


PLAIN = KindRules(kind=CaseKind.CASE)
_KINDS: dict[str, KindRules] = {PLAIN.kind: PLAIN}


def register_kind(rules: KindRules) -> None:
    _KINDS[rules.kind] = rules


def rules_for(case: Case) -> KindRules:
    return _KINDS.get(case.kind, PLAIN)


def kind_claiming(category: Category) -> KindRules | None:
    """The richer kind a case filed in `category` is from the start (None: a plain case)."""
    for rules in _KINDS.values():
        if rules.adopt is not None and rules.claims_category(category):
            return rules
    return None


def kinds_adoptable() -> list[KindRules]:
    """The kinds a plain case can be converted into (a dispute)."""
    return [rules for rules in _KINDS.values() if rules.adopt is not None]


# ---------------------------------------------------------------- the clock


def stage_limit(category: Category, stage: str) -> tuple[int, str]:
    """(amount, unit) for a stage: the category's own limit, else its parent's, else the default."""
    limits = {(t.category_id, t.stage): t for t in TimeLimit.objects.filter(
        category_id__in=[category.pk, category.parent_id], stage=stage
    )}
    for cid in (category.pk, category.parent_id):
        if (cid, stage) in limits:
            return limits[cid, stage].amount, limits[cid, stage].unit
    return DEFAULT_LIMITS[Stage(stage)]


def stage_deadline(category: Category, stage: str, start: datetime | None = None) -> datetime:
    amount, unit = stage_limit(category, stage)
    return deadline_from(start or timezone.now(), amount, unit)


def handle_deadline(case: Case) -> datetime:
    """The handling clock: the kind's own (a dispute's mediation time limit), else the category's."""
    return rules_for(case).handle_deadline(case) or stage_deadline(case.category, Stage.HANDLE)


# ---------------------------------------------------------------- lock, state, save, timeline


def lock_case(case: Case, version: int | None) -> Case:
    """Re-read the case under a row lock (its own row only: FOR UPDATE OF, so that cases of one category or
    grid do not queue on that row, nor deadlock against the audit chain lock); the version the actor saw
    must still be current."""
    locked = Case.objects.select_for_update(of=("self",)).select_related("category", "grid").get(pk=case.pk)
    if version is not None and locked.version != int(version):
        raise StaleCase()
    return locked


def lock_cases(*cases: Case) -> dict[int, Case]:
    """Row locks on several cases at once, always taken in id order: two actions locking the same
    pair from opposite ends (merge A into B while B goes into A) then queue instead of deadlocking."""
    locked = Case.objects.select_for_update(of=("self",)).select_related("category", "grid").filter(
        pk__in=[c.pk for c in cases]
    ).order_by("pk")
    return {c.pk: c for c in locked}


def save_case(case: Case, fields: list[str]) -> None:
    """UPDATE … WHERE id = … AND version = <seen>: even without row locks (SQLite), nothing is overwritten."""
    seen = case.version
    values = {f: getattr(case, f) for f in fields}
    values["updated_at"] = timezone.now()
    if Case.objects.filter(pk=case.pk, version=seen).update(version=F("version") + 1, **values) != 1:
        raise StaleCase()
    case.version = seen + 1
    if "status" in fields:
        # The dispatch rows' copy of "open" (CaseDispatch.case_open), in the same transaction: closing,
        # merging, rejecting or reopening a case moves it in or out of its departments' open lists.
        is_open = case.status in OPEN_STATUSES
        CaseDispatch.objects.filter(case_id=case.pk).exclude(case_open=is_open).update(case_open=is_open)


def require_status(case: Case, allowed: Iterable[str], doing: str) -> None:
    if case.status not in tuple(allowed):
        raise CaseStateError(
            _("该事件当前为“%(status)s”，不能%(doing)s。") % {"status": case.get_status_display(), "doing": doing},
            code="state",
        )


def record_event(
    case: Case, actor: User | None, action: str, from_status: str, note: str = "", **detail
) -> CaseEvent:
    """One row of the case's timeline; `to_status` is the case's status now."""
    return CaseEvent.objects.create(
        case=case, actor=actor, action=action, from_status=from_status, to_status=case.status, note=note,
        detail=detail,
    )


def record_dispatch(case: Case) -> CaseDispatch:
    """Remember that the case now lies with its assignee or department: they reach it through
    this row from now on (selectors.cases.visible_cases), read-only once it has moved on."""
    return CaseDispatch.objects.create(case=case, assignee_id=case.assignee_id, department_id=case.department_id,
                                       case_open=case.status in OPEN_STATUSES)


def clean_text(note: str | None, what: str, required: bool = True, max_length: int = 2000) -> str:
    """A free-text field of an action: trimmed, required unless said otherwise, bounded."""
    note = (note or "").strip()
    if required and not note:
        raise ValidationError(_("请填写%(what)s。") % {"what": what}, code="required")
    if len(note) > max_length:
        raise ValidationError(
            _("%(what)s不能超过 %(max_length)s 字。") % {"what": what, "max_length": max_length}, code="max_length"
        )
    return note


# ---------------------------------------------------------------- who acts, and telling them


def notify(user_ids: Iterable[int | None], case: Case, kind: str, text: str, actor: User | None = None) -> None:
    """In-app notices, sent once the write has committed (nothing is sent for a rolled-back write);
    never to the `actor` who did what the notice is about."""
    ids = sorted({uid for uid in user_ids if uid and (actor is None or uid != actor.pk)})
    if not ids:
        return

    def send() -> None:
        Notice.objects.bulk_create([Notice(user_id=uid, case_id=case.pk, kind=kind, text=text) for uid in ids])

    transaction.on_commit(send)


def handler_ids(case: Case) -> list[int]:
    """Who handles the case now: its assignee, else every handler of its department."""
    if case.assignee_id:
        return [case.assignee_id]
    if case.department_id:
        return list(
            RoleAssignment.objects.filter(role=Role.DEPT_HANDLER, department_id=case.department_id).values_list(
                "user_id", flat=True
            )
        )
    return []


def acting_roles(cap: str) -> list[str]:
    """The roles whose holders act on `cap` (not the admins: they configure, not act)."""
    return [role for role, caps in ROLE_CAPABILITIES.items() if cap in caps and role not in ADMIN_ROLES]


def holders_of(cap: str, region_code: str) -> list[int]:
    """The users holding `cap` by a role on exactly this node (`acting_roles`)."""
    return list(RoleAssignment.objects.filter(role__in=acting_roles(cap), region_id=region_code).values_list(
        "user_id", flat=True))


# Who may be dispatched a case as its 处置人: the roles that work cases in the field (grid workers,
# community staff and party secretaries, street officers, mediators) — not the city leader, the
# district centre or the system admin, who supervise or configure; departments are chosen as such.
ASSIGNABLE_ROLES = tuple(
    role for role, caps in ROLE_CAPABILITIES.items() if Cap.FILE_CASE in caps and role not in ADMIN_ROLES
)


def assignable_users(grid_code: str, ancestors: list[str]):
    """Users who can be dispatched a case of `grid_code` (a role of ASSIGNABLE_ROLES on it or above)."""
    return User.objects.filter(
        is_active=True, role_assignments__role__in=ASSIGNABLE_ROLES,
        role_assignments__region_id__in=[*ancestors, grid_code],
    ).distinct()


def may_be_assigned(user: User, grid_code: str) -> bool:
    return user.is_active and any(
        a.role in ASSIGNABLE_ROLES and a.region_id and grid_code.startswith(a.region_id) for a in role_assignments(user)
    )


def grid_worker_ids(grid_code: str) -> list[int]:
    """The grid's own workers (told when a case of their grid waits for 核查, is closed or sent back)."""
    return list(RoleAssignment.objects.filter(role=Role.GRID_WORKER, region_id=grid_code).values_list("user_id", flat=True))


def is_handler(user: User, case: Case) -> bool:
    """The case's assignee, or a handler of the department it is dispatched to."""
    if not user.is_authenticated:
        return False
    if case.assignee_id and case.assignee_id == user.pk:
        return True
    if case.department_id:
        return any(a.role == Role.DEPT_HANDLER and a.department_id == case.department_id for a in role_assignments(user))
    return False


def require_handler(actor: User | None, case: Case, message: str = "") -> None:
    if actor is not None and not is_handler(actor, case):
        raise PermissionDenied(message or _("只有被派遣的处置人或处置部门可以反馈处置结果。"))


# ---------------------------------------------------------------- the same, for many cases at once (periodic supervision)


def holders_by_node(cap: str, codes: Iterable[str]) -> dict[str, list[int]]:
    """`holders_of` for many nodes in one query: {node code: user ids}."""
    out: dict[str, list[int]] = {}
    rows = RoleAssignment.objects.filter(role__in=acting_roles(cap), region_id__in=sorted(set(codes))).values_list(
        "region_id", "user_id")
    for code, uid in rows:
        out.setdefault(code, []).append(uid)
    return out


def handlers_by_department(department_ids: Iterable[int | None]) -> dict[int, list[int]]:
    """Every handler of each department, in one query (`handler_ids` of cases without an assignee)."""
    ids = sorted({d for d in department_ids if d})
    out: dict[int, list[int]] = {}
    if ids:
        for dept, uid in RoleAssignment.objects.filter(role=Role.DEPT_HANDLER, department_id__in=ids).values_list(
                "department_id", "user_id"):
            out.setdefault(dept, []).append(uid)
    return out


def notices_for(user_ids: Iterable[int | None], case_id: int, kind: str, text: str) -> list[Notice]:
    """The rows `notify` would send, for a caller that inserts many cases' notices in one statement
    inside its own transaction (they commit, or roll back, with the writes they tell of)."""
    return [Notice(user_id=uid, case_id=case_id, kind=kind, text=text) for uid in sorted({u for u in user_ids if u})]

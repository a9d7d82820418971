"""Writes on cases. Every step of the loop is a do_* action: it checks who may act
(role and scope, or assignment), locks the case, checks the version the actor saw
(optimistic locking: a stale version raises StaleCase → HTTP 409), changes the
state, writes one CaseEvent and one audit row; notices go out after commit."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from disputes.calendar import deadline_from
from disputes.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CasePhoto,
    Category,
    Extension,
    Notice,
    Stage,
    Status,
    Supervision,
    TimeLimit,
    Urgency,
)
from disputes.photos import clean_photos
from governance.actions import record_audit, require
from governance.models import Department, Region, RoleAssignment, User
from governance.roles import CODE_LENGTH, ROLE_CAPABILITIES, Cap, Level, Role
from governance.scope import can
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

STALE_MESSAGE = gettext_lazy("该事件已被他人更新，请刷新后重试。")
DEFAULT_LIMITS = {Stage.ACCEPT: (4, "hours"), Stage.HANDLE: (5, "days"), Stage.VERIFY: (1, "days")}
# Overdue by this much after the yellow card: red card and one more level up.
RED_CARD_AFTER = timedelta(hours=24)
DUE_SOON = timedelta(hours=2)


class StaleCase(Exception):
    """The case changed since the actor loaded it."""

    message = STALE_MESSAGE


class CaseStateError(ValidationError):
    """The action does not fit the case's current state."""


# ---------------------------------------------------------------- helpers


def stage_limit(category: Category, stage: str) -> tuple[int, str]:
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
    """The handling clock. Disputes run on their mediation time limit (mediation_actions) instead."""
    if case.kind == "dispute":
        from disputes.mediation_actions import mediation_deadline

        due = mediation_deadline(case)
        if due is not None:
            return due
    return stage_deadline(case.category, Stage.HANDLE)


def _lock(case: Case, version: int | None) -> Case:
    """Re-read the case under a row lock; the version the actor saw must still be current."""
    locked = Case.objects.select_for_update().select_related("category", "grid").get(pk=case.pk)
    if version is not None and locked.version != int(version):
        raise StaleCase()
    return locked


def _save(case: Case, fields: list[str]) -> None:
    """UPDATE … WHERE id = … AND version = <seen>: even without row locks (SQLite), nothing is overwritten."""
    seen = case.version
    values = {f: getattr(case, f) for f in fields}
    values["updated_at"] = timezone.now()
    if Case.objects.filter(pk=case.pk, version=seen).update(version=F("version") + 1, **values) != 1:
        raise StaleCase()
    case.version = seen + 1


def _state(case: Case, allowed: tuple[str, ...], doing: str) -> None:
    if case.status not in allowed:
        raise CaseStateError(_("该事件当前为“%(status)s”，不能%(doing)s。") % {"status": case.get_status_display(), "doing": doing}, code="state")


def _event(case: Case, actor: User | None, action: str, from_status: str, note: str = "", **detail) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, actor=actor, action=action, from_status=from_status, to_status=case.status, note=note,
        detail=detail,
    )


def _audit(actor: User | None, action: str, case: Case, **detail) -> None:
    record_audit(actor=actor, action=f"case.{action}", target=case, region_code=case.grid_id, detail=detail)


def _notify(user_ids, case: Case, kind: str, text: str) -> None:
    ids = sorted({uid for uid in user_ids if uid})
    if not ids:
        return

    def send() -> None:
        Notice.objects.bulk_create([Notice(user_id=uid, case_id=case.pk, kind=kind, text=text) for uid in ids])

    transaction.on_commit(send)


def _handler_ids(case: Case) -> list[int]:
    if case.assignee_id:
        return [case.assignee_id]
    if case.department_id:
        return list(
            RoleAssignment.objects.filter(role=Role.DEPT_HANDLER, department_id=case.department_id).values_list(
                "user_id", flat=True
            )
        )
    return []


def _roles_with(cap: str) -> list[str]:
    return [role for role, caps in ROLE_CAPABILITIES.items() if cap in caps and role != Role.ADMIN]


def _holders_of(cap: str, region_code: str) -> list[int]:
    return list(
        RoleAssignment.objects.filter(role__in=_roles_with(cap), region_id=region_code).values_list("user_id", flat=True)
    )


def is_handler(user: User, case: Case) -> bool:
    if not user.is_authenticated:
        return False
    if case.assignee_id and case.assignee_id == user.pk:
        return True
    if case.department_id:
        from governance.scope import role_assignments

        return any(a.role == Role.DEPT_HANDLER and a.department_id == case.department_id for a in role_assignments(user))
    return False


def _require_handler(actor: User | None, case: Case) -> None:
    if actor is not None and not actor.is_superuser and not is_handler(actor, case):
        raise PermissionDenied(_("只有被派遣的处置人或处置部门可以反馈处置结果。"))


def _note(note: str, what: str, required: bool = True, max_length: int = 2000) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationError(_("请填写%(what)s。") % {"what": what}, code="required")
    if len(note) > max_length:
        raise ValidationError(_("%(what)s不能超过 %(max_length)s 字。") % {"what": what, "max_length": max_length}, code="max_length")
    return note


def _coordinate(value, low: float, high: float, what: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(what)s格式不正确。") % {"what": what}) from None
    if not number.is_finite() or not (low <= number <= high):
        raise ValidationError(_("%(what)s超出范围。") % {"what": what})
    return round(number, 6)


def _add_photos(case: Case, files, actor: User, kind: str, event: CaseEvent | None) -> int:
    cleaned = clean_photos(files)
    for content, width, height in cleaned:
        photo = CasePhoto(case=case, event=event, kind=kind, uploaded_by=actor, width=width, height=height)
        photo.image.save(content.name, content, save=False)
        photo.save()
    return len(cleaned)


# ---------------------------------------------------------------- filing


@transaction.atomic
def do_file_case(*, actor: User, self_handle: bool = False, **fields) -> Case:
    """上报. With self_handle (自处) a minor case is filed and closed with evidence in one step.
    `residents` / `units`: registered residents / units of the case's grid (ids or rows) the
    actor may see in the registers; anything else is refused and nothing is written."""
    case = file_case_unaudited(actor=actor, self_handle=self_handle, **fields)
    _audit(actor, "self_handle" if self_handle else "file", case, category=case.category.code,
           residents=[r.pk for r in case.linked_residents], units=[u.pk for u in case.linked_units])
    return case


def file_case_unaudited(
    *,
    actor: User,
    category: Category,
    grid: Region,
    title: str,
    description: str,
    urgency: str = Urgency.NORMAL,
    address: str = "",
    lat=None,
    lng=None,
    involved: str = "",
    residents=(),
    units=(),
    photos=(),
    self_handle: bool = False,
    evidence_note: str = "",
    evidence=(),
    now: datetime | None = None,
) -> Case:
    """The filing itself, without the audit row: do_file_case and do_file_dispute (one audit
    row each) call it inside their own transaction."""
    from disputes.links import resolve_residents, resolve_units

    require(actor, Cap.FILE_CASE, grid.code)
    if grid.level != Level.GRID:
        raise ValidationError(_("事件必须上报到具体网格。"))
    if not category.is_active:
        raise ValidationError(_("该事件类别已停用。"))
    if urgency not in Urgency.values:
        raise ValidationError(_("紧急程度不正确。"))
    now = now or timezone.now()
    case = Case(
        category=category,
        grid=grid,
        title=_note(title, _("标题"), max_length=80),
        description=_note(description, _("事件描述")),
        urgency=urgency,
        address=_note(address, _("地点"), required=False, max_length=120),
        lat=_coordinate(lat, -90, 90, _("纬度")),
        lng=_coordinate(lng, -180, 180, _("经度")),
        involved=_note(involved, _("涉及人员或单位"), required=False, max_length=500),
        filer=actor,
        created_at=now,
        level=Level.COMMUNITY,
    )
    if (case.lat is None) != (case.lng is None):
        raise ValidationError(_("位置须同时包含经度和纬度。"))
    linked_residents = resolve_residents(actor, grid.code, residents)
    linked_units = resolve_units(actor, grid.code, units)
    if self_handle:
        if urgency != Urgency.NORMAL:
            raise ValidationError(_("只有一般事件可以自处；紧急事件请上报。"))
        evidence_note = _note(evidence_note, _("处置情况"))
        if not evidence and not photos:
            raise ValidationError(_("自处结案须上传至少一张处置照片作为佐证。"))
        case.status = Status.CLOSED
        case.self_handled = True
        case.closed_at = now
    else:
        case.status = Status.REPORTED
        case.deadline = stage_deadline(category, Stage.ACCEPT, now)
    case.save(force_insert=True)
    event = CaseEvent.objects.create(
        case=case, actor=actor, action=CaseEvent.Action.FILE, to_status=Status.REPORTED, at=now,
        note=case.description[:200],
    )
    _add_photos(case, photos, actor, CasePhoto.Kind.REPORT, event)
    if self_handle:
        done = CaseEvent.objects.create(
            case=case, actor=actor, action=CaseEvent.Action.SELF_HANDLE, from_status=Status.REPORTED,
            to_status=Status.CLOSED, note=evidence_note, at=now,
        )
        _add_photos(case, evidence, actor, CasePhoto.Kind.EVIDENCE, done)
    if linked_residents:
        case.residents.add(*linked_residents)
    if linked_units:
        case.units.add(*linked_units)
    case.linked_residents, case.linked_units = linked_residents, linked_units
    return case


# ---------------------------------------------------------------- the loop


@transaction.atomic
def do_accept_case(*, actor: User | None, case: Case, version: int | None, note: str = "") -> Case:
    require(actor, Cap.ACCEPT_CASE, case.grid_id)
    case = _lock(case, version)
    _state(case, (Status.REPORTED,), _("受理"))
    before = case.status
    case.status = Status.ACCEPTED
    case.deadline = handle_deadline(case)
    case.supervision = Supervision.NONE
    _save(case, ["status", "deadline", "supervision"])
    _event(case, actor, CaseEvent.Action.ACCEPT, before, _note(note, _("说明"), required=False))
    _audit(actor, "accept", case)
    return case


@transaction.atomic
def do_reject_case(*, actor: User | None, case: Case, version: int | None, reason: str) -> Case:
    require(actor, Cap.ACCEPT_CASE, case.grid_id)
    case = _lock(case, version)
    _state(case, (Status.REPORTED,), _("不予受理"))
    reason = _note(reason, _("不予受理的理由"), max_length=200)
    before = case.status
    case.status = Status.REJECTED
    case.reject_reason = reason
    case.deadline = None
    case.closed_at = timezone.now()
    _save(case, ["status", "reject_reason", "deadline", "closed_at"])
    _event(case, actor, CaseEvent.Action.REJECT, before, reason)
    _audit(actor, "reject", case)
    _notify([case.filer_id], case, Notice.Kind.OTHER, f"您上报的事件“{case.title}”不予受理：{reason}")
    return case


@transaction.atomic
def do_assign_case(
    *,
    actor: User | None,
    case: Case,
    version: int | None,
    assignee: User | None = None,
    department: Department | None = None,
    deadline: datetime | None = None,
    note: str = "",
) -> Case:
    """派遣 to one person or one department, with a deadline (default: the category's handling limit)."""
    require(actor, Cap.ASSIGN_CASE, case.grid_id)
    case = _lock(case, version)
    _state(case, (Status.ACCEPTED, Status.ASSIGNED), _("派遣"))
    if (assignee is None) == (department is None):
        raise ValidationError(_("请选择一名处置人或一个处置部门（二选一）。"))
    if assignee is not None and not can(assignee, Cap.VIEW, case.grid_id):
        raise ValidationError(_("处置人不在该事件所在辖区。"))
    if department is not None and not case.grid_id.startswith(department.region_id):
        raise ValidationError(_("该部门不服务该事件所在辖区。"))
    if deadline is not None and deadline <= timezone.now():
        raise ValidationError(_("处置时限须晚于当前时间。"))
    before = case.status
    case.status = Status.ASSIGNED
    case.assignee = assignee
    case.department = department
    case.deadline = deadline or (
        case.deadline if before == Status.ACCEPTED and case.deadline else handle_deadline(case)
    )
    _save(case, ["status", "assignee", "department", "deadline"])
    to = assignee.get_full_name() if assignee else department.name
    _event(
        case, actor, CaseEvent.Action.ASSIGN, before, _note(note, _("说明"), required=False),
        to=to, deadline=timezone.localtime(case.deadline).isoformat(),
    )
    _audit(actor, "assign", case, to=to)
    _notify(
        _handler_ids(case), case, Notice.Kind.ASSIGNED,
        f"新派遣事件“{case.title}”，请于 {timezone.localtime(case.deadline):%m-%d %H:%M} 前处置。",
    )
    return case


@transaction.atomic
def do_handle_case(
    *, actor: User | None, case: Case, version: int | None, note: str, evidence=()
) -> Case:
    """处置: the handler reports back with feedback and evidence photos."""
    case = _lock(case, version)
    _require_handler(actor, case)
    _state(case, (Status.ASSIGNED,), _("反馈处置结果"))
    if case.kind == "dispute":
        raise CaseStateError(_("矛盾纠纷请在纠纷页登记调解结果（调解成功或调解不成）。"), code="state")
    note = _note(note, _("处置情况"))
    before = case.status
    case.status = Status.HANDLED
    case.deadline = stage_deadline(case.category, Stage.VERIFY)
    case.supervision = Supervision.NONE
    _save(case, ["status", "deadline", "supervision"])
    event = _event(case, actor, CaseEvent.Action.HANDLE, before, note)
    n = _add_photos(case, evidence, actor, CasePhoto.Kind.EVIDENCE, event)
    _audit(actor, "handle", case, photos=n)
    return case


@transaction.atomic
def do_verify_case(*, actor: User | None, case: Case, version: int | None, fixed: bool, note: str = "") -> Case:
    """核查: fixed → 结案; not fixed → back to the handler, counted as rework."""
    require(actor, Cap.VERIFY_CASE, case.grid_id)
    case = _lock(case, version)
    _state(case, (Status.HANDLED,), _("核查"))
    before = case.status
    if fixed:
        case.status = Status.CLOSED
        case.closed_at = timezone.now()
        case.deadline = None
        _save(case, ["status", "closed_at", "deadline"])
        _event(case, actor, CaseEvent.Action.VERIFY_OK, before, _note(note, _("核查意见"), required=False))
        _audit(actor, "verify", case, fixed=True)
        return case
    note = _note(note, _("未解决的原因"))
    case.status = Status.ASSIGNED
    case.rework_count += 1
    if case.kind == "dispute":
        from disputes.mediation_actions import agreement_failed_verification

        agreement_failed_verification(case)  # a settled dispute: 协议未履行，待重新调解
    case.deadline = handle_deadline(case)
    case.supervision = Supervision.NONE
    _save(case, ["status", "rework_count", "deadline", "supervision"])
    _event(case, actor, CaseEvent.Action.VERIFY_FAIL, before, note, rework=case.rework_count)
    _audit(actor, "verify", case, fixed=False)
    _notify(_handler_ids(case), case, Notice.Kind.RETURNED, f"事件“{case.title}”核查未通过，已退回重新处置：{note}")
    return case


@transaction.atomic
def do_rate_case(*, actor: User, case: Case, version: int | None, rating: int, note: str = "") -> Case:
    """评价: the filer (or a verifier on behalf of the resident) rates a closed case, once."""
    if actor.pk != case.filer_id:
        require(actor, Cap.VERIFY_CASE, case.grid_id)
    case = _lock(case, version)
    _state(case, (Status.CLOSED,), _("评价"))
    if case.rating is not None:
        raise CaseStateError(_("该事件已评价。"), code="state")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError(_("满意度须为 1 至 5 星。"))
    case.rating = rating
    case.rating_note = _note(note, _("评价"), required=False, max_length=200)
    _save(case, ["rating", "rating_note"])
    _event(case, actor, CaseEvent.Action.RATE, case.status, case.rating_note, rating=rating)
    _audit(actor, "rate", case, rating=rating)
    return case


@transaction.atomic
def do_comment_case(*, actor: User, case: Case, note: str) -> CaseEvent:
    """A comment on the timeline. It changes nothing on the case, so it never conflicts."""
    from disputes.selectors import visible_cases

    if not visible_cases(actor).filter(pk=case.pk).exists():
        raise PermissionDenied(_("您无权查看该事件。"))
    event = _event(case, actor, CaseEvent.Action.COMMENT, case.status, _note(note, _("备注内容")))
    event.from_status = event.to_status = ""
    event.save(update_fields=["from_status", "to_status"])
    _audit(actor, "comment", case)
    return event


# ---------------------------------------------------------------- escalation and supervision


def _level_up(case: Case, steps: int) -> None:
    case.level = max(Level.CITY, case.level - steps)


@transaction.atomic
def do_escalate_case(*, actor: User | None, case: Case, version: int | None, reason: str) -> Case:
    """Escalate by hand one level up (community → street → district → city)."""
    require(actor, Cap.SUPERVISE_CASE, case.grid_id)
    case = _lock(case, version)
    _state(case, OPEN_STATUSES, _("升级"))
    if case.level == Level.CITY:
        raise CaseStateError(_("该事件已在市级督办，不能再升级。"), code="state")
    reason = _note(reason, _("升级理由"), max_length=200)
    _level_up(case, 1)
    _save(case, ["level"])
    _event(case, actor, CaseEvent.Action.ESCALATE, case.status, reason, level=int(case.level))
    _audit(actor, "escalate", case, level=int(case.level))
    _notify(
        _holders_of(Cap.SUPERVISE_CASE, case.responsible_code) + _handler_ids(case), case, Notice.Kind.ESCALATED,
        f"事件“{case.title}”已升级至{Level(case.level).label}级：{reason}",
    )
    return case


@transaction.atomic
def do_supervise_overdue(*, case_id: int, now: datetime | None = None) -> Case | None:
    """The periodic task's step for one overdue case: yellow card and one level up when it
    goes overdue, red card and one more level when still overdue RED_CARD_AFTER later.
    Idempotent: the card already given is on the case, so a second run changes nothing."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().select_related("category").get(pk=case_id)
    if case.status not in OPEN_STATUSES or case.deadline is None or case.deadline >= now:
        return None
    target = Supervision.RED if now - case.deadline >= RED_CARD_AFTER else Supervision.YELLOW
    if target <= case.supervision:
        return None
    steps = target - case.supervision
    card = Supervision(target).label
    case.supervision = target
    _level_up(case, steps)
    _save(case, ["supervision", "level"])
    note = f"超期未办，{card}，升级至{Level(case.level).label}级"
    _event(case, None, CaseEvent.Action.ESCALATE, case.status, note, card=int(target), level=int(case.level))
    _audit(None, "supervise", case, card=int(target), level=int(case.level))
    _notify(
        _holders_of(Cap.SUPERVISE_CASE, case.responsible_code) + _handler_ids(case), case, Notice.Kind.ESCALATED,
        f"事件“{case.title}”已超期：{note}。",
    )
    return case


@transaction.atomic
def do_warn_due_soon(*, case_id: int, now: datetime | None = None) -> bool:
    """Tell whoever must act that the deadline is near, once per deadline."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case_id)
    if case.status not in OPEN_STATUSES or case.deadline is None or case.due_warned_for == case.deadline:
        return False
    if not (now <= case.deadline <= now + DUE_SOON):
        return False
    Case.objects.filter(pk=case.pk).update(due_warned_for=case.deadline)
    if case.status == Status.ASSIGNED:
        people = _handler_ids(case)
    elif case.status == Status.HANDLED:
        people = _holders_of(Cap.VERIFY_CASE, case.grid_id)
    else:
        people = _holders_of(Cap.ACCEPT_CASE, case.grid_id[: CODE_LENGTH[Level.STREET]])
    _notify(people, case, Notice.Kind.DUE_SOON,
            f"事件“{case.title}”将于 {timezone.localtime(case.deadline):%m-%d %H:%M} 超期。")
    return True


# ---------------------------------------------------------------- extensions


@transaction.atomic
def do_request_extension(*, actor: User, case: Case, version: int | None, days: int, reason: str) -> Extension:
    case = _lock(case, version)
    _require_handler(actor, case)
    _state(case, (Status.ASSIGNED,), _("申请延期"))
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 30:
        raise ValidationError(_("延期天数须为 1 至 30 个工作日。"))
    reason = _note(reason, _("延期理由"), max_length=200)
    if case.extensions.filter(state=Extension.State.PENDING).exists():
        raise CaseStateError(_("该事件已有待审批的延期申请。"), code="state")
    ext = Extension.objects.create(case=case, requested_by=actor, days=days, reason=reason)
    _save(case, [])
    _event(case, actor, CaseEvent.Action.EXTENSION_REQUEST, case.status, reason, days=days, extension=ext.pk)
    _audit(actor, "extension_request", case, days=days)
    _notify(_holders_of(Cap.SUPERVISE_CASE, case.grid_id[: CODE_LENGTH[Level.STREET]]), case, Notice.Kind.OTHER,
            f"事件“{case.title}”申请延期 {days} 个工作日，待审批。")
    return ext


def can_decide_extension(user: User, ext: Extension) -> bool:
    """The level above the handler: supervisors of the node responsible for the case (or above), not the requester."""
    case = ext.case
    node = case.grid_id[: CODE_LENGTH[Level(min(case.level, Level.STREET))]]
    return user.pk != ext.requested_by_id and can(user, Cap.SUPERVISE_CASE, node)


@transaction.atomic
def do_decide_extension(*, actor: User | None, extension: Extension, version: int | None, grant: bool) -> Extension:
    case = _lock(extension.case, version)
    ext = Extension.objects.select_for_update().get(pk=extension.pk)
    ext.case = case
    if actor is not None and not can_decide_extension(actor, ext):
        raise PermissionDenied(_("延期申请须由上一级审批，申请人不能审批自己的申请。"))
    if ext.state != Extension.State.PENDING:
        raise CaseStateError(_("该延期申请已处理。"), code="state")
    ext.state = Extension.State.GRANTED if grant else Extension.State.REFUSED
    ext.decided_by = actor
    ext.decided_at = timezone.now()
    ext.save(update_fields=["state", "decided_by", "decided_at"])
    fields: list[str] = []
    if grant and case.status == Status.ASSIGNED:
        base = max(case.deadline or timezone.now(), timezone.now())
        case.deadline = deadline_from(base, ext.days, "days")
        case.supervision = Supervision.NONE
        fields = ["deadline", "supervision"]
    _save(case, fields)
    action = CaseEvent.Action.EXTENSION_GRANT if grant else CaseEvent.Action.EXTENSION_REFUSE
    _event(case, actor, action, case.status, "", days=ext.days, extension=ext.pk)
    _audit(actor, "extension_grant" if grant else "extension_refuse", case, days=ext.days)
    text = f"事件“{case.title}”的延期申请{'已同意' if grant else '未获同意'}。"
    _notify([ext.requested_by_id], case, Notice.Kind.OTHER, text)
    return ext


# ---------------------------------------------------------------- duplicates


@transaction.atomic
def do_merge_case(*, actor: User | None, duplicate: Case, original: Case, version: int | None) -> Case:
    """Merge a duplicate into its original: the duplicate leaves the loop, pointing at the original."""
    require(actor, Cap.ASSIGN_CASE, duplicate.grid_id)
    require(actor, Cap.ASSIGN_CASE, original.grid_id)
    if duplicate.pk == original.pk:
        raise ValidationError(_("不能把事件合并到它自己。"))
    duplicate = _lock(duplicate, version)
    _state(duplicate, OPEN_STATUSES, _("合并"))
    original = Case.objects.select_for_update().get(pk=original.pk)
    if original.status in (Status.MERGED, Status.REJECTED):
        raise CaseStateError(_("原事件已合并或不予受理，不能作为合并目标。"), code="state")
    before = duplicate.status
    duplicate.status = Status.MERGED
    duplicate.merged_into = original
    duplicate.deadline = None
    duplicate.closed_at = timezone.now()
    _save(duplicate, ["status", "merged_into", "deadline", "closed_at"])
    _event(duplicate, actor, CaseEvent.Action.MERGE, before, f"合并至 {original.number}", original=original.pk)
    CaseEvent.objects.create(
        case=original, actor=actor, action=CaseEvent.Action.COMMENT, note=f"重复事件 {duplicate.number} 已合并至本事件",
        detail={"duplicate": duplicate.pk},
    )
    _audit(actor, "merge", duplicate, original=original.pk)
    return duplicate


# ---------------------------------------------------------------- configuration (taxonomy, time limits, calendar)


def may_configure(actor: User | None) -> bool:
    """The taxonomy and calendar are city-wide: CONFIGURE on a top node (admin of the city)."""
    if actor is None or actor.is_superuser:
        return True
    from governance.scope import region_codes

    return any(len(code) == CODE_LENGTH[Level.CITY] for code in region_codes(actor, Cap.CONFIGURE))


def _require_configure(actor: User | None) -> None:
    if not may_configure(actor):
        raise PermissionDenied(_("只有市级管理员可以配置事件类别、时限和工作日历。"))


@transaction.atomic
def do_create_category(*, actor: User | None, code: str, name: str, parent: Category | None = None) -> Category:
    _require_configure(actor)
    code, name = (code or "").strip(), (name or "").strip()
    if not code.isascii() or not code.isdigit() or len(code) > 16:
        raise ValidationError(_("类别编码只能由数字组成。"))
    if not name or len(name) > 32:
        raise ValidationError(_("请填写类别名称（不超过 32 字）。"))
    if parent is not None and parent.parent_id:
        raise ValidationError(_("事件类别最多两级。"))
    if Category.objects.filter(code=code).exists():
        raise ValidationError(_("类别编码“%(code)s”已存在。") % {"code": code})
    category = Category.objects.create(code=code, name=name, parent=parent, sort=999)
    record_audit(actor=actor, action="case_category.create", target=category, detail={"code": code, "name": name})
    return category


@transaction.atomic
def do_set_category_active(*, actor: User | None, category: Category, active: bool) -> Category:
    _require_configure(actor)
    category.is_active = active
    category.save(update_fields=["is_active"])
    record_audit(actor=actor, action="case_category.active", target=category, detail={"active": active})
    return category


@transaction.atomic
def do_set_time_limit(*, actor: User | None, category: Category, stage: str, amount, unit: str) -> TimeLimit:
    _require_configure(actor)
    if stage not in Stage.values:
        raise ValidationError(_("办理环节不正确。"))
    if unit not in ("hours", "days"):
        raise ValidationError(_("时限单位须为工作小时或工作日。"))
    try:
        amount = int(amount)
    except (TypeError, ValueError):
        amount = -1
    if not 1 <= amount <= (240 if unit == "hours" else 60):
        raise ValidationError(_("时限须为 1–240 个工作小时或 1–60 个工作日。"))
    limit, _created = TimeLimit.objects.update_or_create(
        category=category, stage=stage, defaults={"amount": amount, "unit": unit}
    )
    record_audit(actor=actor, action="case_time_limit.set", target=category,
                 detail={"stage": stage, "amount": amount, "unit": unit})
    return limit


@transaction.atomic
def do_set_calendar_day(*, actor: User | None, day, kind: str, note: str = ""):
    """Mark a date as a holiday or a make-up workday (调休); replaces what the date had."""
    from disputes.models import CalendarDay

    _require_configure(actor)
    if kind not in CalendarDay.Kind.values:
        raise ValidationError(_("日期类型须为节假日或调休上班。"))
    entry, _created = CalendarDay.objects.update_or_create(
        date=day, defaults={"kind": kind, "note": _note(note, _("说明"), required=False, max_length=32)}
    )
    record_audit(actor=actor, action="case_calendar.set", target=entry, detail={"date": str(day), "kind": kind})
    return entry


@transaction.atomic
def do_remove_calendar_day(*, actor: User | None, entry) -> None:
    _require_configure(actor)
    record_audit(actor=actor, action="case_calendar.remove", target=entry,
                 detail={"date": str(entry.date), "kind": entry.kind})
    entry.delete()

"""Writes on cases. Every step of the loop is a do_* action: it checks who may act
(role and scope, or assignment), locks the case, checks the version the actor saw
(optimistic locking: a stale version raises StaleCase → HTTP 409), changes the
state, writes one CaseEvent and one audit row; notices go out after commit."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes.calendar import deadline_from
from disputes.kernel import (
    CaseStateError,
    StaleCase,
    clean_text,
    counts_of,
    grid_worker_ids,
    handle_deadline,
    handler_ids,
    holders_of,
    kind_claiming,
    lock_case,
    lock_cases,
    may_be_assigned,
    notify,
    record_dispatch,
    record_event,
    recount,
    require_handler,
    require_status,
    rules_for,
    save_case,
    stage_deadline,
)
from disputes.links import resolve_residents, resolve_units
from disputes.location import check_point_in_grid
from disputes.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseKind,
    CasePhoto,
    Category,
    Extension,
    Notice,
    Stage,
    Status,
    Supervision,
    Urgency,
)
from disputes.photos import clean_photos
from disputes.selectors.cases import can_decide_extension, may_comment
from disputes.summaries import forget_overdue_stock, month_of
from governance.actions import record_audit, require
from governance.models import Department, Region, User
from governance.roles import CODE_LENGTH, Cap, Level
from governance.scope import can

# Overdue by this much after the yellow card: red card and one more level up.
RED_CARD_AFTER = timedelta(hours=24)
DUE_SOON = timedelta(hours=2)


def _audit(actor: User | None, action: str, case: Case, **detail) -> None:
    record_audit(actor=actor, action=f"case.{action}", target=case, region_code=case.grid_id, detail=detail)


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
    _audit(actor, "self_handle" if self_handle else "file", case, category=case.category.code, kind=case.kind,
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
    kind: str = CaseKind.CASE,
) -> Case:
    """The filing itself, without the audit row: do_file_case and do_file_dispute (one audit
    row each) call it inside their own transaction."""
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
        title=clean_text(title, _("标题"), max_length=80),
        description=clean_text(description, _("事件描述")),
        urgency=urgency,
        address=clean_text(address, _("地点"), required=False, max_length=120),
        lat=_coordinate(lat, -90, 90, _("纬度")),
        lng=_coordinate(lng, -180, 180, _("经度")),
        involved=clean_text(involved, _("涉及人员或单位"), required=False, max_length=500),
        filer=actor,
        kind=kind,
        created_at=now,
        level=Level.COMMUNITY,
    )
    if (case.lat is None) != (case.lng is None):
        raise ValidationError(_("位置须同时包含经度和纬度。"))
    check_point_in_grid(grid, case.lat, case.lng)
    # A case filed in a category a richer kind claims (矛盾纠纷 / 邻里纠纷…) is that kind from the start:
    # it reaches the mediation desk with its dispute side written below (risk assessment pending).
    adopting = kind_claiming(category) if kind == CaseKind.CASE and not self_handle else None
    if adopting is not None:
        case.kind = adopting.kind
    linked_residents = resolve_residents(actor, grid.code, residents)
    linked_units = resolve_units(actor, grid.code, units)
    if self_handle:
        if urgency != Urgency.NORMAL:
            raise ValidationError(_("只有一般事件可以自处；紧急事件请上报。"))
        evidence_note = clean_text(evidence_note, _("处置情况"))
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
    if adopting is not None:
        adopting.adopt(case, actor=actor)
    recount(case, {})
    if month_of(now) < month_of(timezone.now()):  # entered late, dated in a finished month
        forget_overdue_stock(now)
    return case


# ---------------------------------------------------------------- the loop


@transaction.atomic
def do_accept_case(*, actor: User | None, case: Case, version: int | None, note: str = "") -> Case:
    require(actor, Cap.ACCEPT_CASE, case.grid_id)
    case = lock_case(case, version)
    require_status(case, (Status.REPORTED,), _("受理"))
    before = case.status
    case.status = Status.ACCEPTED
    case.deadline = handle_deadline(case)
    case.supervision = Supervision.NONE
    save_case(case, ["status", "deadline", "supervision"])
    record_event(case, actor, CaseEvent.Action.ACCEPT, before, clean_text(note, _("说明"), required=False))
    _audit(actor, "accept", case)
    return case


@transaction.atomic
def do_reject_case(*, actor: User | None, case: Case, version: int | None, reason: str) -> Case:
    require(actor, Cap.ACCEPT_CASE, case.grid_id)
    case = lock_case(case, version)
    require_status(case, (Status.REPORTED,), _("不予受理"))
    reason = clean_text(reason, _("不予受理的理由"), max_length=200)
    counted = counts_of(case)
    before = case.status
    case.status = Status.REJECTED
    case.reject_reason = reason
    case.deadline = None
    case.closed_at = timezone.now()
    save_case(case, ["status", "reject_reason", "deadline", "closed_at"])
    record_event(case, actor, CaseEvent.Action.REJECT, before, reason)
    recount(case, counted)
    _audit(actor, "reject", case)
    notify([case.filer_id], case, Notice.Kind.OTHER, f"您上报的事件“{case.title}”不予受理：{reason}")
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
    case = lock_case(case, version)
    require_status(case, (Status.ACCEPTED, Status.ASSIGNED), _("派遣"))
    if (assignee is None) == (department is None):
        raise ValidationError(_("请选择一名处置人或一个处置部门（二选一）。"))
    if assignee is not None and not can(assignee, Cap.VIEW, case.grid_id):
        raise ValidationError(_("处置人不在该事件所在辖区。"))
    if assignee is not None and not may_be_assigned(assignee, case.grid_id):
        raise ValidationError(_("“%(person)s”不能作为处置人：请派遣给网格员、社区或街道工作人员、调解员，或派遣给处置部门。")
                              % {"person": assignee.get_full_name()})
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
    save_case(case, ["status", "assignee", "department", "deadline"])
    record_dispatch(case)
    to = assignee.get_full_name() if assignee else department.name
    record_event(
        case, actor, CaseEvent.Action.ASSIGN, before, clean_text(note, _("说明"), required=False),
        to=to, deadline=timezone.localtime(case.deadline).isoformat(),
    )
    _audit(actor, "assign", case, to=to)
    notify(
        handler_ids(case), case, Notice.Kind.ASSIGNED,
        f"新派遣事件“{case.title}”，请于 {timezone.localtime(case.deadline):%m-%d %H:%M} 前处置。",
    )
    return case


@transaction.atomic
def do_handle_case(
    *, actor: User | None, case: Case, version: int | None, note: str, evidence=()
) -> Case:
    """处置: the handler reports back with feedback and evidence photos."""
    case = lock_case(case, version)
    require_handler(actor, case)
    require_status(case, (Status.ASSIGNED,), _("反馈处置结果"))
    elsewhere = rules_for(case).handled_elsewhere
    if elsewhere:
        raise CaseStateError(str(elsewhere), code="state")
    note = clean_text(note, _("处置情况"))
    before = case.status
    case.status = Status.HANDLED
    case.deadline = stage_deadline(case.category, Stage.VERIFY)
    case.supervision = Supervision.NONE
    save_case(case, ["status", "deadline", "supervision"])
    event = record_event(case, actor, CaseEvent.Action.HANDLE, before, note)
    n = _add_photos(case, evidence, actor, CasePhoto.Kind.EVIDENCE, event)
    _audit(actor, "handle", case, photos=n)
    notify_handled(case, actor)
    return case


def notify_handled(case: Case, actor: User | None) -> None:
    """The case waits for 核查: its filer and the grid's workers hear it (a dispute's mediation outcome too)."""
    notify([case.filer_id, *grid_worker_ids(case.grid_id)], case, Notice.Kind.TO_VERIFY,
           f"事件“{case.title}”已处置，请于 {timezone.localtime(case.deadline):%m-%d %H:%M} 前核查。", actor=actor)


@transaction.atomic
def do_verify_case(*, actor: User | None, case: Case, version: int | None, fixed: bool, note: str = "") -> Case:
    """核查: fixed → 结案; not fixed → back to the handler, counted as rework."""
    require(actor, Cap.VERIFY_CASE, case.grid_id)
    case = lock_case(case, version)
    require_status(case, (Status.HANDLED,), _("核查"))
    counted = counts_of(case)
    before = case.status
    if fixed:
        case.status = Status.CLOSED
        case.closed_at = timezone.now()
        case.deadline = None
        save_case(case, ["status", "closed_at", "deadline"])
        record_event(case, actor, CaseEvent.Action.VERIFY_OK, before, clean_text(note, _("核查意见"), required=False))
        recount(case, counted)
        _audit(actor, "verify", case, fixed=True)
        notify([case.filer_id, *grid_worker_ids(case.grid_id)], case, Notice.Kind.CLOSED,
               f"事件“{case.title}”已核查通过并结案。", actor=actor)
        return case
    note = clean_text(note, _("未解决的原因"))
    case.status = Status.ASSIGNED
    case.rework_count += 1
    rules_for(case).on_verification_failed(case)  # e.g. a settled dispute: 协议未履行，待重新调解
    case.deadline = handle_deadline(case)
    case.supervision = Supervision.NONE
    save_case(case, ["status", "rework_count", "deadline", "supervision"])
    record_event(case, actor, CaseEvent.Action.VERIFY_FAIL, before, note, rework=case.rework_count)
    recount(case, counted)  # rework, and a settled dispute's agreement that failed 核查
    _audit(actor, "verify", case, fixed=False)
    notify(handler_ids(case), case, Notice.Kind.RETURNED, f"事件“{case.title}”核查未通过，已退回重新处置：{note}")
    notify([case.filer_id], case, Notice.Kind.RETURNED, f"您上报的事件“{case.title}”核查未通过，已退回重新处置。",
           actor=actor)
    return case


@transaction.atomic
def do_send_back_case(*, actor: User | None, case: Case, version: int | None, reason: str) -> Case:
    """退回（非本部门）: the handler it was dispatched to hands it back to the dispatcher with a reason;
    the case is 已受理 again, dispatched to nobody, for a new 派遣 (the handling clock runs on)."""
    case = lock_case(case, version)
    require_handler(actor, case, _("只有被派遣的处置人或处置部门可以退回该事件。"))
    require_status(case, (Status.ASSIGNED,), _("退回"))
    reason = clean_text(reason, _("退回理由"), max_length=200)
    dispatcher = (CaseEvent.objects.filter(case=case, action=CaseEvent.Action.ASSIGN).order_by("-at", "-id")
                  .values_list("actor_id", flat=True).first())
    was = case.assignee.get_full_name() if case.assignee_id else case.department.name
    before = case.status
    case.status = Status.ACCEPTED
    case.assignee = None
    case.department = None
    case.supervision = Supervision.NONE
    save_case(case, ["status", "assignee", "department", "supervision"])
    record_event(case, actor, CaseEvent.Action.SEND_BACK, before, reason, by=was)
    _audit(actor, "send_back", case, by=was)
    dispatchers = holders_of(Cap.ASSIGN_CASE, case.grid_id[: CODE_LENGTH[Level(min(case.level, Level.STREET))]])
    notify([dispatcher, *dispatchers], case, Notice.Kind.SENT_BACK,
           f"事件“{case.title}”被{was}退回，请重新派遣：{reason}", actor=actor)
    notify([case.filer_id], case, Notice.Kind.SENT_BACK,
           f"您上报的事件“{case.title}”已退回重新派遣。", actor=actor)
    return case


@transaction.atomic
def do_rate_case(*, actor: User, case: Case, version: int | None, rating: int, note: str = "") -> Case:
    """评价: the filer (or a verifier on behalf of the resident) rates a closed case, once."""
    if actor.pk != case.filer_id:
        require(actor, Cap.VERIFY_CASE, case.grid_id)
    elif case.self_handled:
        raise PermissionDenied(_("自处结案的事件不能由上报人自己评价。"))
    case = lock_case(case, version)
    require_status(case, (Status.CLOSED,), _("评价"))
    if case.rating is not None:
        raise CaseStateError(_("该事件已评价。"), code="state")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError(_("满意度须为 1 至 5 星。"))
    counted = counts_of(case)
    case.rating = rating
    case.rating_note = clean_text(note, _("评价"), required=False, max_length=200)
    save_case(case, ["rating", "rating_note"])
    record_event(case, actor, CaseEvent.Action.RATE, case.status, case.rating_note, rating=rating)
    recount(case, counted)
    _audit(actor, "rate", case, rating=rating)
    return case


@transaction.atomic
def do_comment_case(*, actor: User, case: Case, note: str) -> CaseEvent:
    """A comment on the timeline. It changes nothing on the case, so it never conflicts."""
    if not may_comment(actor, case):
        raise PermissionDenied(_("您无权在该事件上添加备注。"))
    event = record_event(case, actor, CaseEvent.Action.COMMENT, case.status, clean_text(note, _("备注内容")))
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
    case = lock_case(case, version)
    require_status(case, OPEN_STATUSES, _("升级"))
    if case.level == Level.CITY:
        raise CaseStateError(_("该事件已在市级督办，不能再升级。"), code="state")
    reason = clean_text(reason, _("升级理由"), max_length=200)
    _level_up(case, 1)
    save_case(case, ["level"])
    record_event(case, actor, CaseEvent.Action.ESCALATE, case.status, reason, level=int(case.level))
    _audit(actor, "escalate", case, level=int(case.level))
    notify(
        holders_of(Cap.SUPERVISE_CASE, case.responsible_code) + handler_ids(case), case, Notice.Kind.ESCALATED,
        f"事件“{case.title}”已升级至{Level(case.level).label}级：{reason}",
    )
    return case


@transaction.atomic
def do_supervise_overdue(*, case_id: int, now: datetime | None = None) -> Case | None:
    """The periodic task's step for one overdue case: yellow card and one level up when it
    goes overdue, red card and one more level when still overdue RED_CARD_AFTER later.
    Idempotent: the card already given is on the case, so a second run changes nothing."""
    now = now or timezone.now()
    case = Case.objects.select_for_update(of=("self",)).select_related("category").get(pk=case_id)
    if case.status not in OPEN_STATUSES or case.deadline is None or case.deadline >= now:
        return None
    target = Supervision.RED if now - case.deadline >= RED_CARD_AFTER else Supervision.YELLOW
    if target <= case.supervision:
        return None
    steps = target - case.supervision
    case.supervision = target
    _level_up(case, steps)
    save_case(case, ["supervision", "level"])
    note = supervision_note(target, case.level)
    record_event(case, None, CaseEvent.Action.ESCALATE, case.status, note, card=int(target), level=int(case.level))
    _audit(None, "supervise", case, card=int(target), level=int(case.level))
    notify(
        holders_of(Cap.SUPERVISE_CASE, case.responsible_code) + handler_ids(case), case, Notice.Kind.ESCALATED,
        overdue_notice(case.title, note),
    )
    return case


def supervision_note(card: int, level: int) -> str:
    """The timeline note of a supervision card, in the current language (the periodic batch
    writes the same one: disputes.tasks.cases)."""
    return f"超期未办，{Supervision(card).label}，升级至{Level(level).label}级"


def overdue_notice(title: str, note: str) -> str:
    """The notice that tells of a supervision card."""
    return f"事件“{title}”已超期：{note}。"


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
        people = handler_ids(case)
    elif case.status == Status.HANDLED:
        people = holders_of(Cap.VERIFY_CASE, case.grid_id)
    else:
        people = holders_of(Cap.ACCEPT_CASE, case.grid_id[: CODE_LENGTH[Level.STREET]])
    notify(people, case, Notice.Kind.DUE_SOON,
            f"事件“{case.title}”将于 {timezone.localtime(case.deadline):%m-%d %H:%M} 超期。")
    return True


# ---------------------------------------------------------------- extensions


@transaction.atomic
def do_request_extension(*, actor: User, case: Case, version: int | None, days: int, reason: str) -> Extension:
    case = lock_case(case, version)
    require_handler(actor, case)
    require_status(case, (Status.ASSIGNED,), _("申请延期"))
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 30:
        raise ValidationError(_("延期天数须为 1 至 30 个工作日。"))
    reason = clean_text(reason, _("延期理由"), max_length=200)
    if case.extensions.filter(state=Extension.State.PENDING).exists():
        raise CaseStateError(_("该事件已有待审批的延期申请。"), code="state")
    ext = Extension.objects.create(case=case, requested_by=actor, days=days, reason=reason)
    save_case(case, [])
    record_event(case, actor, CaseEvent.Action.EXTENSION_REQUEST, case.status, reason, days=days, extension=ext.pk)
    _audit(actor, "extension_request", case, days=days)
    notify(holders_of(Cap.SUPERVISE_CASE, case.grid_id[: CODE_LENGTH[Level.STREET]]), case, Notice.Kind.OTHER,
            f"事件“{case.title}”申请延期 {days} 个工作日，待审批。")
    return ext


@transaction.atomic
def do_decide_extension(*, actor: User | None, extension: Extension, version: int | None, grant: bool) -> Extension:
    case = lock_case(extension.case, version)
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
    save_case(case, fields)
    action = CaseEvent.Action.EXTENSION_GRANT if grant else CaseEvent.Action.EXTENSION_REFUSE
    record_event(case, actor, action, case.status, "", days=ext.days, extension=ext.pk)
    _audit(actor, "extension_grant" if grant else "extension_refuse", case, days=ext.days)
    text = f"事件“{case.title}”的延期申请{'已同意' if grant else '未获同意'}。"
    notify([ext.requested_by_id], case, Notice.Kind.OTHER, text)
    return ext


# ---------------------------------------------------------------- duplicates


@transaction.atomic
def do_merge_case(*, actor: User | None, duplicate: Case, original: Case, version: int | None) -> Case:
    """Merge a duplicate into its original: the duplicate leaves the loop, pointing at the original."""
    require(actor, Cap.ASSIGN_CASE, duplicate.grid_id)
    require(actor, Cap.ASSIGN_CASE, original.grid_id)
    if duplicate.pk == original.pk:
        raise ValidationError(_("不能把事件合并到它自己。"))
    locked = lock_cases(duplicate, original)
    duplicate, original = locked[duplicate.pk], locked[original.pk]
    if version is not None and duplicate.version != int(version):
        raise StaleCase()
    require_status(duplicate, OPEN_STATUSES, _("合并"))
    if original.status in (Status.MERGED, Status.REJECTED):
        raise CaseStateError(_("原事件已合并或不予受理，不能作为合并目标。"), code="state")
    counted = counts_of(duplicate)
    before = duplicate.status
    duplicate.status = Status.MERGED
    duplicate.merged_into = original
    duplicate.deadline = None
    duplicate.closed_at = timezone.now()
    save_case(duplicate, ["status", "merged_into", "deadline", "closed_at"])
    record_event(duplicate, actor, CaseEvent.Action.MERGE, before, f"合并至 {original.number}", original=original.pk)
    recount(duplicate, counted)  # a merged duplicate counts nowhere
    CaseEvent.objects.create(
        case=original, actor=actor, action=CaseEvent.Action.COMMENT, note=f"重复事件 {duplicate.number} 已合并至本事件",
        detail={"duplicate": duplicate.pk},
    )
    _audit(actor, "merge", duplicate, original=original.pk)
    return duplicate




# ---------------------------------------------------------------- notices


@transaction.atomic
def do_mark_notices_read(*, actor: User) -> int:
    """Mark every unread notice of the actor as read (the notices page's button). One audit row."""
    count = Notice.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())
    if count:
        record_audit(actor=actor, action="notice.read_all", target=actor, detail={"count": count})
    return count

"""Periodic case supervision: escalate overdue cases and warn of deadlines that are near.

Set-based: the overdue cases are worked off in batches of BATCH, each in one transaction of a few
statements whatever its size — the batch read under row locks (cases a user is acting on right now
are skipped: SKIP LOCKED, the next run takes them), one guarded UPDATE per (card before, card after),
one INSERT of the timeline rows, one of the notices, one audit row for the batch (how many, the id
range, how many of each card). The same cards, levels, timeline notes and notices as the per-case
actions `do_supervise_overdue` / `do_warn_due_soon` (test_supervision_batch compares them).

- Idempotent: a case is picked only while its card is below what its lateness earns, and the
  UPDATE repeats that condition (`supervision = <card it had>`), so each card is given once per case.
- Resumable: every batch commits on its own; a crash loses at most the batch in flight, whole
  (its notices are in its transaction, not sent after it), and the next run picks up where this one
  stopped, because what is done no longer matches.
- Never two runs at once: `governance.locks.run_alone` (an advisory lock on PostgreSQL, the cache's `add`
  elsewhere); a second run returns at once with `running_elsewhere: 1` and logs it.
- Supervision changes no counted fact of the case summaries (a card counts once the case closes,
  and the closure reads it from the timeline), so the summaries are not touched.
"""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from disputes.actions.cases import DUE_SOON, RED_CARD_AFTER
from disputes.kernel import handlers_by_department, holders_by_node, notices_for
from disputes.models import OPEN_STATUSES, Case, CaseEvent, Notice, Status, Supervision
from governance.actions import record_audit
from governance.locks import run_alone
from governance.roles import CODE_LENGTH, Cap, Level

logger = logging.getLogger(__name__)

# A run stops after this many cases of each kind (a backlog is worked off over the next runs, most
# overdue first); each batch is one transaction.
MAX_PER_RUN = 20_000
BATCH = 1000
LOCK = "disputes.supervise_overdue_cases"
FIELDS = ("pk", "status", "deadline", "supervision", "level", "title", "grid_id", "assignee_id", "department_id")


def _common_prefix(codes: list[str]) -> str:
    first, last = min(codes), max(codes)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def _locked_batch(qs, size: int) -> list[dict]:
    return list(qs.select_for_update(skip_locked=True, of=("self",)).order_by("deadline", "pk").values(*FIELDS)[:size])


def overdue_to_card(now: datetime):
    """Open overdue cases whose card is below what their lateness earns now."""
    return Case.objects.filter(status__in=OPEN_STATUSES, deadline__lt=now).filter(
        Q(supervision=Supervision.NONE) | Q(supervision=Supervision.YELLOW, deadline__lte=now - RED_CARD_AFTER)
    )


@transaction.atomic
def escalate_batch(now: datetime, size: int = BATCH) -> int:
    """Card and escalate up to `size` overdue cases, most overdue first; returns how many."""
    rows = _locked_batch(overdue_to_card(now), size)
    if not rows:
        return 0
    groups: dict[tuple[int, int], list[int]] = {}
    for row in rows:
        target = Supervision.RED if now - row["deadline"] >= RED_CARD_AFTER else Supervision.YELLOW
        row["target"] = int(target)
        row["new_level"] = max(Level.CITY, row["level"] - (target - row["supervision"]))
        groups.setdefault((row["supervision"], int(target)), []).append(row["pk"])
    stamp = timezone.now()
    for (before, target), ids in sorted(groups.items()):
        updated = Case.objects.filter(pk__in=ids, supervision=before, status__in=OPEN_STATUSES, deadline__lt=now).update(
            supervision=target, level=Greatest(F("level") - (target - before), Level.CITY),
            version=F("version") + 1, updated_at=stamp,
        )
        if updated != len(ids):  # cannot happen under the row locks; never give a card without its timeline row
            raise RuntimeError(f"supervision batch: {updated} of {len(ids)} cases updated")
    supervisors = holders_by_node(Cap.SUPERVISE_CASE, (r["grid_id"][: CODE_LENGTH[Level(r["new_level"])]] for r in rows))
    departments = handlers_by_department(r["department_id"] for r in rows if not r["assignee_id"])
    events, notices = [], []
    for r in rows:
        note = f"超期未办，{Supervision(r['target']).label}，升级至{Level(r['new_level']).label}级"
        events.append(CaseEvent(case_id=r["pk"], at=stamp, actor=None, action=CaseEvent.Action.ESCALATE,
                                from_status=r["status"], to_status=r["status"], note=note,
                                detail={"card": r["target"], "level": r["new_level"]}))
        handlers = [r["assignee_id"]] if r["assignee_id"] else departments.get(r["department_id"], [])
        people = supervisors.get(r["grid_id"][: CODE_LENGTH[Level(r["new_level"])]], []) + handlers
        notices += notices_for(people, r["pk"], Notice.Kind.ESCALATED, f"事件“{r['title']}”已超期：{note}。")
    CaseEvent.objects.bulk_create(events)
    Notice.objects.bulk_create(notices)
    ids = sorted(r["pk"] for r in rows)
    record_audit(
        actor=None, action="case.supervise", target=Case(pk=ids[0]), region_code=_common_prefix([r["grid_id"] for r in rows]),
        detail={"count": len(rows), "first_id": ids[0], "last_id": ids[-1], "notices": len(notices),
                "cards": {Supervision(t).name.lower(): sum(r["target"] == t for r in rows)
                          for t in sorted({r["target"] for r in rows})}},
    )
    return len(rows)


def due_soon(now: datetime):
    """Open cases whose deadline falls within DUE_SOON and has not been warned of."""
    return Case.objects.filter(status__in=OPEN_STATUSES, deadline__gte=now, deadline__lte=now + DUE_SOON).exclude(
        due_warned_for=F("deadline"))


@transaction.atomic
def warn_batch(now: datetime, size: int = BATCH) -> int:
    """Warn whoever must act on up to `size` cases whose deadline is near, once per deadline."""
    rows = _locked_batch(due_soon(now), size)
    if not rows:
        return 0
    updated = Case.objects.filter(pk__in=[r["pk"] for r in rows]).exclude(due_warned_for=F("deadline")).update(
        due_warned_for=F("deadline"))
    if updated != len(rows):
        raise RuntimeError(f"due-soon batch: {updated} of {len(rows)} cases updated")
    street = CODE_LENGTH[Level.STREET]
    verifiers = holders_by_node(Cap.VERIFY_CASE, (r["grid_id"] for r in rows if r["status"] == Status.HANDLED))
    acceptors = holders_by_node(Cap.ACCEPT_CASE, (r["grid_id"][:street] for r in rows
                                                  if r["status"] not in (Status.ASSIGNED, Status.HANDLED)))
    departments = handlers_by_department(r["department_id"] for r in rows
                                         if r["status"] == Status.ASSIGNED and not r["assignee_id"])
    notices = []
    for r in rows:
        if r["status"] == Status.ASSIGNED:
            people = [r["assignee_id"]] if r["assignee_id"] else departments.get(r["department_id"], [])
        elif r["status"] == Status.HANDLED:
            people = verifiers.get(r["grid_id"], [])
        else:
            people = acceptors.get(r["grid_id"][:street], [])
        text = f"事件“{r['title']}”将于 {timezone.localtime(r['deadline']):%m-%d %H:%M} 超期。"
        notices += notices_for(people, r["pk"], Notice.Kind.DUE_SOON, text)
    Notice.objects.bulk_create(notices)
    return len(rows)


def _work_off(step, now: datetime) -> int:
    done = 0
    while done < MAX_PER_RUN:
        n = step(now, min(BATCH, MAX_PER_RUN - done))
        if not n:
            break
        done += n
    return done


@shared_task
def supervise_overdue_cases() -> dict[str, int]:
    """Idempotent: each case gets each card once; running twice in a row changes nothing."""
    with run_alone(LOCK) as mine:
        if not mine:
            logger.warning("case supervision is already running elsewhere; this run stops here")
            return {"escalated": 0, "warned": 0, "running_elsewhere": 1}
        now = timezone.now()
        escalated = _work_off(escalate_batch, now)
        warned = _work_off(warn_batch, now)
    return {"escalated": escalated, "warned": warned}

"""Periodic case supervision: escalate overdue cases and warn of deadlines that are near.

Set-based: the overdue cases are worked off in batches of BATCH, each in one transaction whatever its
size, with one audit row for the batch (how many, the id range, the notices, how many of each card).
On PostgreSQL a batch of cards is one statement (`_escalate_in_one_statement`): data-modifying WITH
queries pick the batch under row locks (cases a user is acting on right now are skipped: SKIP LOCKED,
the next run takes them), UPDATE it guarded, insert the timeline rows and the notices from the
UPDATE's own RETURNING, and return what the audit row needs; no case passes through Python. Elsewhere
(SQLite, the tests) the same batch takes a few statements whose rows do (`_escalate_from_python`: the
batch read, one guarded UPDATE per (card before, card after, new level), one INSERT of the timeline
rows, one of the notices). Both read one definition of each rule: which cases and what card and level each earns
(`cards_to_give`, SQL expressions compiled into either), the timeline note and notice text
(`supervision_note`, `overdue_notice` of the per-case action, rendered in the current language and
handed to the statement as array parameters), who is told (`acting_roles` of SUPERVISE_CASE on the
node of the new level, and the assignee or else the department's handlers; each once). The results are
those of the per-case actions `do_supervise_overdue` / `do_warn_due_soon` (test_supervision_batch
compares them on either database).

- Idempotent: a case is picked only while its card is below what its lateness earns, and the
  UPDATE repeats that condition (`supervision = <card it had>`), so each card is given once per case.
- Resumable: every batch commits on its own; a crash loses at most the batch in flight, whole
  (its notices are in its transaction, not sent after it), and the next run picks up where this one
  stopped, because what is done no longer matches.
- Never two runs at once: `governance.locks.run_alone` (an advisory lock on PostgreSQL, the cache's `add`
  elsewhere); a second run returns at once with `running_elsewhere: 1` and logs it. Past the lock, two
  batches at once still share the cases (SKIP LOCKED) and give each card once (the guarded UPDATE).
- Supervision changes no counted fact of the case summaries (a card counts once the case closes,
  and the closure reads it from the timeline), so the summaries are not touched.
- The due-soon warnings (`warn_batch`) stay a few statements through Python: a run warns of the few
  hundred cases due within DUE_SOON, not of a backlog.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from celery import shared_task
from django.db import connection, transaction
from django.db.models import Case as Choose
from django.db.models import F, IntegerField, Q, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from disputes.actions.cases import DUE_SOON, RED_CARD_AFTER, overdue_notice, supervision_note
from disputes.kernel import acting_roles, handlers_by_department, holders_by_node, notices_for
from disputes.models import OPEN_STATUSES, Case, CaseEvent, Notice, Status, Supervision
from governance.actions import record_audit
from governance.locks import run_alone
from governance.models import RoleAssignment
from governance.roles import CODE_LENGTH, Cap, Level, Role

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


def _locked_batch(qs, size: int, *annotations: str) -> list[dict]:
    return list(qs.select_for_update(skip_locked=True, of=("self",)).order_by("deadline", "pk").values(
        *FIELDS, *annotations)[:size])


def overdue_to_card(now: datetime):
    """Open overdue cases whose card is below what their lateness earns now."""
    return Case.objects.filter(status__in=OPEN_STATUSES, deadline__lt=now).filter(
        Q(supervision=Supervision.NONE) | Q(supervision=Supervision.YELLOW, deadline__lte=now - RED_CARD_AFTER)
    )


def cards_to_give(now: datetime):
    """`overdue_to_card(now)` with the card each case's lateness earns (`target`: red once RED_CARD_AFTER
    overdue, else yellow) and the level that card takes it to (`new_level`: one level up per card step,
    never past the city), as SQL expressions: the one definition of both, read by the batch on
    PostgreSQL inside its statement and elsewhere into Python (do_supervise_overdue, one case at a
    time, works the same out in Python; test_supervision_batch compares them)."""
    earned = Choose(When(deadline__lte=now - RED_CARD_AFTER, then=Value(int(Supervision.RED))),
                    default=Value(int(Supervision.YELLOW)), output_field=IntegerField())
    return overdue_to_card(now).annotate(target=earned).annotate(
        new_level=Greatest(F("level") - (F("target") - F("supervision")), Value(int(Level.CITY)),
                           output_field=IntegerField()))


@dataclass(frozen=True)
class Escalated:
    """What one batch did, as its audit row tells it."""

    count: int
    first_id: int
    last_id: int
    grids: tuple[str, str]  # the lowest and highest grid code: their common prefix is the audit row's region
    notices: int
    cards: dict[str, int]  # {"yellow": n, "red": n}, only the cards given


@transaction.atomic
def escalate_batch(now: datetime, size: int = BATCH) -> int:
    """Card and escalate up to `size` overdue cases, most overdue first; returns how many."""
    stamp = timezone.now()
    escalate = _escalate_in_one_statement if connection.vendor == "postgresql" else _escalate_from_python
    done = escalate(now, size, stamp)
    if done is None:
        return 0
    record_audit(
        actor=None, action="case.supervise", target=Case(pk=done.first_id), region_code=_common_prefix(list(done.grids)),
        detail={"count": done.count, "first_id": done.first_id, "last_id": done.last_id, "notices": done.notices,
                "cards": done.cards},
    )
    return done.count


def _escalate_from_python(now: datetime, size: int, stamp: datetime) -> Escalated | None:
    """The batch in a few statements whose rows pass through Python (SQLite: no data-modifying WITH)."""
    rows = _locked_batch(cards_to_give(now), size, "target", "new_level")
    if not rows:
        return None
    # One guarded UPDATE per (card before, card after, new level): at most 3 × 5, whatever the batch's size.
    groups: dict[tuple[int, int, int], list[int]] = {}
    for row in rows:
        groups.setdefault((row["supervision"], row["target"], row["new_level"]), []).append(row["pk"])
    for (before, target, level), ids in sorted(groups.items()):
        updated = Case.objects.filter(pk__in=ids, supervision=before, status__in=OPEN_STATUSES, deadline__lt=now).update(
            supervision=target, level=level, version=F("version") + 1, updated_at=stamp,
        )
        if updated != len(ids):  # cannot happen under the row locks; never give a card without its timeline row
            raise RuntimeError(f"supervision batch: {updated} of {len(ids)} cases updated")
    supervisors = holders_by_node(Cap.SUPERVISE_CASE, (r["grid_id"][: CODE_LENGTH[Level(r["new_level"])]] for r in rows))
    departments = handlers_by_department(r["department_id"] for r in rows if not r["assignee_id"])
    events, notices = [], []
    for r in rows:
        note = supervision_note(r["target"], r["new_level"])
        events.append(CaseEvent(case_id=r["pk"], at=stamp, actor=None, action=CaseEvent.Action.ESCALATE,
                                from_status=r["status"], to_status=r["status"], note=note,
                                detail={"card": r["target"], "level": r["new_level"]}))
        handlers = [r["assignee_id"]] if r["assignee_id"] else departments.get(r["department_id"], [])
        people = supervisors.get(r["grid_id"][: CODE_LENGTH[Level(r["new_level"])]], []) + handlers
        notices += notices_for(people, r["pk"], Notice.Kind.ESCALATED, overdue_notice(r["title"], note))
    CaseEvent.objects.bulk_create(events)
    Notice.objects.bulk_create(notices)
    ids = sorted(r["pk"] for r in rows)
    grids = sorted(r["grid_id"] for r in rows)
    return Escalated(count=len(rows), first_id=ids[0], last_id=ids[-1], grids=(grids[0], grids[-1]),
                     notices=len(notices), cards=_card_counts([r["target"] for r in rows]))


def _card_counts(cards: list[int]) -> dict[str, int]:
    return {Supervision(card).name.lower(): cards.count(card) for card in sorted(set(cards))}


GIVEN_CARDS = (Supervision.YELLOW, Supervision.RED)
_TITLE = "\x00"  # where the case's title goes in the notice text (no text the statement writes can hold it)


def _card_texts() -> list[tuple]:
    """Every (card, new level) a batch can give, with its timeline note, the notice's text before and after
    the case's title, and the length of the code of the node that level is (whose supervisors are told):
    rendered here, in the current language, by the per-case action's own functions, and handed to the
    statement as arrays, one per column."""
    rows = []
    for card in GIVEN_CARDS:
        for level in Level:
            note = supervision_note(card, level)
            head, tail = overdue_notice(_TITLE, note).split(_TITLE)
            rows.append((int(card), int(level), note, head, tail, CODE_LENGTH[level]))
    return [list(column) for column in zip(*rows)]


def _escalate_in_one_statement(now: datetime, size: int, stamp: datetime) -> Escalated | None:
    """The batch in one PostgreSQL statement of data-modifying WITH queries: the batch picked under
    row locks (`cards_to_give`, compiled by the ORM: SKIP LOCKED), the guarded UPDATE, the timeline
    rows and the notices inserted from the UPDATE's own RETURNING (a card is never given without
    them), and what the audit row needs. No row passes through Python; the labels come in as
    array parameters, never as SQL text."""
    picked = cards_to_give(now).select_for_update(skip_locked=True, of=("self",)).order_by("deadline", "pk").values(
        "pk", "supervision", "target", "new_level")[:size]
    pick_sql, pick_params = picked.query.get_compiler(connection=connection).as_sql()
    table = {model: connection.ops.quote_name(model._meta.db_table) for model in (Case, CaseEvent, Notice, RoleAssignment)}
    # The UPDATE's guard is the card the case had (idempotent); that it is still open and overdue the row
    # lock taken by `picked` already holds (PostgreSQL re-checks the predicate as it locks). Repeating
    # those in the UPDATE led the planner to hash-join every open overdue case (45,000 at 2 M) instead
    # of looking the batch up by id.
    card_counts = ", ".join("count(*) FILTER (WHERE supervision = %s)" for _ in GIVEN_CARDS)
    sql = f"""
        WITH picked (id, before, target, new_level) AS MATERIALIZED ({pick_sql}),
        updated AS (
            UPDATE {table[Case]} AS c
            SET supervision = p.target, level = p.new_level, version = c.version + 1, updated_at = %s
            FROM picked AS p
            WHERE c.id = p.id AND c.supervision = p.before
            RETURNING c.id, c.status, c.supervision, c.level, c.title, c.grid_id, c.assignee_id, c.department_id
        ),
        carded AS MATERIALIZED (
            SELECT u.*, t.note, t.head, t.tail, t.node_length
            FROM updated AS u
            JOIN unnest(%s::int[], %s::int[], %s::text[], %s::text[], %s::text[], %s::int[])
                 AS t (card, level, note, head, tail, node_length) ON t.card = u.supervision AND t.level = u.level
        ),
        events AS (
            INSERT INTO {table[CaseEvent]} (case_id, at, actor_id, action, from_status, to_status, note, detail)
            SELECT id, %s, NULL, %s, status, status, note, jsonb_build_object('card', supervision, 'level', level)
            FROM carded ORDER BY id
            RETURNING 1
        ),
        recipients AS (
            SELECT c.id AS case_id, r.user_id FROM carded AS c
            JOIN {table[RoleAssignment]} AS r ON r.region_id = left(c.grid_id, c.node_length) AND r.role = ANY(%s)
            UNION
            SELECT id, assignee_id FROM carded WHERE assignee_id IS NOT NULL
            UNION
            SELECT c.id, r.user_id FROM carded AS c
            JOIN {table[RoleAssignment]} AS r ON r.department_id = c.department_id AND r.role = %s
            WHERE c.assignee_id IS NULL
        ),
        notices AS (
            INSERT INTO {table[Notice]} (user_id, case_id, kind, text, created_at, read_at)
            SELECT r.user_id, r.case_id, %s, c.head || c.title || c.tail, %s, NULL
            FROM recipients AS r JOIN carded AS c ON c.id = r.case_id ORDER BY r.case_id, r.user_id
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM picked), (SELECT count(*) FROM updated), (SELECT count(*) FROM events),
               (SELECT count(*) FROM notices), min(id), max(id), min(grid_id), max(grid_id), {card_counts}
        FROM carded"""
    params = [*pick_params, stamp, *_card_texts(),
              stamp, CaseEvent.Action.ESCALATE, acting_roles(Cap.SUPERVISE_CASE), Role.DEPT_HANDLER,
              Notice.Kind.ESCALATED, stamp, *(int(card) for card in GIVEN_CARDS)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        picked_n, updated_n, events_n, notices_n, first_id, last_id, low_grid, high_grid, *per_card = cursor.fetchone()
    if not picked_n:
        return None
    if not picked_n == updated_n == events_n:  # cannot happen under the row locks; the atomic block rolls it all back
        raise RuntimeError(f"supervision batch: {updated_n} of {picked_n} cases updated, {events_n} timeline rows")
    return Escalated(count=updated_n, first_id=first_id, last_id=last_id, grids=(low_grid, high_grid), notices=notices_n,
                     cards={card.name.lower(): n for card, n in zip(GIVEN_CARDS, per_card) if n})


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

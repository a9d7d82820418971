"""A generated city with a year of cases, for bench_scale.py. PostgreSQL only, a scratch database:

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE gg_scale_bench"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gg_scale_bench python bench/generate_cases.py 2000000

The city: 20,000 grids (10 districts × 10 streets × 10 communities × 20 grids), one grid worker a
grid, community staff, street officers, district centres, a city leader, a police department with
two handlers in every district, and the named users bench_scale.py signs in as (`bench_*`).

The cases (N, default 2,000,000) are filed over the year before now, in working hours more than at
night, written with COPY (psycopg2 `copy_expert`, 100,000 rows a statement) with their ids: a case
filed more than two weeks ago is closed (88 %: 10 % of them self-handled, half rated, an eighth with a
card on the timeline), rejected (5 %), merged into the case before it (2 %), or still open (1.5 %: the
backlog, overdue, most of it already carded); a recent case is open the more often the newer it is
(reported, accepted, assigned — to the grid worker or the district's police —, handled). One in ten
is a dispute (60 % of those settled; one open risk entry for one in five open disputes of risk ≥ 2; one
mediation session each, two days after filing).
Cases whose deadline passed in the last two days have no card yet: that is the supervision task's work.
A dispute's case carries its risk level (desk_risk) from the COPY on.
Then their timelines (file, assign, the last step, cards, ratings) with INSERT … SELECT, dispatch
rows, ANALYZE, `rebuild_summaries` and each finished month's report cycle (as beat runs it: the
snapshots, and the month's overdue stock kept). Deterministic (seeded).
"""

from __future__ import annotations

import io
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

CHUNK = 100_000
TITLES = ["楼道堆放杂物", "路灯不亮", "道路破损", "占道经营", "噪音扰民", "私搭乱建", "垃圾未清运", "井盖缺失",
          "违规停车", "房屋漏水", "邻里纠纷", "物业纠纷", "欠薪讨薪", "宠物扰民", "消防通道堵塞", "广告乱贴"]
STREETS = ["渤海大街", "辽河路", "学府路", "建设街", "市府路", "金牛山大街", "平安路", "和平街"]


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label:<56} {time.perf_counter() - start:8.1f} s", flush=True)
    return result


def sql(statement: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def fetch(statement: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def city(grids: int) -> None:
    communities = max(grids // 20, 1)
    streets = max(communities // 10, 1)
    districts = max(streets // 10, 1)
    sql("INSERT INTO governance_region (code, name, level, parent_id, grid_type) VALUES ('2108', '压测市', 1, NULL, '')")
    sql("""INSERT INTO governance_region (code, name, level, parent_id, grid_type)
           SELECT '2108' || lpad(d::text, 2, '0'), '区' || d, 2, '2108', '' FROM generate_series(1, %s) d""", [districts])
    sql("""INSERT INTO governance_region (code, name, level, parent_id, grid_type)
           SELECT '2108' || lpad((1 + (s - 1) / 10)::text, 2, '0') || lpad((1 + (s - 1) %% 10)::text, 3, '0'),
                  '街道' || s, 3, '2108' || lpad((1 + (s - 1) / 10)::text, 2, '0'), ''
           FROM generate_series(1, %s) s""", [streets])
    sql("""INSERT INTO governance_region (code, name, level, parent_id, grid_type)
           SELECT p.code || lpad(c::text, 3, '0'), p.name || '社区' || c, 4, p.code, ''
           FROM governance_region p CROSS JOIN generate_series(1, 10) c WHERE p.level = 3""")
    sql("""INSERT INTO governance_region (code, name, level, parent_id, grid_type, centre_lat, centre_lng)
           SELECT p.code || lpad(g::text, 3, '0'), p.name || '网格' || g, 5, p.code, 'residential', 40.66, 122.23
           FROM governance_region p CROSS JOIN generate_series(1, 20) g WHERE p.level = 4""")
    sql("""
        INSERT INTO disputes_category (code, name, is_active, sort, parent_id)
        SELECT lpad(t::text, 2, '0'), '类别' || t, true, t, NULL FROM generate_series(1, 10) t;
        INSERT INTO disputes_category (code, name, is_active, sort, parent_id)
        SELECT p.code || lpad(s::text, 2, '0'), p.name || '子类' || s, true, s, p.id
        FROM disputes_category p CROSS JOIN generate_series(1, 5) s WHERE p.parent_id IS NULL;
        INSERT INTO disputes_disputetype (code, name, is_active, sort) VALUES ('01', '邻里纠纷', true, 1), ('02', '物业纠纷', true, 2);
        INSERT INTO governance_department (name, kind, region_id)
        SELECT '公安分局', 'police', code FROM governance_region WHERE level = 2;
    """)
    # People: a user per role and node, named by the node's code; the named bench users on top. Users
    # through the ORM (every column the accounts app adds gets its default), their roles with SQL.
    from governance.models import User

    people = [User(username=f"u{code}", name=f"用户{code}", password="!")
              for (code,) in fetch("SELECT code FROM governance_region ORDER BY code")]
    people += [User(username=f"h{d}_{k}", name=f"民警{d}-{k}", password="!")
               for (d,) in fetch("SELECT id FROM governance_department ORDER BY id") for k in (1, 2)]
    User.objects.bulk_create(people, batch_size=5000)
    sql("""
        INSERT INTO governance_roleassignment (role, granted_at, region_id, user_id)
        SELECT CASE level WHEN 1 THEN 'city_leader' WHEN 2 THEN 'district_centre' WHEN 3 THEN 'street_officer'
                          WHEN 4 THEN 'community_staff' ELSE 'grid_worker' END, now(), r.code, u.id
        FROM governance_region r JOIN governance_user u ON u.username = 'u' || r.code;
        INSERT INTO governance_roleassignment (role, granted_at, region_id, user_id, department_id)
        SELECT 'dept_handler', now(), d.region_id, u.id, d.id
        FROM governance_department d JOIN governance_user u ON u.username LIKE 'h' || d.id || '\\_%';
    """)
    first = fetch("SELECT min(code) FROM governance_region WHERE level = 3")[0][0]
    two = [c for (c,) in fetch("SELECT code FROM governance_region WHERE level = 5 ORDER BY code LIMIT 2")]
    named = [("bench_city_leader", "city_leader", "2108", None), ("bench_district", "district_centre", first[:6], None),
             ("bench_street_officer", "street_officer", first, None),
             ("bench_grid_worker", "grid_worker", two[0], None), ("bench_grid_worker", "grid_worker", two[1], None),
             ("bench_handler", "dept_handler", first[:6], "police")]
    for username, role, code, dept in named:
        user, _new = User.objects.get_or_create(username=username, defaults={"name": username, "password": "!"})
        sql("""INSERT INTO governance_roleassignment (role, granted_at, region_id, user_id, department_id)
               VALUES (%s, now(), %s, %s, (SELECT id FROM governance_department WHERE region_id = %s AND %s::text IS NOT NULL))""",
            [role, code, user.pk, code, dept])


def cases(n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    grids = fetch("""SELECT r.code, u.id FROM governance_region r JOIN governance_user u ON u.username = 'u' || r.code
                     WHERE r.level = 5 ORDER BY r.code""")
    police = dict(fetch("SELECT region_id, id FROM governance_department"))
    cats = [c for (c,) in fetch("SELECT id FROM disputes_category WHERE parent_id IS NOT NULL ORDER BY id")]
    now = timezone.now()
    year = 365 * 86400
    # Filing moments: busier by day (07–21 h Shanghai) than by night.
    hour_weights = [1 if h < 7 or h > 21 else 6 for h in range(24)]
    cols = ("id, kind, urgency, title, description, address, involved, status, version, self_handled, level, supervision, "
            "deadline, due_warned_for, rework_count, reject_reason, rating, rating_note, created_at, updated_at, "
            "closed_at, assignee_id, department_id, filer_id, grid_id, merged_into_id, category_id, desk_risk")
    open_mix = ["reported"] * 10 + ["accepted"] * 8 + ["assigned"] * 62 + ["handled"] * 20
    N = "\\N"
    cursor = connection.cursor().cursor  # psycopg2's own cursor, for copy_expert

    def iso(dt):
        return dt.isoformat()

    for start in range(0, n, CHUNK):
        buf = io.StringIO()
        for i in range(start + 1, min(n, start + CHUNK) + 1):
            # Spread evenly over the year (oldest first, ids rise with time), jittered within the day.
            base = now - timedelta(seconds=year * (n - i) / n)
            day = base.replace(hour=0, minute=0, second=0, microsecond=0)
            hour = rng.choices(range(24), hour_weights)[0] - 8  # Shanghai hour as UTC
            created = min(day + timedelta(hours=hour, seconds=rng.randrange(3600)), now - timedelta(minutes=1))
            age = (now - created).total_seconds() / 86400
            grid, worker = grids[rng.randrange(len(grids))]
            r = rng.random()
            kind = "dispute" if rng.random() < 0.1 else "case"
            status, self_handled, level, card, assignee, dept = "closed", False, 4, 0, None, None
            deadline = closed = rating = merged = None
            rework = 1 if rng.random() < 0.06 else 0
            p_open = 0.015 if age > 14 else max(0.015, 0.95 - 0.065 * age)
            if r < 0.05:
                status, closed = "rejected", None
            elif r < 0.07 and i > 1:
                status, merged = "merged", i - 1
            elif r < 0.07 + p_open:
                status = rng.choice(open_mix)
                stage_days = {"reported": 4 / 24, "accepted": 5, "assigned": 5, "handled": 1}[status]
                deadline = created + timedelta(days=stage_days * (1 + rng.random()))
                late = (now - deadline).total_seconds()
                if late > 2 * 86400:  # the backlog: carded by earlier runs
                    card = 2 if late > 3 * 86400 else 1
                    level = 4 - card
            else:
                if rng.random() < 0.1:
                    self_handled = True
                    closed = created + timedelta(minutes=10)
                else:
                    closed = created + timedelta(hours=rng.uniform(6, 7 * 24))
                    card = 1 if rng.random() < 0.125 else 0
                    level = 4 - card
                closed = min(closed, now)
                if rng.random() < 0.5:
                    rating = rng.choice((3, 4, 5, 5, 5))
            if status in ("assigned", "handled", "closed") and not self_handled:
                if rng.random() < 0.3:
                    dept = police[grid[:6]]
                else:
                    assignee = worker
            buf.write("\t".join((
                str(i), kind, "normal", f"{TITLES[i % len(TITLES)]}（{i}）", "压测生成的事件描述。",
                f"{STREETS[i % len(STREETS)]}{i % 200 + 1}号", "", status, "1", "t" if self_handled else "f", str(level),
                str(card), iso(deadline) if deadline else N, N, str(rework), "重复上报" if status == "rejected" else "",
                str(rating) if rating else N, "", iso(created), iso(closed or created), iso(closed) if closed else N,
                str(assignee) if assignee else N, str(dept) if dept else N, str(worker), grid,
                str(merged) if merged else N, str(cats[i % len(cats)]),
                str(risk_level(i)) if kind == "dispute" else N,
            )) + "\n")
        buf.seek(0)
        with transaction.atomic():
            cursor.copy_expert(f"COPY disputes_case ({cols}) FROM STDIN", buf)
        print(f"  {min(n, start + CHUNK):>10,} cases", flush=True)
    sql("SELECT setval(pg_get_serial_sequence('disputes_case', 'id'), (SELECT max(id) FROM disputes_case))")


def risk_level(case_id: int) -> int:
    """A dispute's risk level, as disputes() writes it in SQL (`1 + (id % 7 = 0) + (id % 31 = 0)`): the
    COPY writes the case's copy of it (desk_risk, the mediation desk's sort key) with the case."""
    return 1 + (case_id % 7 == 0) + (case_id % 31 == 0)


def timelines() -> None:
    sql("""
        INSERT INTO disputes_caseevent (case_id, at, actor_id, action, from_status, to_status, note, detail)
        SELECT id, created_at, filer_id, CASE WHEN self_handled THEN 'self_handle' ELSE 'file' END, '',
               CASE WHEN self_handled THEN 'closed' ELSE 'reported' END, '', '{}' FROM disputes_case;
        INSERT INTO disputes_caseevent (case_id, at, actor_id, action, from_status, to_status, note, detail)
        SELECT id, created_at + interval '1 hour', NULL, 'assign', 'accepted', 'assigned', '', '{}'
        FROM disputes_case WHERE status IN ('assigned', 'handled', 'closed') AND NOT self_handled;
        INSERT INTO disputes_caseevent (case_id, at, actor_id, action, from_status, to_status, note, detail)
        SELECT id, coalesce(closed_at, created_at + interval '2 hours'), NULL,
               CASE status WHEN 'closed' THEN 'verify_ok' WHEN 'rejected' THEN 'reject' ELSE 'merge' END,
               CASE status WHEN 'closed' THEN 'handled' ELSE 'reported' END, status, '', '{}'
        FROM disputes_case WHERE status IN ('closed', 'rejected', 'merged') AND NOT self_handled;
        INSERT INTO disputes_caseevent (case_id, at, actor_id, action, from_status, to_status, note, detail)
        SELECT id, coalesce(deadline, created_at + interval '5 days') + interval '10 minutes', NULL, 'escalate', 'assigned',
               'assigned', '超期未办，黄牌督办，升级至街道乡镇级', '{"card": 1, "level": 3}'
        FROM disputes_case WHERE supervision >= 1;
        INSERT INTO disputes_caseevent (case_id, at, actor_id, action, from_status, to_status, note, detail)
        SELECT id, deadline + interval '1 day 10 minutes', NULL, 'escalate', 'assigned', 'assigned',
               '超期未办，红牌督办，升级至区县级', '{"card": 2, "level": 2}'
        FROM disputes_case WHERE supervision = 2;
        INSERT INTO disputes_caseevent (case_id, at, actor_id, action, from_status, to_status, note, detail)
        SELECT id, closed_at + interval '1 hour', filer_id, 'rate', 'closed', 'closed', '', '{}'
        FROM disputes_case WHERE rating IS NOT NULL;
        INSERT INTO disputes_casedispatch (case_id, assignee_id, department_id, at, case_open)
        SELECT id, assignee_id, department_id, created_at + interval '1 hour', status IN ('reported', 'accepted', 'assigned', 'handled')
        FROM disputes_case WHERE assignee_id IS NOT NULL OR department_id IS NOT NULL;
    """)


def disputes() -> None:
    sql("""
        INSERT INTO disputes_dispute (case_id, dispute_type_id, source, source_detail, people_count, amount,
            threat_violence, threat_petition, risk_level, risk_reasons, extended, outcome, agreement_no, facts, terms,
            performance, settled_at, referred_to, referred_to_name, referral_note, reopen_count, mediation_due)
        SELECT id, (SELECT min(id) FROM disputes_disputetype) + id % 2, 'patrol', '', 2 + id % 5, 0, id % 97 = 0,
               id % 89 = 0, 1 + (id % 7 = 0)::int + (id % 31 = 0)::int, '[]', false,
               CASE WHEN status = 'closed' AND id % 5 < 3 THEN 'settled' WHEN status = 'closed' THEN 'failed' ELSE 'pending' END,
               '', '', '', '', CASE WHEN status = 'closed' AND id % 5 < 3 THEN closed_at END, '', '', '', 0,
               CASE WHEN status IN ('accepted', 'assigned') THEN deadline END
        FROM disputes_case WHERE kind = 'dispute';
        INSERT INTO disputes_riskentry (level, responsibility, measures, next_review, opened_at, closed_at, close_note,
            dispute_id, grid_id, owner_id)
        SELECT d.risk_level, '网格员', '定期走访', (c.created_at + interval '14 days')::date, c.created_at, NULL, '',
               d.case_id, c.grid_id, c.filer_id
        FROM disputes_dispute d JOIN disputes_case c ON c.id = d.case_id
        WHERE d.risk_level >= 2 AND c.status IN ('reported', 'accepted', 'assigned', 'handled') AND c.id % 5 = 0;
    """)


def sessions() -> None:
    """One mediation session a dispute, two days after its filing (some hours into the day): a city of
    200,000 disputes a year holds ~550 a day, and the desk's "today's sessions" shows the first few."""
    sql("""
        INSERT INTO disputes_mediationsession (dispute_id, at, place, attendees, applicant_statement,
            respondent_statement, agreed, held, recorded_at, room_id, scheduled_by_id)
        SELECT c.id, c.created_at + interval '2 days' + (c.id % 9) * interval '1 hour', '社区调解室', '', '', '', '',
               c.created_at + interval '2 days' < now(), NULL, NULL, c.filer_id
        FROM disputes_dispute d JOIN disputes_case c ON c.id = d.case_id;
        INSERT INTO disputes_mediationsession_mediators (mediationsession_id, user_id)
        SELECT id, scheduled_by_id FROM disputes_mediationsession;
    """)


def report_cycles() -> None:
    """Each finished month's report cycle, as beat runs it on the 1st (reports.tasks): the snapshots the
    dashboards' trend reads, and the month's overdue stock kept (disputes.CaseOverdueStock). Months whose
    full cycle ran already are skipped (a second call after a re-generation does only what is missing)."""
    from reports.actions import do_run_cycle
    from reports.kpis import DEFINITION_VERSION
    from reports.models import CycleRun
    from reports.periods import Kind, complete_periods

    first = fetch("SELECT min(created_at) FROM disputes_case")[0][0]
    done = set(CycleRun.objects.filter(root="", definition_version=DEFINITION_VERSION, finished_at__isnull=False)
               .values_list("period", flat=True))
    for period in complete_periods(Kind.MONTH, first, limit=13):
        if period.code not in done:
            timed(f"  report cycle {period.code}", lambda period=period: do_run_cycle(actor=None, period=period))


def main(n: int, grids: int) -> None:
    assert connection.vendor == "postgresql", "PostgreSQL only (DATABASE_URL)"
    call_command("migrate", verbosity=0)
    from disputes.models import Case

    if Case.objects.exists():
        print(f"already generated: {Case.objects.count():,} cases")
        if not fetch("SELECT EXISTS (SELECT 1 FROM disputes_mediationsession)")[0][0]:
            with transaction.atomic():
                timed("mediation sessions (missing)", sessions)
        timed("report cycles of the finished months (missing ones)", report_cycles)
        return
    total = time.perf_counter()
    with transaction.atomic():
        timed(f"city of {grids:,} grids, people", lambda: city(grids))
    timed(f"{n:,} cases (COPY)", lambda: cases(n))
    with transaction.atomic():
        timed("timelines and dispatches (INSERT … SELECT)", timelines)
        timed("disputes and risk entries", disputes)
        timed("mediation sessions", sessions)
    timed("ANALYZE", lambda: sql("VACUUM ANALYZE"))
    timed("rebuild_summaries", lambda: call_command("rebuild_summaries", stdout=open(os.devnull, "w")))
    timed("report cycles of the finished months", report_cycles)
    # Again: the summaries, snapshots and overdue stock were written after the first ANALYZE. Without
    # it the planner took the city's 2 M summary rows for 6,500 and a dashboard read them all (1.9 s).
    timed("ANALYZE (summaries, snapshots)", lambda: sql("VACUUM ANALYZE"))
    print(f"generated in {time.perf_counter() - total:.0f} s: "
          + ", ".join(f"{t} {c:,}" for t, c in fetch("""
              SELECT 'cases', count(*) FROM disputes_case UNION ALL SELECT 'open', count(*) FROM disputes_case
              WHERE status IN ('reported', 'accepted', 'assigned', 'handled') UNION ALL
              SELECT 'events', count(*) FROM disputes_caseevent UNION ALL SELECT 'summaries', count(*) FROM disputes_casemonthsummary""")))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000, int(sys.argv[2]) if len(sys.argv) > 2 else 20_000)

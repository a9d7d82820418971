"""Report-cycle benchmark: one monthly KPI computation for a city of 20,000 grids, beside a bare
SQL GROUP BY of the same month's cases by grid, in the same run. PostgreSQL only; a scratch database:

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE gridgov_sum_bench"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gridgov_sum_bench python bench/bench_reports.py [GRIDS] [CASES_PER_YEAR]

Generates, with INSERT … SELECT generate_series (seconds, not hours): a city of GRIDS grids (default
20,000: 10 districts × 10 streets × 10 communities × 20 grids), one grid worker per grid, and October
2026's share of CASES_PER_YEAR (default 2,000,000: 166,667 cases filed in the month), with their
outcomes — 5 % rejected, 2 % merged, 80 % closed (10 % of those self-handled, an eighth closed in
November), 12 % supervised overdue (a card on the timeline), half the closed rated, 10 % disputes of
which 60 % settled — and 3 visits per grid. Then `rebuild_summaries` for the month (as after any bulk
load), and it times:

- `reports.kpis.compute` for every node of the city at once (city, districts, streets, communities,
  grids: 21,111 nodes) for 2026-10, with its query count;
- `SELECT grid_id, count(*) FROM disputes_case WHERE created_at in October GROUP BY grid_id`.

Each is run 3 times; the median is reported, and the ratio of the two.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from disputes.models import Case, CaseMonthSummary, Category  # noqa: E402
from governance.models import Region, User  # noqa: E402
from reports.kpis import compute  # noqa: E402
from reports.periods import parse  # noqa: E402

START, END = "2026-10-01 00:00:00+08", "2026-11-01 00:00:00+08"


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label:<60} {time.perf_counter() - start:8.2f} s", flush=True)
    return result


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def generate(grids: int, per_year: int) -> int:
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
    sql("""INSERT INTO governance_region (code, name, level, parent_id, grid_type)
           SELECT p.code || lpad(g::text, 3, '0'), p.name || '网格' || g, 5, p.code, ''
           FROM governance_region p CROSS JOIN generate_series(1, 20) g WHERE p.level = 4""")
    root = Category.objects.create(code="90", name="压测类别")
    for i in range(10):
        Category.objects.create(code=f"90{i:02d}", name=f"压测{i}", parent=root)
    filer = User.objects.create(username="bench_filer", first_name="压测")
    n = per_year // 12
    # Cases: g picks the grid, c the category, r the outcome (0–99), minute the filing moment in October.
    sql("""
        CREATE TEMP TABLE bench_grid AS SELECT row_number() OVER (ORDER BY code) AS i, code FROM governance_region WHERE level = 5;
        CREATE TEMP TABLE bench_cat AS SELECT row_number() OVER (ORDER BY id) AS i, id FROM disputes_category WHERE parent_id IS NOT NULL;
        INSERT INTO disputes_case (kind, category_id, urgency, title, description, grid_id, address, involved, filer_id,
            status, version, self_handled, level, supervision, rework_count, reject_reason, rating, rating_note,
            created_at, updated_at, closed_at, deadline)
        SELECT CASE WHEN r %% 10 = 9 THEN 'dispute' ELSE 'case' END, bc.id, 'normal', '压测事件', '压测', bg.code, '', '',
               %(filer)s,
               CASE WHEN r < 5 THEN 'rejected' WHEN r < 7 THEN 'merged' WHEN r < 87 THEN 'closed' ELSE 'assigned' END,
               1, r BETWEEN 7 AND 14, 4, 0, CASE WHEN r %% 7 = 0 THEN 1 ELSE 0 END, '',
               CASE WHEN r BETWEEN 15 AND 55 THEN 1 + r %% 5 END, '',
               t, t,
               CASE WHEN r < 7 THEN t + interval '2 hours'
                    WHEN r < 87 THEN t + (CASE WHEN r %% 8 = 0 THEN interval '30 days' ELSE interval '3 days' END) END,
               CASE WHEN r >= 87 THEN t + interval '5 days' END
        FROM (SELECT s, (s::bigint * 7919) %% 100 AS r, timestamptz %(start)s + (s %% 44640) * interval '1 minute' AS t,
                     1 + (s::bigint * 104729) %% %(grids)s AS gi, 1 + s %% 10 AS ci
              FROM generate_series(1, %(n)s) s) x
        JOIN bench_grid bg ON bg.i = x.gi JOIN bench_cat bc ON bc.i = x.ci
    """, {"filer": filer.pk, "start": START, "grids": Region.objects.filter(level=5).count(), "n": n})
    sql("""
        INSERT INTO disputes_caseevent (case_id, at, actor_id, action, from_status, to_status, note, detail)
        SELECT id, created_at + interval '1 day', NULL, 'escalate', 'assigned', 'assigned', '超期', '{"card": 1, "level": 3}'
        FROM disputes_case WHERE id %% 8 = 0 AND status <> 'rejected';
        INSERT INTO disputes_caseevent (case_id, at, actor_id, action, from_status, to_status, note, detail)
        SELECT id, closed_at + interval '1 hour', filer_id, 'rate', 'closed', 'closed', '', '{}'
        FROM disputes_case WHERE rating IS NOT NULL AND status = 'closed';
        UPDATE disputes_case SET rating = NULL WHERE status <> 'closed';
    """)
    dtype = "INSERT INTO disputes_disputetype (code, name, is_active, sort) VALUES ('99', '压测纠纷', true, 0) RETURNING id"
    with connection.cursor() as cursor:
        cursor.execute(dtype)
        type_id = cursor.fetchone()[0]
        cursor.execute("""
            INSERT INTO disputes_dispute (case_id, dispute_type_id, source, source_detail, people_count, amount,
                threat_violence, threat_petition, risk_level, risk_reasons, extended, outcome, agreement_no, facts, terms,
                performance, settled_at, referred_to, referred_to_name, referral_note, reopen_count)
            SELECT id, %s, 'patrol', '', 2, 0, false, false, 1, '[]', false,
                   CASE WHEN id %% 5 < 3 THEN 'settled' ELSE 'pending' END, '', '', '', '',
                   CASE WHEN id %% 5 < 3 THEN created_at + interval '4 days' END, '', '', '', 0
            FROM disputes_case WHERE kind = 'dispute'""", [type_id])
    sql("""
        INSERT INTO governance_roleassignment (user_id, role, region_id, granted_at)
        SELECT %s, 'grid_worker', code, timestamptz '2025-01-01' FROM governance_region WHERE level = 5
    """, [filer.pk])
    sql("""
        INSERT INTO grids_visit (grid_id, worker_id, kind, at, findings, place, photo, created_at)
        SELECT code, %s, CASE WHEN k = 3 THEN 'patrol' ELSE 'visit' END, timestamptz %s + k * interval '5 days', '正常', '', '',
               now()
        FROM governance_region CROSS JOIN generate_series(1, 3) k WHERE level = 5
    """, [filer.pk, START])
    sql("ANALYZE")
    return n


def bare_group_by() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT grid_id, count(*) FROM disputes_case WHERE created_at >= %s AND created_at < %s GROUP BY grid_id",
                       [START, END])
        return len(cursor.fetchall())


def main(grids: int, per_year: int) -> None:
    assert connection.vendor == "postgresql", "PostgreSQL only (DATABASE_URL)"
    call_command("migrate", verbosity=0)
    if not Region.objects.exists():
        n = timed(f"generate {grids} grids and a month of {per_year:,} cases/year", lambda: generate(grids, per_year))
        print(f"  {n:,} cases filed in 2026-10")
        timed("rebuild_summaries --month 2026-10", lambda: call_command("rebuild_summaries", month="2026-10",
                                                                         stdout=open(os.devnull, "w")))
    print(f"cases {Case.objects.count():,}; summary rows {CaseMonthSummary.objects.count():,}; "
          f"grids {Region.objects.filter(level=5).count():,}")
    codes = list(Region.objects.values_list("code", flat=True))
    period = parse("2026-10")
    cycle, bare, queries = [], [], 0
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            result = compute(codes, period)
            cycle.append(time.perf_counter() - start)
        queries = len(ctx.captured_queries)
        start = time.perf_counter()
        rows = bare_group_by()
        bare.append(time.perf_counter() - start)
    city = result["2108"]
    print(f"city: filed {city['cases_filed']:,}, closed {city['cases_closed']:,}, closure rate {city['closure_rate']} %, "
          f"on time {city['on_time_rate']} %, satisfaction {city['satisfaction']}, disputes {city['disputes_received']:,}")
    c, b = statistics.median(cycle), statistics.median(bare)
    print(f"monthly KPIs for {len(codes):,} nodes: median {c:.2f} s ({queries} queries; runs {', '.join(f'{x:.2f}' for x in cycle)})")
    print(f"bare GROUP BY of the month's cases by grid ({rows:,} groups): median {b:.2f} s "
          f"(runs {', '.join(f'{x:.2f}' for x in bare)})")
    print(f"ratio: {c / b:.1f}× the bare GROUP BY")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000, int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000)

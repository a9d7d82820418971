"""Dashboard benchmark: the city's dashboard (/dashboard/2108/, as its city leader sees it) for a city
of 20,000 grids, first with a small case load and then, in the same run, with 2,000,000 cases filed
over the last twelve months: its time and its query count. PostgreSQL only; a scratch database:

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE gridgov_dash_bench"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gridgov_dash_bench python bench/bench_dashboard.py [GRIDS] [SMALL] [LARGE]

The territory is bench_reports' (10 districts × 10 streets × 10 communities × 20 grids, a grid worker
each, 3 visits per grid). Cases are spread evenly over the 365 days before now with bench_reports'
outcomes (5 % rejected, 2 % merged, the rest closed within days, except the last month's 13 % still in
hand, of which those past their deadline are overdue; a supervision card on an eighth, half the closed
rated, a tenth disputes of which 60 % settled), then `rebuild_summaries`, the register tallies and
last month's report cycle, as after any bulk load. Each page is fetched 5 times after a warm-up; the median is reported.
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

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from bench.bench_reports import generate, sql, timed  # noqa: E402
from disputes.models import Case, CaseMonthSummary  # noqa: E402
from governance.models import Region, RoleAssignment, User  # noqa: E402
from governance.roles import Role  # noqa: E402
from reports.actions import do_run_cycle  # noqa: E402
from reports.periods import Kind, last_complete  # noqa: E402
from reports.registers import count_registers  # noqa: E402

PAGES = {"city": "2108", "district": "210801", "street": "210801001"}


def add_cases(n: int) -> None:
    """n cases spread over the 365 days before now (the same outcome mix as bench_reports)."""
    filer = User.objects.get(username="bench_filer").pk
    sql("""
        DROP TABLE IF EXISTS bench_grid; DROP TABLE IF EXISTS bench_cat;
        CREATE TEMP TABLE bench_grid AS SELECT row_number() OVER (ORDER BY code) AS i, code FROM governance_region WHERE level = 5;
        CREATE TEMP TABLE bench_cat AS SELECT row_number() OVER (ORDER BY id) AS i, id FROM disputes_category WHERE parent_id IS NOT NULL;
        INSERT INTO disputes_case (kind, category_id, urgency, title, description, grid_id, address, involved, filer_id,
            status, version, self_handled, level, supervision, rework_count, reject_reason, rating, rating_note,
            created_at, updated_at, closed_at, deadline)
        SELECT CASE WHEN r %% 10 = 9 THEN 'dispute' ELSE 'case' END, bc.id, 'normal', '压测事件', '压测', bg.code, '', '',
               %(filer)s,
               CASE WHEN r < 5 THEN 'rejected' WHEN r < 7 THEN 'merged' WHEN r < 87 OR t < now() - interval '30 days'
                    THEN 'closed' ELSE 'assigned' END,
               1, r BETWEEN 7 AND 14, 4, 0, CASE WHEN r %% 7 = 0 THEN 1 ELSE 0 END, '',
               CASE WHEN r BETWEEN 15 AND 55 THEN 1 + r %% 5 END, '',
               t, t,
               CASE WHEN r < 7 THEN t + interval '2 hours'
                    WHEN r < 87 OR t < now() - interval '30 days' THEN LEAST(t + interval '3 days', now()) END,
               CASE WHEN r >= 87 AND t >= now() - interval '30 days' THEN t + interval '5 days' END
        FROM (SELECT s, (s::bigint * 7919) %% 100 AS r,
                     now() - interval '365 days' + (s::bigint * 31536000 / %(n)s) * interval '1 second' AS t,
                     1 + (s::bigint * 104729) %% %(grids)s AS gi, 1 + s %% 10 AS ci
              FROM generate_series(1, %(n)s) s) x
        JOIN bench_grid bg ON bg.i = x.gi JOIN bench_cat bc ON bc.i = x.ci
    """, {"filer": filer, "grids": Region.objects.filter(level=5).count(), "n": n})
    sql("""
        INSERT INTO disputes_caseevent (case_id, at, actor_id, action, from_status, to_status, note, detail)
        SELECT id, created_at + interval '1 day', NULL, 'escalate', 'assigned', 'assigned', '超期', '{"card": 1, "level": 3}'
        FROM disputes_case WHERE id %% 8 = 0 AND status <> 'rejected' AND title = '压测事件' AND description = '压测'
          AND NOT EXISTS (SELECT 1 FROM disputes_caseevent e WHERE e.case_id = disputes_case.id);
        INSERT INTO disputes_caseevent (case_id, at, actor_id, action, from_status, to_status, note, detail)
        SELECT id, closed_at, filer_id, 'rate', 'closed', 'closed', '', '{}'
        FROM disputes_case c WHERE rating IS NOT NULL AND status = 'closed'
          AND NOT EXISTS (SELECT 1 FROM disputes_caseevent e WHERE e.case_id = c.id AND e.action = 'rate');
        UPDATE disputes_case SET rating = NULL WHERE status <> 'closed' AND rating IS NOT NULL;
    """)
    type_id = connection.cursor()
    type_id.execute("SELECT id FROM disputes_disputetype WHERE code = '99'")
    sql("""
        INSERT INTO disputes_dispute (case_id, dispute_type_id, source, source_detail, people_count, amount,
            threat_violence, threat_petition, risk_level, risk_reasons, extended, outcome, agreement_no, facts, terms,
            performance, settled_at, referred_to, referred_to_name, referral_note, reopen_count)
        SELECT id, %s, 'patrol', '', 2, 0, false, false, 1, '[]', false,
               CASE WHEN id %% 5 < 3 AND status = 'closed' THEN 'settled' ELSE 'pending' END, '', '', '', '',
               CASE WHEN id %% 5 < 3 AND status = 'closed' THEN closed_at END, '', '', '', 0
        FROM disputes_case c WHERE kind = 'dispute' AND NOT EXISTS (SELECT 1 FROM disputes_dispute d WHERE d.case_id = c.id)
    """, [type_id.fetchone()[0]])
    sql("ANALYZE")


def rebuild() -> None:
    """As after a bulk load: the summaries rebuilt, the registers counted, and last month's report
    cycle run (beat runs it on the 1st: the dashboards read the previous month from its snapshots)."""
    call_command("rebuild_summaries", stdout=open(os.devnull, "w"))
    count_registers()
    do_run_cycle(actor=None, period=last_complete(Kind.MONTH))


def measure(client: Client, label: str) -> None:
    print(f"-- {label}: cases {Case.objects.count():,}; summary rows {CaseMonthSummary.objects.count():,}", flush=True)
    for name, code in PAGES.items():
        url = f"/dashboard/{code}/"
        response = client.get(url)  # warm-up
        assert response.status_code == 200, response.status_code
        runs, queries = [], 0
        for _ in range(5):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                client.get(url)
                runs.append(time.perf_counter() - start)
            queries = len(ctx.captured_queries)
        tiles = {t.code: t.value for t in response.context["tiles"]}
        print(f"{name:<9} {url:<22} median {1000 * statistics.median(runs):7.0f} ms, {queries} queries "
              f"(runs {', '.join(f'{1000 * r:.0f}' for r in runs)} ms); this month: filed {tiles['cases_filed']:,}, "
              f"closure {tiles['closure_rate']} %, overdue {tiles['overdue_open']:,}", flush=True)


def main(grids: int, small: int, large: int) -> None:
    assert connection.vendor == "postgresql", "PostgreSQL only (DATABASE_URL)"
    setup_test_environment()  # the test client's response.context (the tiles' figures)
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    if not Region.objects.exists():
        timed(f"generate {grids} grids (and bench_reports' October)", lambda: generate(grids, 12))
    leader, _ = User.objects.get_or_create(username="bench_leader", defaults={"name": "压测市领导"})
    RoleAssignment.objects.get_or_create(user=leader, role=Role.CITY_LEADER, region_id="2108")
    client = Client()
    client.force_login(leader)
    have = Case.objects.count()
    if have < small:
        timed(f"add {small - have:,} cases over the last 12 months", lambda: add_cases(small - have))
        timed("rebuild_summaries + register tallies + last month's cycle", rebuild)
    measure(client, "small")
    have = Case.objects.count()
    if have < large:
        timed(f"add {large - have:,} cases over the last 12 months", lambda: add_cases(large - have))
        timed("rebuild_summaries + register tallies + last month's cycle", rebuild)
    measure(client, "large")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*(args + [20_000, 2_000, 2_000_000][len(args):]))

"""Territory map benchmark: the two GeoJSON feeds for a city of 20,000 grids. PostgreSQL only; a scratch database:

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE gridgov_map_bench"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gridgov_map_bench python bench/bench_map.py [GRIDS] [CASES_PER_YEAR]

Builds the city and October 2026's cases as bench/bench_reports.py does (its `generate`), then gives every grid a
square boundary of about 300 m (200 grids to a row) and every case a point in its grid, and times, as a city
leader, with the query count (median of 3):

- `grid_features` for the city (what `/territory/2108/map/grids.geojson?kpi=closure_rate&period=2026-10` answers):
  the first run computes the KPIs, the next two reuse them (portal.map_selectors.VALUES_TTL), as a KPI switch does;
- `case_features` for the city: the whole city (status=all, no bbox: the newest 1,000), and the view of a
  street-sized bbox.
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

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.bench_reports import generate, sql, timed  # noqa: E402
from disputes.models import OPEN_STATUSES, Case  # noqa: E402
from governance.models import Region, RoleAssignment, User  # noqa: E402
from governance.roles import Role  # noqa: E402
from portal.map_selectors import case_features, grid_features  # noqa: E402
from reports.periods import parse  # noqa: E402


def add_geography() -> None:
    sql("""
        WITH g AS (SELECT code, row_number() OVER (ORDER BY code) - 1 AS i FROM governance_region WHERE level = 5),
             c AS (SELECT code, 41.60 + (i / 200) * 0.0027 AS s, 123.20 + (i %% 200) * 0.0035 AS w FROM g)
        UPDATE governance_region r SET centre_lat = round((c.s + 0.00135)::numeric, 6),
               centre_lng = round((c.w + 0.00175)::numeric, 6),
               boundary = jsonb_build_object('type', 'Polygon', 'coordinates', jsonb_build_array(jsonb_build_array(
                   jsonb_build_array(c.w, c.s), jsonb_build_array(c.w + 0.0035, c.s),
                   jsonb_build_array(c.w + 0.0035, c.s + 0.0027), jsonb_build_array(c.w, c.s + 0.0027),
                   jsonb_build_array(c.w, c.s))))
        FROM c WHERE r.code = c.code;
        UPDATE disputes_case k SET lat = r.centre_lat + ((k.id %% 97) - 48) * 0.00002,
               lng = r.centre_lng + ((k.id %% 89) - 44) * 0.00003
        FROM governance_region r WHERE r.code = k.grid_id;
        ANALYZE;
    """)


def measure(label: str, fn) -> None:
    runs, queries, result = [], 0, None
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            result = fn()
            runs.append(time.perf_counter() - start)
        queries = len(ctx.captured_queries)
    print(f"{label:<70} median {statistics.median(runs):.2f} s, {queries} queries, "
          f"{len(result['features']):,} features (runs {', '.join(f'{x:.2f}' for x in runs)})", flush=True)


def main(grids: int, per_year: int) -> None:
    assert connection.vendor == "postgresql", "PostgreSQL only (DATABASE_URL)"
    call_command("migrate", verbosity=0)
    if not Region.objects.exists():
        timed(f"generate {grids} grids and a month of {per_year:,} cases/year", lambda: generate(grids, per_year))
        timed("rebuild_summaries --month 2026-10", lambda: call_command("rebuild_summaries", month="2026-10",
                                                                         stdout=open(os.devnull, "w")))
        timed("boundaries and case points", add_geography)
    leader, made = User.objects.get_or_create(username="bench_leader", defaults={"first_name": "市领导"})
    if made:
        RoleAssignment.objects.create(user=leader, role=Role.CITY_LEADER, region_id="2108")
    city = Region.objects.get(code="2108")
    period = parse("2026-10")
    print(f"grids {Region.objects.filter(level=5).count():,}; cases with a point "
          f"{Case.objects.filter(lat__isnull=False).count():,}, open {Case.objects.filter(status__in=OPEN_STATUSES).count():,}")
    cache.clear()
    measure("grids.geojson, city, closure rate 2026-10 (first run computes)", lambda: grid_features(leader, city, "closure_rate", period))
    measure("cases.geojson, city, status=all, no bbox", lambda: case_features(leader, city, "all"))
    measure("cases.geojson, city, status=open, no bbox", lambda: case_features(leader, city, "open"))
    measure("cases.geojson, city, status=all, a 3 km × 3 km bbox", lambda: case_features(
        leader, city, "all", (41.62, 123.30, 41.647, 123.335)))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000, int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000)

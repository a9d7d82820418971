"""Pages and tasks at 20,000 and at 2,000,000 cases, in the same run, as ratios. PostgreSQL only:

    # two scratch databases, generated once (bench/generate_cases.py; minutes, not hours)
    for db in gg_scale_bench_20k gg_scale_bench; do psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE $db"; done
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gg_scale_bench_20k python bench/generate_cases.py 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gg_scale_bench python bench/generate_cases.py 2000000
    python bench/bench_scale.py postgres://postgres@127.0.0.1:5432/gg_scale_bench_20k \
                                postgres://postgres@127.0.0.1:5432/gg_scale_bench [--runs 7] [--explain] \
                                [--only 待办,desk,risk] [--no-tasks]

Each database is served by a child process of this script (Django binds one database per process).
Pages are requested through Django's test client as signed-in users (session, scope, queries,
template: the whole stack but the network): once to warm up on each database, then RUNS rounds of one
request on each, the two databases alternating (the order swapped every round), so the load of this
shared machine falls on both sides of each round. Printed: each side's median, the median of the
rounds' ratios, SQL queries (`--only`: the pages whose label contains one of the comma-separated
words; `--no-tasks`: pages only). Tasks (one database after the other):

- one batch of the supervision task (`escalate_batch`, 1,000 of the cases whose deadline passed in
  the last two days and have no card yet) beside a bare set-based UPDATE of the same rows writing the
  same columns (`UPDATE disputes_case SET supervision = 1, level = greatest(level - 1, 1), version =
  version + 1, updated_at = … WHERE id = ANY(…)`), both inside a transaction rolled back afterwards, so
  every run finds the same rows; the two alternate, and besides both medians the table gives the median
  of the pairs' ratios (batch i / bare i: a quiet or a busy moment of the machine falls on both of a
  pair, where the ratio of two medians can pair a busy batch with a quiet bare UPDATE);
- the due-soon batch (`warn_batch`) the same way;
- the KPIs of last month for the city's 100 streets and the city (`reports.kpis.compute`, as the map and
  the report pages ask for them), whose overdue stock the month's report cycle kept, beside counting that
  stock on the raw rows (`overdue_at_end_by_grid`, what compute did before);
- the export of a street officer's street (`case_rows` + xlsxwriter), rows a second.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = [
    # (user, label, url): every list of issue 17 item 3 for every role, and the landing and territory pages
    ("bench_city_leader", "/ (landing page)", "/"),
    ("bench_city_leader", "territory page of the city", "/territory/2108/"),
    ("bench_city_leader", "case list, everything", "/cases/"),
    ("bench_city_leader", "case list, everything, page 2", "NEXT:/cases/"),
    ("bench_city_leader", "case list, open", "/cases/?status=open"),
    ("bench_city_leader", "overdue list", "/cases/?overdue=1"),
    ("bench_city_leader", "supervision list (carded, open)", "/cases/?supervision=any"),
    ("bench_city_leader", "dispute desk", "/disputes/"),
    ("bench_city_leader", "dispute desk, page 2", "NEXT:/disputes/"),
    ("bench_city_leader", "today's sessions (desk list)", "/disputes/sessions/"),
    ("bench_city_leader", "dispute list", "/disputes/all/"),
    ("bench_city_leader", "risk register", "/disputes/risks/"),
    ("bench_district", "case list, the district", "/cases/"),
    ("bench_district", "overdue list, the district", "/cases/?overdue=1"),
    ("bench_district", "supervision list, the district", "/cases/?supervision=any"),
    ("bench_district", "待办 (to-do)", "/cases/todo/"),
    ("bench_district", "dispute desk", "/disputes/"),
    ("bench_district", "risk register", "/disputes/risks/"),
    ("bench_street_officer", "case list, the street", "/cases/"),
    ("bench_street_officer", "overdue list, the street", "/cases/?overdue=1"),
    ("bench_street_officer", "supervision list, the street", "/cases/?supervision=any"),
    ("bench_street_officer", "待办 (to-do)", "/cases/todo/"),
    ("bench_street_officer", "dispute desk", "/disputes/"),
    ("bench_street_officer", "risk register", "/disputes/risks/"),
    ("bench_grid_worker", "case list, two grids", "/cases/"),
    ("bench_grid_worker", "overdue list, two grids", "/cases/?overdue=1"),
    ("bench_grid_worker", "supervision list, two grids", "/cases/?supervision=any"),
    ("bench_grid_worker", "待办 (to-do)", "/cases/todo/"),
    ("bench_grid_worker", "dispute desk", "/disputes/"),
    ("bench_grid_worker", "risk register", "/disputes/risks/"),
    ("bench_handler", "待办 (to-do), department handler", "/cases/todo/"),
    ("bench_handler", "case list, dispatched to the department", "/cases/"),
    ("bench_handler", "overdue list, dispatched to the department", "/cases/?overdue=1"),
    ("bench_handler", "supervision list, dispatched to the department", "/cases/?supervision=any"),
    ("bench_handler", "dispute desk, dispatched to the department", "/disputes/"),
]


# What a list page shows, roughly: the cases, disputes and risk entries it links to (each id once; a day's
# sessions count their disputes).
ROW_LINK = re.compile(r'href="/(?:cases|disputes|disputes/risks)/([0-9]+)/"')


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    import django

    django.setup()


class PageMeter:
    """One database's side of the page measurements (a child process): signed-in clients, each page's
    URL resolved once (a "NEXT:" page follows the first page's next link) and warmed up, then timed
    one request at a time as the parent asks, so the two databases' requests alternate."""

    def __init__(self, only: list[str] | None):
        _setup()
        from django.test import Client

        from governance.models import User

        self.pages = [p for p in PAGES if not only or any(word in p[1] for word in only)]
        self.clients: dict[str, Client] = {}
        self.urls: dict[int, str] = {}
        self.Client, self.User = Client, User

    def _url(self, i: int) -> str:

        if i in self.urls:
            return self.urls[i]
        username, _label, url = self.pages[i]
        if username not in self.clients:
            self.clients[username] = self.Client()
            self.clients[username].force_login(self.User.objects.get(username=username))
        client = self.clients[username]
        if url.startswith("NEXT:"):
            first = client.get(url[5:]).content.decode()
            m = re.search(r'href="\?([^"]*after=[0-9.n-]+[^"]*)" rel="next"', first)
            assert m, f"no next page on {url[5:]}"
            url = url[5:] + "?" + m.group(1).replace("&amp;", "&")
        r = client.get(url, follow=True)  # "/" sends each role on to its landing page; also the warm-up
        assert r.status_code == 200, (username, url, r.status_code)
        self.urls[i] = url
        return url

    def time_page(self, i: int) -> dict:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        url = self._url(i)
        client = self.clients[self.pages[i][0]]
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url, follow=True)
            elapsed = time.perf_counter() - start
        return {"ms": elapsed * 1000, "queries": len(ctx.captured_queries), "url": url,
                "rows": len(set(ROW_LINK.findall(response.content.decode())))}


def serve(only: list[str] | None) -> None:
    """Child: answer one JSON command a line on stdin — {"page": i} times page i once, {"tasks": …}
    runs the task measurements, {"count": 1} says how many cases — with one JSON line on stdout."""
    meter = PageMeter(only)
    from django.db import connection

    from disputes.models import Case

    # The task measurements write and roll back (and so do other runs before this one): dead rows and
    # pages no longer all-visible, and the open cases' counts, index-only scans, then read the table
    # (113,000 heap fetches, 64 → 300 ms for the territory page's count at 2 M). Measure the tables
    # as autovacuum keeps them.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE disputes_case")

    for line in sys.stdin:
        command = json.loads(line)
        if "page" in command:
            answer = meter.time_page(command["page"])
        elif "tasks" in command:
            answer = measure_tasks(command["runs"], command["explain"])
        else:
            answer = {"cases": Case.objects.count(), "pages": len(meter.pages)}
        print(json.dumps(answer), flush=True)


def measure_tasks(runs: int, explain: bool) -> dict:
    _setup()
    from django.db import connection, transaction
    from django.db.models import F
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from disputes.exports import case_rows, write_xlsx
    from disputes.selectors.cases import case_list, todo_sections
    from disputes.selectors.mediation import desk_cases
    from disputes.tasks import cases as tasks
    from governance.models import Region, User

    out = {"tasks": {}, "explain": {}}

    class Rollback(Exception):
        pass

    def in_rollback(fn):
        start = time.perf_counter()
        try:
            with transaction.atomic():
                result = fn()
                elapsed = time.perf_counter() - start
                raise Rollback
        except Rollback:
            pass
        return elapsed, result

    now = timezone.now()
    ids = list(tasks.overdue_to_card(now).order_by("deadline", "pk").values_list("pk", flat=True)[: tasks.BATCH])
    batch, bare, queries = [], [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            t, n = in_rollback(lambda: tasks.escalate_batch(now))
        queries = len(ctx.captured_queries)
        batch.append(t)

        def bare_update():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE disputes_case SET supervision = 1, level = greatest(level - 1, 1), "
                               "version = version + 1, updated_at = %s WHERE id = ANY(%s)", [timezone.now(), ids])
                return cursor.rowcount
        t, rows = in_rollback(bare_update)
        bare.append(t)
    out["tasks"]["supervision batch"] = {"rows": n, "median_ms": statistics.median(batch) * 1000, "queries": queries,
                                         "bare_ms": statistics.median(bare) * 1000, "bare_rows": rows,
                                         "pair_ratio": statistics.median(b / a for b, a in zip(batch, bare))}
    warn = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            t, n = in_rollback(lambda: tasks.warn_batch(now))
        warn.append(t)
    out["tasks"]["due-soon batch"] = {"rows": n, "median_ms": statistics.median(warn) * 1000,
                                      "queries": len(ctx.captured_queries)}
    from reports.kpis import compute, overdue_at_end_by_grid
    from reports.periods import Kind, last_complete

    month = last_complete(Kind.MONTH, now)
    streets = [c for c in Region.objects.filter(level=3).values_list("code", flat=True)] + ["2108"]
    kept, raw = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            compute(streets, month, now, registers=False)
            kept.append(time.perf_counter() - start)
        start = time.perf_counter()
        overdue_at_end_by_grid(month.end, now)
        raw.append(time.perf_counter() - start)
    out["tasks"][f"reports: {month.code} for the city's streets, overdue stock kept"] = {
        "rows": len(streets), "median_ms": statistics.median(kept) * 1000, "queries": len(ctx.captured_queries),
        "raw_ms": statistics.median(raw) * 1000}
    officer = User.objects.get(username="bench_street_officer")
    qs, _c, _e = case_list(officer, {})
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        with open(os.devnull, "wb") as sink:
            n = 0

            def counted():
                nonlocal n
                for row in case_rows(qs):
                    n += 1
                    yield row
            write_xlsx(counted(), sink)
    t = time.perf_counter() - start
    out["tasks"]["export of the street (.xlsx)"] = {"rows": n, "median_ms": t * 1000, "queries": len(ctx.captured_queries),
                                                    "rows_per_s": n / t}
    if explain:
        for username in ("bench_city_leader", "bench_street_officer", "bench_grid_worker"):
            user = User.objects.get(username=username)
            qs, _c, _e = case_list(user, {})
            plan = qs.order_by("-created_at", "-id")[:31].explain(analyze=True)
            out["explain"][f"{username} case list"] = plan
            to_verify, others = todo_sections(user)
            out["explain"][f"{username} 待办, 待核查 section"] = to_verify[:31].explain(analyze=True)
            out["explain"][f"{username} 待办, the rest"] = others[:31].explain(analyze=True)
            desk = desk_cases(user)
            out["explain"][f"{username} dispute desk, the page"] = desk.order_by(
                F("desk_risk").desc(nulls_first=True), F("deadline").asc(nulls_last=True), "pk").values("pk")[:31].explain(
                analyze=True)
    return out


class Child:
    """A `serve` process on one database."""

    def __init__(self, url: str, only: list[str] | None):
        env = {**os.environ, "DATABASE_URL": url}
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve", *(["--only", ",".join(only)] if only else [])],
                                     env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, **command) -> dict:
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the measuring process stopped (see its error above)")
        return json.loads(line)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 7
    only = sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv else None
    if "--serve" in sys.argv:
        serve(only)
        return
    tasks_too = "--no-tasks" not in sys.argv
    args = [a for a in args if not a.isdigit() and (only is None or a != ",".join(only))]
    small_child, big_child = Child(args[0], only), Child(args[-1], only)
    small, big = small_child.ask(count=1), big_child.ask(count=1)
    n_pages = small["pages"]
    small.update(pages=[], tasks={}), big.update(pages=[], tasks={})
    # Each page: a warm-up on both, then RUNS rounds of one request at each size, the order swapped
    # every round. The ratio is the median of the rounds' ratios: a load that comes and goes on this
    # shared machine lands on both sides of a round, not on one size's whole series.
    for i in range(n_pages):
        small_child.ask(page=i), big_child.ask(page=i)
        a_times, b_times, ratios = [], [], []
        for round_ in range(runs):
            pair = (small_child, big_child) if round_ % 2 == 0 else (big_child, small_child)
            first, second = (child.ask(page=i) for child in pair)
            a, b = (first, second) if round_ % 2 == 0 else (second, first)
            a_times.append(a["ms"]), b_times.append(b["ms"]), ratios.append(b["ms"] / a["ms"])
        username, label, _url = [p for p in PAGES if not only or any(word in p[1] for word in only)][i]
        for side, times, answer in ((small, a_times, a), (big, b_times, b)):
            side["pages"].append({"user": username, "label": label, "median_ms": statistics.median(times),
                                  "queries": answer["queries"], "ratio": statistics.median(ratios),
                                  "rows": answer["rows"]})
    if tasks_too:
        small.update(small_child.ask(tasks=1, runs=runs, explain=False))
        big.update(big_child.ask(tasks=1, runs=runs, explain="--explain" in sys.argv))
    small_child.close(), big_child.close()
    print(f"cases: {small['cases']:,} and {big['cases']:,} ({runs} rounds of one request at each size, alternating; "
          "medians, and the median of the rounds' ratios)\n")
    print(f"| user | page | ms at {small['cases']:,} | ms at {big['cases']:,} | ratio | queries | rows shown |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for a, b in zip(small["pages"], big["pages"]):
        q = f"{a['queries']}" if a["queries"] == b["queries"] else f"{a['queries']} / {b['queries']}"
        print(f"| {a['user'].removeprefix('bench_')} | {a['label']} | {a['median_ms']:.1f} | {b['median_ms']:.1f} | "
              f"{b['ratio']:.2f}× | {q} | {a['rows']} / {b['rows']} |")
    if not small["tasks"]:
        return
    print(f"\n| task | at {small['cases']:,} | at {big['cases']:,} | queries |")
    print("|---|---|---|---:|")
    for name in small["tasks"]:
        a, b = small["tasks"][name], big["tasks"][name]

        def fmt(t):
            s = f"{t['rows']:,} rows, {t['median_ms']:.1f} ms"
            if "bare_ms" in t:
                s += (f" (bare UPDATE {t['bare_ms']:.1f} ms: {t['median_ms'] / t['bare_ms']:.1f}× the medians, "
                      f"{t['pair_ratio']:.1f}× the median pair)")
            if "raw_ms" in t:
                s += f" (counted on the raw rows: {t['raw_ms']:.1f} ms)"
            if "rows_per_s" in t:
                s += f", {t['rows_per_s']:,.0f} rows/s"
            return s
        q = f"{a['queries']}" if a["queries"] == b["queries"] else f"{a['queries']} / {b['queries']}"
        print(f"| {name} | {fmt(a)} | {fmt(b)} | {q} |")
    for name, plan in big.get("explain", {}).items():
        print(f"\n### EXPLAIN ANALYZE at {big['cases']:,}: {name}\n{plan}")


if __name__ == "__main__":
    main()

"""Case benchmark: N cases across the demo district, then time the scoped list, the to-do queue,
the Excel export and the supervision task. Run on a scratch database:

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE gridgov_bench_cases"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gridgov_bench_cases python bench/bench_cases.py 100000

Figures (2026-11-23, PostgreSQL on the shared 2-core CI box under load from other runs, 100,000 cases
over the 279 demo grids, 30 % open):
    /cases/ first page: street officer 0.23 s, district centre 0.76 s, grid worker 0.16 s
    /cases/?overdue=1: 0.07–0.34 s;  /cases/todo/: 0.22–0.44 s
    export.xlsx of a whole street (~12,500 rows, 1.1 MB): 13.4 s, 10 queries
    supervise_overdue_cases, first run with 15,081 cases overdue at once: 290 s (~19 ms a case);
    second run: 0.8 s, nothing changed (idempotent)
"""

from __future__ import annotations

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
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from disputes.models import Case, Category, Status  # noqa: E402
from disputes.tasks.cases import supervise_overdue_cases  # noqa: E402
from governance.models import Region, User  # noqa: E402
from governance.roles import Level  # noqa: E402


def timed(label, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label:<48} {time.perf_counter() - start:8.3f} s")
    return result


def main(n: int) -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    grids = list(Region.objects.filter(level=Level.GRID).values_list("code", flat=True))
    cats = list(Category.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    filer = User.objects.get(username="grid_worker")
    have = Case.objects.count()
    if have < n:
        rng = random.Random(1)
        now = timezone.now()
        statuses = [Status.REPORTED, Status.ACCEPTED, Status.ASSIGNED, Status.HANDLED] + [Status.CLOSED] * 6
        rows = []
        for i in range(n - have):
            st = rng.choice(statuses)
            created = now - timedelta(minutes=rng.randint(0, 365 * 24 * 60))
            rows.append(Case(
                category_id=rng.choice(cats), grid_id=rng.choice(grids), title=f"压测事件{i}", description="压测",
                filer=filer, status=st, created_at=created,
                deadline=(now + timedelta(hours=rng.randint(-72, 120))) if st != Status.CLOSED else None,
                closed_at=created if st == Status.CLOSED else None,
            ))
        timed(f"bulk insert {len(rows)} cases", lambda: Case.objects.bulk_create(rows, batch_size=5000))
    print(f"cases in database: {Case.objects.count()}")
    client = Client()
    for username in ("street_officer", "district_centre", "grid_worker"):
        client.force_login(User.objects.get(username=username))
        timed(f"{username}: /cases/ first page", lambda: client.get("/cases/"))
        timed(f"{username}: /cases/?overdue=1", lambda: client.get("/cases/?overdue=1"))
        timed(f"{username}: /cases/todo/", lambda: client.get("/cases/todo/"))
    client.force_login(User.objects.get(username="street_officer"))
    r = timed("street_officer: export.xlsx (whole street)", lambda: client.get("/cases/export.xlsx"))
    size = sum(len(c) for c in r.streaming_content)
    print(f"  export size {size / 1e6:.1f} MB")
    res = timed("supervise_overdue_cases (first run)", supervise_overdue_cases)
    print(f"  {res}")
    res = timed("supervise_overdue_cases (second run, idempotent)", supervise_overdue_cases)
    print(f"  {res}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

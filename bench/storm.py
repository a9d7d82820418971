"""A busy morning and three faults, on loopback against the production setup (issue 19).

    python bench/storm.py [--duration 120] [--phases load,redis,worker,postgres] [--max-requests 60000]

Starts its own PostgreSQL 15 cluster (initdb + pg_ctl, in --workdir, port --pg-port) and its own
redis-server (port --redis-port, append-only file on: a broker keeps what it was given), migrates,
seeds the demo city (seed_demo: 279 grids, 550 grid workers sharing the demo password) plus 19 more
street officers (so that 20 officers work the queue), collects the static files and serves them with
hashed names, then starts gunicorn (governance.wsgi, 2 × cores + 1 workers, GRIDGOV_PRODUCTION=1:
DEBUG off, its own SECRET_KEY and personal-data keys), a Celery worker and beat on that Redis.
Every process it started is stopped at the end, whatever happened.

The load is Locust (bench/storm_locustfile.py; its own virtualenv, bench/requirements.txt, made at
the first run), headless, each simulated user signed in through the sign-in form as its own account.

Phases (each selectable; each prints PASS or FAIL with its evidence; the exit code is 1 if any failed):

- baseline (first, unless only the worker phase runs): one grid worker and one officer doing the same pages, for the figures
  of the same pages unloaded in the same run.
- sign-in (next, likewise): all 220 users sign in through the form, --signin-rate a second (the password
  hash, PBKDF2, is most of a sign-in's cost); every later phase goes on with these sessions, so its
  figures are the working pages, not the sign-in storm.
- load: 200 grid workers (wg0002…wg0201, one grid each) file cases with a photo, read their 待办 and
  add notes; 20 officers accept and assign; --think seconds between a user's tasks. Requests/s, p50/p95/p99 per page, errors; then in the
  database: every filing answered with success is stored exactly once with its photo and its
  timeline, every note answered with success is on its timeline, and no request got a 5xx.
- redis: the same load, officers also asking for exports big enough to go to a worker
  (GRIDGOV_EXPORT_INLINE_ROWS=20); Redis is stopped for --redis-outage seconds in the middle and
  started again. Pages must keep working (no 5xx), and every export asked for must be written once
  (one `case.export` audit row per job) once Redis is back.
- worker: the Celery worker (its whole process group) is killed with SIGKILL while the monthly report
  cycle's transaction is open (seen in pg_stat_activity), and again in the middle of a big roster
  import (--import-rows residents, GBK CSV); it is restarted. The cycle must complete by itself with
  exactly one snapshot per node; the import must finish, or say where it stopped, with no batch half
  written (residents written = the sum of the batches' audit rows).
- postgres: the same load; PostgreSQL is stopped for --pg-outage seconds and started again. Requests
  during the outage must be 503 (a page, not a traceback; probed directly too), the app must serve
  again within --reconnect-grace seconds of the restart with no help, and every write answered with
  success must be in the database.

Not run by CI: `pytest` never collects it (the faults' smaller checks are tests of their own).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PY = sys.executable
WORKERS = [f"wg{i:04d}" for i in range(2, 202)]  # the demo's grid workers with a grid of their own each
EXTRA_OFFICERS = 19
TITLE_PREFIX = "压测上报 "
OK_STATUSES = (200, 302)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


# ---------------------------------------------------------------- the stack


class Stack:
    """PostgreSQL, Redis, gunicorn, the Celery worker and beat, each started here and stopped here."""

    def __init__(self, args):
        self.args = args
        self.base = Path(args.workdir)
        self.pgdata = self.base / "data"
        self.sock = self.base / "sock"
        self.logs = self.base / "logs"
        self.out = self.base / "out"
        self.var = self.base / "var"
        self.procs: dict[str, subprocess.Popen] = {}
        self.pg_started = False
        self.origin = f"https://127.0.0.1:{args.port}"
        self.url = f"http://127.0.0.1:{args.port}"
        pii_key = base64.urlsafe_b64encode(os.urandom(32)).decode()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("GRIDGOV_", "DJANGO_", "CELERY_"))},
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{args.pg_port}/gg_storm",
            "REDIS_URL": f"redis://127.0.0.1:{args.redis_port}/0",
            "GRIDGOV_PRODUCTION": "1",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": self.origin,
            "GRIDGOV_PII_KEY": pii_key,
            "GRIDGOV_PII_HASH_KEY": secrets.token_urlsafe(32),
            "GRIDGOV_VAR_DIR": str(self.var),
            "GRIDGOV_STATIC_MANIFEST": "1",
            "GRIDGOV_TRUSTED_PROXIES": "1",  # the bench is the reverse proxy: each user has its own address
            "GRIDGOV_EXPORT_INLINE_ROWS": "20",  # the officers' exports go to the worker
            "DJANGO_SETTINGS_MODULE": "governance.settings",
            "PYTHONUNBUFFERED": "1",
        }

    # PostgreSQL runs as the postgres account (it refuses root); trust on loopback, its own socket dir.
    def _as_postgres(self, *cmd: str, check: bool = True, capture: bool = False) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*prefix, *cmd], check=check, capture_output=capture, text=True)

    def fresh(self) -> None:
        if self.pgdata.exists():
            self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.pgdata), "stop", "-m", "immediate", check=False,
                              capture=True)
        shutil.rmtree(self.base, ignore_errors=True)
        for d in (self.pgdata, self.sock, self.logs, self.out, self.var, self.base / "redis"):
            d.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.pgdata, "postgres", "postgres")
            shutil.chown(self.sock, "postgres", "postgres")
            shutil.chown(self.logs, "postgres", "postgres")
            self.logs.chmod(0o777)
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.pgdata), "-U", "postgres", "--auth=trust",
                          "-E", "UTF8", "--locale=C.UTF-8", capture=True)

    def start_postgres(self) -> None:
        opts = f"-p {self.args.pg_port} -k {self.sock} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.pgdata), "-l", str(self.logs / "postgres.log"),
                          "-o", opts, "-w", "start", capture=True)
        self.pg_started = True

    def stop_postgres(self, mode: str = "fast") -> None:
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.pgdata), "-m", mode, "-w", "stop", check=False,
                          capture=True)
        self.pg_started = False

    def psql(self, sql: str) -> str:
        return subprocess.run([shutil.which("psql") or "psql", "-h", "127.0.0.1", "-p", str(self.args.pg_port), "-U",
                               "postgres", "-Atc", sql], check=True, capture_output=True, text=True).stdout

    def start_redis(self) -> None:
        self.procs["redis"] = subprocess.Popen(
            ["redis-server", "--port", str(self.args.redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--appendfsync", "everysec", "--dir", str(self.base / "redis"),
             "--logfile", str(self.logs / "redis.log")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(self.args.redis_port), "ping"], capture_output=True,
                              text=True).stdout.strip() == "PONG":
                return
            time.sleep(0.1)
        raise SystemExit("redis-server did not start")

    def stop_redis(self) -> None:
        self._stop("redis")

    def manage(self, *cmd: str, production: bool = True) -> None:
        env = dict(self.env)
        if not production:  # seed_demo refuses production (its accounts share a published password)
            env.pop("GRIDGOV_PRODUCTION")
            env["GRIDGOV_DEBUG"] = "0"
        subprocess.run([PY, "manage.py", *cmd], cwd=ROOT, env=env, check=True,
                       stdout=open(self.logs / "setup.log", "a"), stderr=subprocess.STDOUT)

    def _spawn(self, name: str, cmd: list[str], logfile: str) -> subprocess.Popen:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=open(self.logs / logfile, "a"),
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        return proc

    def start_web(self) -> None:
        workers = 2 * (os.cpu_count() or 1) + 1
        self._spawn("gunicorn", [str(Path(PY).parent / "gunicorn"), "governance.wsgi", "--workers", str(workers),
                                 "--bind", f"127.0.0.1:{self.args.port}", "--graceful-timeout", "30", "--timeout", "120",
                                 "--access-logfile", str(self.logs / "access.log")], "gunicorn.log")
        deadline = time.time() + 60
        while time.time() < deadline:
            if probe(self.url + "/healthz")[0] in (200, 503):
                return
            time.sleep(0.3)
        raise SystemExit("gunicorn did not answer /healthz within 60 s (see logs/gunicorn.log)")

    def start_worker(self) -> None:
        logfile = self.logs / "worker.log"
        start = logfile.stat().st_size if logfile.exists() else 0
        self._spawn("worker", [PY, "-m", "celery", "-A", "governance", "worker", "--loglevel=INFO",
                               "-n", "storm@%h"], "worker.log")
        deadline = time.time() + 60
        while time.time() < deadline:
            with open(logfile, encoding="utf-8", errors="replace") as fh:
                fh.seek(start)
                if " ready." in fh.read():
                    return
            time.sleep(0.3)
        raise SystemExit("the Celery worker did not report ready within 60 s (see logs/worker.log)")

    def start_beat(self) -> None:
        self._spawn("beat", [PY, "-m", "celery", "-A", "governance", "beat", "--loglevel=INFO",
                             "--schedule", str(self.var / "beat-schedule")], "beat.log")

    def kill_worker(self) -> None:
        """SIGKILL to the worker's whole process group: the parent and its pool's children at once."""
        proc = self.procs.pop("worker")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def _stop(self, name: str, timeout: float = 20) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        try:
            if name == "redis":
                proc.terminate()
            else:
                os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            try:
                os.killpg(proc.pid, signal.SIGKILL) if name != "redis" else proc.kill()
            except ProcessLookupError:
                pass
            proc.wait()

    def stop_all(self) -> None:
        for name in ("locust", "gunicorn", "beat", "worker", "redis"):
            self._stop(name)
        if self.pg_started or self.pgdata.exists():
            self.stop_postgres()


def cpu_seconds(stack: Stack) -> dict[str, float]:
    """CPU seconds used so far by each part (user + system, from /proc): gunicorn's and Locust's
    process groups, PostgreSQL's postmaster and its backends. A steadier figure than latency on a
    shared machine: what a request costs, not how long it waited for a core."""
    tick = os.sysconf("SC_CLK_TCK")
    groups = {proc.pid: name for name, proc in stack.procs.items() if name in ("gunicorn", "locust", "worker")}
    try:
        postmaster = int((stack.pgdata / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        postmaster = -1
    used: dict[str, float] = defaultdict(float)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ppid, pgrp, utime, stime = int(fields[1]), int(fields[2]), int(fields[11]), int(fields[12])
        pid = int(entry.name)
        name = groups.get(pgrp) or ("postgres" if postmaster in (pid, ppid) else None)
        if name:
            used[name] += (utime + stime) / tick
            if pid == postmaster:  # with the backends that have exited (the postmaster waited for them)
                used[name] += (int(fields[13]) + int(fields[14])) / tick
    return dict(used)


def cpu_line(before: dict[str, float], after: dict[str, float], seconds: float, requests: int) -> str:
    parts = [f"{name} {after.get(name, 0) - before.get(name, 0):.0f}" for name in ("gunicorn", "postgres", "locust",
                                                                                  "worker")]
    web = after.get("gunicorn", 0) - before.get("gunicorn", 0)
    return (f"CPU seconds in {seconds:.0f} s ({os.cpu_count()} cores = {seconds * (os.cpu_count() or 1):.0f} CPU s): "
            + ", ".join(parts) + f"; gunicorn {1000 * web / max(requests, 1):.0f} CPU ms a request")


def probe(url: str, cookie: str = "", timeout: float = 10) -> tuple[int, str]:
    """GET as the reverse proxy would pass it on (https, a client address); (status, body), 0 if no answer."""
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.255.0.1"}
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(url, headers=headers)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=timeout) as r:
            return r.status, r.read(4000).decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read(4000).decode("utf-8", "replace")
    except OSError:
        return 0, ""


# ---------------------------------------------------------------- seeding (bench only)


def seed_officers() -> list[str]:
    """19 street officers besides the demo's street_officer, spread over the district's 8 streets;
    with the demo password, as seed_demo_city creates its accounts (one audit row)."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password

    from governance.actions import record_audit
    from governance.models import Region, RoleAssignment, User
    from governance.roles import Level, Role

    streets = list(Region.objects.filter(level=Level.STREET).order_by("code").values_list("code", flat=True))
    password = make_password(settings.DEMO_PASSWORD)
    names = [f"storm_officer{i:02d}" for i in range(1, EXTRA_OFFICERS + 1)]
    User.objects.bulk_create([User(username=u, name=f"压测街道干部{u[-2:]}", password=password) for u in names],
                             ignore_conflicts=True)
    ids = dict(User.objects.filter(username__in=names).values_list("username", "id"))
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user_id=ids[u], role=Role.STREET_OFFICER, region_id=streets[(i + 1) % len(streets)])
         for i, u in enumerate(names)], ignore_conflicts=True)
    record_audit(actor=None, action="demo.seed", target=Region.objects.get(code=streets[0][:4]),
                 region_code=streets[0][:4], detail={"bench": "storm", "officers": len(names)})
    return ["street_officer", *names]


def check_workers() -> None:
    from governance.models import RoleAssignment
    from governance.roles import Role

    grids = defaultdict(list)
    for username, grid in RoleAssignment.objects.filter(user__username__in=WORKERS, role=Role.GRID_WORKER).values_list(
            "user__username", "region_id"):
        grids[username].append(grid)
    assert len(grids) == len(WORKERS) and all(len(g) == 1 for g in grids.values()), "each bench worker has one grid"
    assert len({g[0] for g in grids.values()}) == len(WORKERS), "the bench workers' grids are distinct"


def make_photo(path: Path) -> None:
    """A phone-sized photo (1600 × 1200 JPEG, some texture so that it does not compress to nothing)."""
    import random

    from PIL import Image, ImageDraw

    rng = random.Random(19)
    image = Image.new("RGB", (1600, 1200), (120, 140, 110))
    draw = ImageDraw.Draw(image)
    for _ in range(1500):
        x, y = rng.randrange(1600), rng.randrange(1200)
        draw.rectangle([x, y, x + rng.randrange(5, 80), y + rng.randrange(5, 80)],
                       fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    image.save(path, "JPEG", quality=85)


# ---------------------------------------------------------------- load


def locust_bin(args) -> str:
    venv = Path(args.locust_venv)
    binary = venv / "bin" / "locust"
    if not binary.exists():
        log(f"making Locust's virtualenv in {venv} (bench/requirements.txt)")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "-r", str(ROOT / "bench" / "requirements.txt")],
                       check=True)
    return str(binary)


def start_locust(stack: Stack, phase: str, seconds: int, workers: list[str], officers: list[str], *,
                 wait: str = "", exports: bool = False, spawn_rate: int = 20, signin_only: bool = False
                 ) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRIDGOV_", "DJANGO_"))}
    env.update({
        "STORM_ORIGIN": stack.origin, "STORM_RECORDS": str(stack.out / f"records-{phase}.jsonl"),
        "STORM_SESSIONS": str(stack.out / "sessions.jsonl"), "STORM_PASSWORD": stack.password,
        "STORM_WORKERS": ",".join(workers), "STORM_OFFICERS": ",".join(officers),
        "STORM_PHOTO": str(stack.out / "photo.jpg"), "STORM_MAX_REQUESTS": str(stack.args.max_requests),
        "STORM_EXPORTS": "1" if exports else "", "STORM_WAIT": wait or stack.args.think, "STORM_PHASE": phase,
        "STORM_SIGNIN_ONLY": "1" if signin_only else "",
    })
    users = len(workers) + len(officers)
    cmd = [stack.locust, "-f", str(ROOT / "bench" / "storm_locustfile.py"), "--headless", "-u", str(users),
           "-r", str(spawn_rate), "-t", f"{seconds}s", "--host", stack.url, "--only-summary", "--stop-timeout", "15",
           "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(stack.logs / f"locust-{phase}.log", "w"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    stack.procs["locust"] = proc
    return proc


def wait_locust(stack: Stack, proc: subprocess.Popen, seconds: int) -> None:
    try:
        proc.wait(seconds + 60)
    except subprocess.TimeoutExpired:
        log("Locust overran its time by a minute: stopped")
    stack._stop("locust")


def read_records(stack: Stack, phase: str) -> list[dict]:
    path = stack.out / f"records-{phase}.jsonl"
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(p / 100 * len(values) + 0.5)) - 1))]


def classify(status: int) -> str:
    if status == 0:
        return "no answer"
    if status >= 500:
        return str(status)
    if status == 409:
        return "409"
    if status in OK_STATUSES:
        return "ok"
    return str(status)


def page_table(requests: list[dict]) -> dict[str, dict]:
    by_name: dict[str, list[dict]] = defaultdict(list)
    for r in requests:
        by_name[r["name"]].append(r)
    table = {}
    for name, rows in sorted(by_name.items()):
        ms = [r["ms"] for r in rows if r["status"]]
        kinds = Counter(classify(r["status"]) for r in rows)
        table[name] = {"n": len(rows), "p50": pct(ms, 50), "p95": pct(ms, 95), "p99": pct(ms, 99),
                       "ok": kinds.pop("ok", 0), "409": kinds.pop("409", 0), "other": dict(kinds)}
    return table


def print_table(title: str, table: dict[str, dict], seconds: float, baseline: dict[str, dict] | None = None) -> None:
    total = sum(row["n"] for row in table.values())
    print(f"\n{title}: {total} requests in {seconds:.0f} s = {total / max(seconds, 1):.1f} requests/s")
    head = f"{'page':44} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'409':>5}  errors"
    if baseline:
        head += "   p50 / 1-user p50"
    print(head)
    for name, row in table.items():
        errors = ", ".join(f"{k}: {v}" for k, v in sorted(row["other"].items())) or "-"
        line = (f"{name:44} {row['n']:>6} {row['p50']:>8.0f} {row['p95']:>8.0f} {row['p99']:>8.0f} {row['409']:>5}  "
                f"{errors}")
        if baseline and name.replace(" (officer)", "") in {k.replace(" (officer)", "") for k in baseline}:
            base = baseline.get(name) or baseline.get(name.replace(" (officer)", ""))
            if base and base["p50"] == base["p50"] and base["p50"] > 0:
                line += f"   {row['p50'] / base['p50']:.1f}×"
        print(line)


# ---------------------------------------------------------------- checks in the database


def db_fresh() -> None:
    from django.db import connections

    connections.close_all()


def check_writes(records: list[dict]) -> tuple[bool, list[str]]:
    """Every write answered with success is in the database, once, with what belongs to it."""
    db_fresh()
    from disputes.models import Case, CaseEvent, CasePhoto

    lines, ok = [], True
    files = [r for r in records if r["kind"] == "file"]
    answered = {r["token"]: r for r in files if r["status"] == 302 and r.get("pk")}
    unanswered = {r["token"]: r for r in files if r["token"] not in answered}
    stored = defaultdict(list)
    for pk, title in Case.objects.filter(title__startswith=TITLE_PREFIX).values_list("pk", "title"):
        stored[title[len(TITLE_PREFIX):]].append(pk)
    pks = [pk for token in answered for pk in stored.get(token, [])]
    photos = defaultdict(list)
    for case_id, name in CasePhoto.objects.filter(case_id__in=pks, kind=CasePhoto.Kind.REPORT).values_list("case_id",
                                                                                                           "image"):
        photos[case_id].append(name)
    from django.conf import settings

    media = Path(settings.MEDIA_ROOT)
    filed_events = Counter(CaseEvent.objects.filter(case_id__in=pks, action=CaseEvent.Action.FILE)
                           .values_list("case_id", flat=True))
    missing = [t for t in answered if not stored.get(t)]
    twice = [t for t in answered if len(stored.get(t, [])) > 1]
    wrong_pk = [t for t in answered if len(stored.get(t, [])) == 1 and stored[t][0] != answered[t]["pk"]]
    no_photo = [t for t in answered if stored.get(t) and not photos.get(stored[t][0])]
    photo_gone = [t for t in answered if stored.get(t) and photos.get(stored[t][0])
                  and not all((media / n).is_file() for n in photos[stored[t][0]])]
    no_timeline = [t for t in answered if stored.get(t) and filed_events[stored[t][0]] != 1]
    stored_anyway = [t for t in unanswered if stored.get(t)]
    lines.append(f"filings answered with success: {len(answered)}; stored exactly once: "
                 f"{len(answered) - len(missing) - len(twice)}; missing: {len(missing)}; twice or more: {len(twice)}; "
                 f"another id than answered: {len(wrong_pk)}")
    lines.append(f"  with their photo row: {len(answered) - len(missing) - len(no_photo)}, photo file on disk: "
                 f"{len(answered) - len(missing) - len(no_photo) - len(photo_gone)}; with exactly one 上报 timeline "
                 f"event: {len(answered) - len(missing) - len(no_timeline)}")
    lines.append(f"filings not answered with success (status {dict(Counter(r['status'] for r in unanswered.values()))}): "
                 f"{len(unanswered)}, of which stored anyway: {len(stored_anyway)}")
    if missing or twice or wrong_pk or no_photo or photo_gone or no_timeline:
        ok = False
        lines.append(f"  e.g. missing {missing[:3]} twice {twice[:3]} no photo {no_photo[:3]} "
                     f"file gone {photo_gone[:3]} timeline {no_timeline[:3]}")
    comments = [r for r in records if r["kind"] == "comment" and r["status"] == 302]
    notes = CaseEvent.objects.filter(action=CaseEvent.Action.COMMENT, note__contains="压测 ").values_list("case_id",
                                                                                                         "note")
    seen = Counter()
    for case_id, note in notes:
        m = re.search(r"压测 ([0-9a-f]{16})", note)
        if m:
            seen[(case_id, m.group(1))] += 1
    lost = [r for r in comments if seen[(r["pk"], r["token"])] != 1]
    lines.append(f"notes answered with success: {len(comments)}; on their case's timeline exactly once: "
                 f"{len(comments) - len(lost)}")
    ok &= not lost
    from governance.models import User

    ids = dict(User.objects.values_list("username", "id"))
    for kind, action in (("accept", CaseEvent.Action.ACCEPT), ("assign", CaseEvent.Action.ASSIGN)):
        done = [r for r in records if r["kind"] == kind and r["status"] == 302]
        have = set(CaseEvent.objects.filter(action=action, case_id__in=[r["pk"] for r in done])
                   .values_list("case_id", "actor_id"))
        lost = [r for r in done if (r["pk"], ids.get(r["user"])) not in have]
        conflicts = sum(1 for r in records if r["kind"] == kind and r["status"] == 409)
        lines.append(f"{kind} answered with success: {len(done)}, on the timeline: {len(done) - len(lost)}; "
                     f"answered 409 (someone else acted first): {conflicts}")
        ok &= not lost
    return ok, lines


def five_xx(requests: list[dict]) -> Counter:
    return Counter(r["status"] for r in requests if r["status"] >= 500)


# ---------------------------------------------------------------- phases


class Report:
    def __init__(self):
        self.results: list[tuple[str, bool, list[str]]] = []

    def add(self, name: str, ok: bool, lines: list[str]) -> None:
        self.results.append((name, ok, lines))
        print(f"\n== {name}: {'PASS' if ok else 'FAIL'}")
        for line in lines:
            print("   " + line)


def run_baseline(stack: Stack, officers: list[str]) -> dict:
    log("baseline: 1 grid worker + 1 officer, 25 s")
    for _ in range(4 * (2 * (os.cpu_count() or 1) + 1)):  # each gunicorn worker's first requests import and warm up
        probe(stack.url + "/login/")
    seconds = 25
    cpu0 = cpu_seconds(stack)
    proc = start_locust(stack, "baseline", seconds, [WORKERS[-1]], [officers[-1]], wait="0.5,1.5", spawn_rate=2)
    wait_locust(stack, proc, seconds)
    requests = [r for r in read_records(stack, "baseline") if r["kind"] == "request"]
    table = page_table(requests)
    print_table(f"baseline (1 grid worker + 1 officer; load average {os.getloadavg()[0]:.1f})", table, seconds)
    print(cpu_line(cpu0, cpu_seconds(stack), seconds, len(requests)))
    return table


def signed_in_users(stack: Stack) -> set[str]:
    try:
        with open(stack.out / "sessions.jsonl", encoding="utf-8") as fh:
            return {json.loads(line)["user"] for line in fh if line.strip()}
    except FileNotFoundError:
        return set()


def run_signin(stack: Stack, report: Report, officers: list[str]) -> None:
    """The first thing of the morning: every user signs in (the password hash is the cost), at
    --signin-rate users a second; the later phases go on with these sessions."""
    users = set(WORKERS) | set(officers)
    rate = stack.args.signin_rate
    limit = int(len(users) / rate) + 90
    log(f"sign-in: {len(users)} users signing in, {rate} a second (at most {limit} s)")
    t0 = time.time()
    proc = start_locust(stack, "signin", limit, WORKERS, officers, spawn_rate=rate, signin_only=True)
    while time.time() - t0 < limit and proc.poll() is None and not users <= signed_in_users(stack):
        time.sleep(1)
    elapsed = time.time() - t0
    stack._stop("locust")
    records = read_records(stack, "signin")
    requests = [r for r in records if r["kind"] == "request"]
    table = page_table(requests)
    print_table(f"sign-in ({len(users)} users, {rate} a second)", table, elapsed, stack.tables.get("baseline"))
    missing = users - signed_in_users(stack)
    refused = [r for r in records if r["kind"] == "signin"]
    lines = [f"{len(users) - len(missing)} of {len(users)} signed in within {elapsed:.0f} s; refused: {len(refused)} "
             f"({dict(Counter(r['status'] for r in refused)) or '-'}); 5xx: {dict(five_xx(requests)) or 0}"]
    report.add("sign-in", not missing and not refused and not five_xx(requests), lines)
    stack.tables["signin"] = table


def run_load(stack: Stack, report: Report, officers: list[str], baseline: dict) -> None:
    seconds = stack.args.duration
    log(f"load: {len(WORKERS)} grid workers + {len(officers)} officers for {seconds} s")
    load_before = os.getloadavg()[0]
    t0 = time.time()
    proc = start_locust(stack, "load", seconds, WORKERS, officers)
    cpu0 = cpu_seconds(stack)
    time.sleep(max(0, seconds - 2))
    cpu1 = cpu_seconds(stack)
    wait_locust(stack, proc, seconds)
    elapsed = time.time() - t0
    records = read_records(stack, "load")
    requests = [r for r in records if r["kind"] == "request"]
    table = page_table(requests)
    print_table(f"load ({len(WORKERS)} grid workers + {len(officers)} officers, {stack.args.think} s between a "
                f"user's tasks; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after)",
                table, elapsed, baseline)
    print(cpu_line(cpu0, cpu1, max(0, seconds - 2), len(window(requests, t0, t0 + seconds - 2))))
    ok, lines = check_writes(records)
    bad = five_xx(requests)
    no_answer = sum(1 for r in requests if r["status"] == 0)
    signins = [r for r in records if r["kind"] == "signin"]
    lines.insert(0, f"{len(requests)} requests, 5xx: {dict(bad) or 0}, no answer: {no_answer}, "
                    f"sign-ins refused: {len(signins)}")
    report.add("load", ok and not bad and not no_answer and not signins, lines)
    stack.tables["load"] = table


def window(requests: list[dict], t0: float, t1: float) -> list[dict]:
    return [r for r in requests if t0 <= r["t"] < t1]


def describe(requests: list[dict]) -> str:
    kinds = Counter(classify(r["status"]) for r in requests)
    return f"{len(requests)} requests: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common())


def run_redis(stack: Stack, report: Report, officers: list[str]) -> None:
    db_fresh()
    from disputes.models import ExportJob
    from governance.models import AuditEvent

    outage, before, after = stack.args.redis_outage, 15, 30
    seconds = before + outage + after
    first_job = (ExportJob.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    log(f"redis: load for {seconds} s, Redis stopped from {before} s for {outage} s")
    proc = start_locust(stack, "redis", seconds, WORKERS, officers, exports=True)
    time.sleep(before)
    t_down = time.time()
    stack.stop_redis()
    log("redis: stopped")
    time.sleep(outage)
    stack.start_redis()
    t_up = time.time()
    log("redis: started again")
    wait_locust(stack, proc, seconds)
    deadline = time.time() + stack.args.redeliver_wait
    db_fresh()
    while time.time() < deadline and ExportJob.objects.filter(pk__gte=first_job).exclude(
            status__in=[ExportJob.Status.DONE, ExportJob.Status.FAILED]).exists():
        time.sleep(2)
    records = read_records(stack, "redis")
    requests = [r for r in records if r["kind"] == "request"]
    during = window(requests, t_down, t_up)
    lines = [f"before the stop: {describe(window(requests, 0, t_down))}",
             f"while Redis was down ({outage} s): {describe(during)}",
             f"after it was back: {describe(window(requests, t_up, 1e12))}"]
    per_page = page_table(during)
    for name, row in per_page.items():
        if row["other"]:
            lines.append(f"  down: {name}: ok {row['ok']}, {row['other']}")
    jobs = list(ExportJob.objects.filter(pk__gte=first_job).values_list("pk", "status", "created_at"))
    runs = Counter(int(t) for t in AuditEvent.objects.filter(action="case.export", target_id__in=[str(j[0]) for j in jobs])
                   .values_list("target_id", flat=True))
    asked = [r for r in records if r["kind"] == "export"]
    statuses = Counter(s for _pk, s, _at in jobs)
    down_jobs = [pk for pk, _s, at in jobs if t_down <= at.timestamp() < t_up]
    lines.append(f"exports asked: {len(asked)} (answered {dict(Counter(r['status'] for r in asked))}); jobs written "
                 f"to the database: {len(jobs)} ({dict(statuses)}), {len(down_jobs)} of them while Redis was down")
    never = [pk for pk, s, _at in jobs if runs[pk] == 0]
    twice = [pk for pk, _s, _at in jobs if runs[pk] > 1]
    lines.append(f"export tasks run (one case.export audit row each): once {sum(1 for j in jobs if runs[j[0]] == 1)}, "
                 f"never {len(never)}, twice or more {len(twice)}; jobs left queued: "
                 f"{sum(1 for j in jobs if j[1] == ExportJob.Status.QUEUED)}")
    if never:
        lines.append(f"  never run: {never[:10]} (asked while Redis was down: "
                     f"{sum(1 for pk in never if pk in down_jobs)})")
    ok_writes, write_lines = check_writes(records)
    lines += write_lines
    bad = five_xx(requests)
    failed_down = sum(1 for r in during if classify(r["status"]) not in ("ok", "409"))
    lines.insert(0, f"5xx in the whole phase: {dict(bad) or 0}; requests that failed while Redis was down: "
                    f"{failed_down} of {len(during)}")
    ok = not bad and not never and not twice and ok_writes and failed_down == 0
    report.add("redis", ok, lines)


def _pg_activity(cursor, tables: str) -> list[tuple]:
    """Transactions open now whose last statement touched one of `tables` (a regular expression)."""
    cursor.execute("SELECT pid, state, left(query, 120) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                   "AND xact_start IS NOT NULL AND query ~ %s", [f'"({tables})"'])
    return cursor.fetchall()


def went_live_in(period) -> None:
    """The bench's database is a day old, but a city whose monthly cycle runs has been live for the
    whole month: one audit row dated the month's second day says so, as if the platform went live
    then, so that the catch-up at worker start looks at the month as it would in production (it
    skips periods before the first audit row). Appended like any audit row; only its time is set."""
    from datetime import timedelta

    from governance.actions import record_audit
    from governance.models import AuditEvent

    field = AuditEvent._meta.get_field("at")
    moment = period.start + timedelta(days=1)
    saved = field.default
    field.__dict__.pop("_get_default", None)  # Field caches its default's callable
    field.default = lambda: moment
    try:
        record_audit(actor=None, action="bench.went_live", target_type="bench", target_id="storm",
                     detail={"bench": "storm", "why": "the platform is taken to have been live since this day"})
    finally:
        field.default = saved
        field.__dict__.pop("_get_default", None)


def run_worker(stack: Stack, report: Report) -> None:
    db_fresh()
    from django.db import connection
    from django.db.models import Count

    from governance.celery import app
    from governance.models import Region
    from reports.models import CycleRun, Snapshot
    from reports.periods import Kind, last_complete

    nodes = Region.objects.count()
    lines: list[str] = []
    ok = True
    # --- the monthly cycle
    period = last_complete(Kind.MONTH)
    went_live_in(period)
    worker_log = stack.logs / "worker.log"
    killed_at = None
    for attempt in range(3):
        app.send_task("reports.tasks.run_monthly_cycle")
        deadline = time.time() + 60
        with connection.cursor() as cursor:
            while time.time() < deadline:
                seen = _pg_activity(cursor, "reports_cyclerun|reports_snapshot|reports_restatement")
                if seen:
                    stack.kill_worker()
                    killed_at = seen
                    break
                if CycleRun.objects.filter(period=period.code, root="", finished_at__isnull=False).exists():
                    break
                time.sleep(0.003)
        if killed_at:
            break
        log(f"worker: the cycle finished before it could be killed (attempt {attempt + 1}); again")
        Snapshot.objects.filter(period=period.code).delete()
        CycleRun.objects.filter(period=period.code).delete()
    if not killed_at:
        report.add("worker: monthly cycle", False, ["the cycle never ran long enough to be killed mid-transaction"])
    else:
        db_fresh()
        after_kill = Snapshot.objects.filter(period=period.code).count()
        log(f"worker: killed mid-cycle ({killed_at[0][1]}: {killed_at[0][2][:60]}…); restarting it")
        t_restart = time.time()
        log_from = worker_log.stat().st_size
        stack.start_worker()
        deadline = time.time() + stack.args.redeliver_wait
        done = False
        while time.time() < deadline:
            db_fresh()
            if CycleRun.objects.filter(period=period.code, root="", finished_at__isnull=False).exists():
                done = True
                break
            time.sleep(1)
        lines.append(f"killed (SIGKILL, the worker's process group) while the cycle's transaction was open: "
                     f"{killed_at[0][1]} `{killed_at[0][2][:70]}`; snapshots of {period.code} right after: "
                     f"{after_kill} (the transaction rolled back whole: {after_kill == 0})")
        dupes = Snapshot.objects.filter(period=period.code).values("node").annotate(n=Count("id")).filter(n__gt=1).count()
        count = Snapshot.objects.filter(period=period.code).count()
        with open(worker_log, encoding="utf-8", errors="replace") as fh:
            fh.seek(log_from)
            tail = fh.read()
        by = ("the catch-up at worker start" if re.search(r"catch_up_cycles\[[^\]]+\] succeeded[^\n]*" + period.code, tail)
              else "the task given back to the broker" if re.search(r"run_monthly_cycle\[[^\]]+\] succeeded", tail)
              else "(not seen in the worker's log)")
        if done:
            lines.append(f"after the restart the cycle completed by itself in {time.time() - t_restart:.0f} s, run by "
                         f"{by}: {count} snapshots for {nodes} nodes, nodes with two or more: {dupes}")
            ok_cycle = count == nodes and dupes == 0
        else:
            conf = app.conf
            lines.append(f"after the restart the cycle did NOT complete within {stack.args.redeliver_wait} s: "
                         f"{count} snapshots of {period.code} for {nodes} nodes — the task was not run again "
                         f"(task_acks_late={conf.task_acks_late}, task_reject_on_worker_lost="
                         f"{conf.task_reject_on_worker_lost}, broker visibility_timeout="
                         f"{(conf.broker_transport_options or {}).get('visibility_timeout', 'default 3600')}; the "
                         f"catch-up at start skips periods before the first audit row)")
            app.send_task("reports.tasks.run_monthly_cycle")
            deadline = time.time() + 60
            while time.time() < deadline:
                db_fresh()
                if CycleRun.objects.filter(period=period.code, root="", finished_at__isnull=False).exists():
                    break
                time.sleep(1)
            count = Snapshot.objects.filter(period=period.code).count()
            dupes = Snapshot.objects.filter(period=period.code).values("node").annotate(n=Count("id")).filter(
                n__gt=1).count()
            lines.append(f"  sent again by hand: {count} snapshots for {nodes} nodes, nodes with two or more: {dupes}")
            ok_cycle = False
        report.add("worker: monthly cycle", ok_cycle, lines)
        ok &= ok_cycle
    # --- the roster import
    run_import_kill(stack, report)


def run_import_kill(stack: Stack, report: Report) -> None:
    db_fresh()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bench.import_residents import make_csv
    from governance.models import AuditEvent, Region, User
    from governance.roles import Level
    from parties.models import Resident
    from rosters.actions import do_confirm_import_job, do_create_import_job
    from rosters.engine import BATCH_SIZE
    from rosters.models import ImportJob
    from rosters.tasks import run_import_job

    rows = stack.args.import_rows
    grids = sorted(Region.objects.filter(level=Level.GRID, code__startswith="210802").values_list("code", flat=True))
    import bench.import_residents as gen

    gen.OUT = stack.out
    path = make_csv(rows, grids)
    admin = User.objects.get(username="admin")
    lines: list[str] = []
    try:  # queue it the way the roster pages do (a transactional outbox, once the faults work has landed)
        from governance.outbox import later

        enqueue = later(run_import_job)
    except ImportError:
        enqueue = run_import_job.delay
    job = do_create_import_job(actor=admin, kind="residents", region_code="210802",
                               upload=SimpleUploadedFile("storm-residents.csv", path.read_bytes(), "text/csv"),
                               enqueue=enqueue)
    log(f"worker: roster import of {rows} residents, job {job.pk}: dry run")
    deadline = time.time() + 300
    while time.time() < deadline:
        job.refresh_from_db()
        if job.status in (ImportJob.Status.CHECKED, ImportJob.Status.FAILED):
            break
        time.sleep(1)
    if job.status != ImportJob.Status.CHECKED:
        report.add("worker: roster import", False, [f"the dry run did not finish: status {job.status}, {job.message}"])
        return
    before = Resident.objects.count()
    do_confirm_import_job(actor=admin, job=job, enqueue=enqueue)
    log("worker: import confirmed; waiting for it to be well under way")
    deadline = time.time() + 300
    while time.time() < deadline:
        job.refresh_from_db()
        if job.processed >= rows * 0.4 or job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
            break
        time.sleep(0.2)
    if job.status != ImportJob.Status.RUNNING:
        report.add("worker: roster import", False, [f"the import was not running when it was to be killed: {job.status}"])
        return
    stack.kill_worker()
    db_fresh()
    job.refresh_from_db()
    at_kill = Resident.objects.count() - before
    lines.append(f"killed at processed {job.processed} of {rows} rows; residents written by then: {at_kill}")
    log("worker: killed mid-import; restarting it")
    stack.start_worker()
    deadline = time.time() + stack.args.redeliver_wait
    while time.time() < deadline:
        db_fresh()
        job.refresh_from_db()
        if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
            break
        time.sleep(1)
    written = Resident.objects.count() - before
    batches = list(AuditEvent.objects.filter(action="roster.import.residents", target_id=str(job.pk))
                   .values_list("detail", flat=True))
    audited = sum(int(b.get("new", 0)) for b in batches)
    lines.append(f"after the restart (waited up to {stack.args.redeliver_wait} s): status {job.status}, processed "
                 f"{job.processed}, message “{job.message or '—'}”, counts {job.counts or '—'}")
    lines.append(f"residents written: {written}; batches audited: {len(batches)} (batch size {BATCH_SIZE}) with "
                 f"{audited} new residents between them — half-written batch: {'no' if written == audited else 'YES'}")
    whole = written == audited
    finished = job.status == ImportJob.Status.DONE and written == rows
    stopped_said = job.status == ImportJob.Status.FAILED and bool(job.message)
    if not (finished or stopped_said):
        lines.append("  the import neither finished nor says where it stopped (the job is left "
                     f"{job.status}; the re-delivered task, if any, skips a job that is not queued)")
    report.add("worker: roster import", whole and (finished or stopped_said), lines)


def run_postgres(stack: Stack, report: Report, officers: list[str]) -> None:
    outage, before, after = stack.args.pg_outage, 15, 30
    seconds = before + outage + after
    grace = stack.args.reconnect_grace
    log(f"postgres: load for {seconds} s, PostgreSQL stopped from {before} s for {outage} s")
    sessions = {}
    with open(stack.out / "sessions.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            sessions[row["user"]] = row["cookies"]
    probe_cookie = "; ".join(f"{k}={v}" for k, v in sessions.get(WORKERS[0], {}).items())
    proc = start_locust(stack, "postgres", seconds, WORKERS, officers)
    time.sleep(before)
    probes: list[tuple[float, str, int, str]] = []
    stop_probing = threading.Event()

    def probing():
        while not stop_probing.is_set():
            for page in ("/cases/todo/", "/healthz"):
                status, body = probe(stack.url + page, probe_cookie, timeout=5)
                probes.append((time.time(), page, status, body))
            time.sleep(1)

    t_down = time.time()
    stack.stop_postgres("fast")
    log("postgres: stopped")
    prober = threading.Thread(target=probing, daemon=True)
    prober.start()
    time.sleep(outage)
    stack.start_postgres()
    t_up = time.time()
    log("postgres: started again")
    time.sleep(3)
    stop_probing.set()
    prober.join()
    wait_locust(stack, proc, seconds)
    records = read_records(stack, "postgres")
    requests = [r for r in records if r["kind"] == "request"]
    during = window(requests, t_down, t_up)
    settling = window(requests, t_up, t_up + grace)
    later = window(requests, t_up + grace, 1e12)
    lines = [f"before the stop: {describe(window(requests, 0, t_down))}",
             f"while PostgreSQL was down ({outage} s): {describe(during)}",
             f"first {grace} s after it was back: {describe(settling)}",
             f"after that: {describe(later)}"]
    down_probes = [p for p in probes if t_down <= p[0] < t_up]
    statuses = Counter((p[1], p[2]) for p in down_probes)
    lines.append(f"direct probes while down: {dict(statuses)}")
    trace = [p for p in down_probes if "Traceback" in p[3] or "OperationalError" in p[3]]
    page_503 = [p for p in down_probes if p[1] == "/cases/todo/" and p[2] == 503]
    if page_503:
        text = re.sub(r"<[^>]+>", " ", page_503[0][3])
        lines.append("  the 503 page says: " + " ".join(text.split())[:160])
    elif down_probes:
        first = next((p for p in down_probes if p[1] == "/cases/todo/"), down_probes[0])
        text = re.sub(r"<[^>]+>", " ", first[3])
        lines.append(f"  {first[1]} answered {first[2]}: " + " ".join(text.split())[:160])
    not_503 = Counter(r["status"] for r in during if r["status"] >= 500 and r["status"] != 503)
    later_bad = [r for r in later if classify(r["status"]) not in ("ok", "409")]
    ok_writes, write_lines = check_writes(records)
    lines += write_lines
    ok = (not not_503 and not trace and all(p[2] == 503 for p in down_probes if p[1] == "/cases/todo/")
          and not later_bad and ok_writes)
    lines.insert(0, f"5xx other than 503 while down: {dict(not_503) or 0}; tracebacks in probed pages: {len(trace)}; "
                    f"failures later than {grace} s after the restart: {len(later_bad)}")
    report.add("postgres", ok, lines)


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phases", default="load,redis,worker,postgres")
    parser.add_argument("--duration", type=int, default=120, help="seconds of the load phase")
    parser.add_argument("--max-requests", type=int, default=60000, help="a Locust run stops after this many requests")
    parser.add_argument("--redis-outage", type=int, default=60)
    parser.add_argument("--pg-outage", type=int, default=10)
    parser.add_argument("--reconnect-grace", type=int, default=10)
    parser.add_argument("--redeliver-wait", type=int, default=45,
                        help="seconds a killed task (or an export queued while Redis was down) has to complete")
    parser.add_argument("--import-rows", type=int, default=60000)
    parser.add_argument("--think", default="5,15", help="seconds between a user's tasks: min,max")
    parser.add_argument("--signin-rate", type=int, default=4, help="users signing in per second at the start")
    parser.add_argument("--workdir", default="/tmp/gg_storm_pg")
    parser.add_argument("--port", type=int, default=8105)
    parser.add_argument("--pg-port", type=int, default=5441)
    parser.add_argument("--redis-port", type=int, default=6391)
    parser.add_argument("--locust-venv", default=str(ROOT / ".venv-locust"))
    args = parser.parse_args()
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = set(phases) - {"load", "redis", "worker", "postgres"}
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")

    import socket

    for port in (args.port, args.pg_port, args.redis_port):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                parser.error(f"port {port} is in use: a run left behind, or another service (pick another port)")
    # A SIGTERM (a timeout, a CI runner) stops what was started, like Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    stack = Stack(args)
    stack.tables = {}
    stack.locust = locust_bin(args)
    report = Report()
    started = time.time()
    try:
        log(f"setting up in {stack.base}: PostgreSQL on {args.pg_port}, Redis on {args.redis_port}")
        stack.fresh()
        stack.start_postgres()
        stack.psql("CREATE DATABASE gg_storm")
        stack.start_redis()
        os.environ.update(stack.env)
        import django

        django.setup()
        from django.conf import settings

        stack.password = settings.DEMO_PASSWORD
        stack.manage("migrate", "--noinput", "-v0")
        stack.manage("seed_demo", production=False)
        officers = seed_officers()
        check_workers()
        stack.manage("collectstatic", "--noinput", "-v0")
        make_photo(stack.out / "photo.jpg")
        log(f"set up in {time.time() - started:.0f} s; starting gunicorn, the worker and beat")
        stack.start_web()
        stack.start_worker()
        stack.start_beat()
        baseline = {}
        if {"load", "redis", "postgres"} & set(phases):  # the phases under load
            baseline = run_baseline(stack, officers)
            stack.tables["baseline"] = baseline
            run_signin(stack, report, officers)
        if "load" in phases:
            run_load(stack, report, officers, baseline)
        if "redis" in phases:
            run_redis(stack, report, officers)
        if "worker" in phases:
            run_worker(stack, report)
        if "postgres" in phases:
            run_postgres(stack, report, officers)
    finally:
        log("stopping everything this script started")
        stack.stop_all()
    print(f"\nsummary ({time.time() - started:.0f} s in all; logs and records in {stack.logs} and {stack.out}):")
    for name, ok, _lines in report.results:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(ok for _n, ok, _l in report.results) else 1


if __name__ == "__main__":
    sys.exit(main())

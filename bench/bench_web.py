"""gunicorn (2 workers) serving the case list, beside Django's hello-world page on the same server
in the same run, measured with wrk on loopback.

    python bench/bench_web.py [--seconds 15] [--connections 8] [--page /cases/]

Uses the configured database (DATABASE_URL, else the SQLite default) with the demo city seeded
(`make seed`); signs in as street_officer by a session made here (no password round trip)."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.web_settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from governance.models import User  # noqa: E402


def session_cookie(username: str) -> str:
    user = User.objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def queries(page: str, username: str) -> int:
    client = Client()
    client.force_login(User.objects.get(username=username))
    client.get(page)  # warm the caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(page).status_code == 200
    return len(ctx.captured_queries)


def wrk(url: str, cookie: str, seconds: int, conns: int) -> float:
    out = subprocess.run(["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "-H", f"Cookie: {cookie}", url],
                         capture_output=True, text=True, check=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"{url}: {non2xx.group(1)} failed responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--page", default="/cases/")
    parser.add_argument("--user", default="street_officer")
    parser.add_argument("--port", type=int, default=8799)
    args = parser.parse_args()
    cookie = session_cookie(args.user)
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.web_settings")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "governance.wsgi", "--workers", "2",
                               "--bind", f"127.0.0.1:{args.port}", "--log-level", "warning"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/bench/hello/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        hello = wrk(base + "/bench/hello/", cookie, args.seconds, args.connections)
        page = wrk(base + args.page, cookie, args.seconds, args.connections)
    finally:
        server.terminate()
        server.wait(20)
    print(f"database: {connection.vendor}; gunicorn 2 workers; wrk -t2 -c{args.connections} -d{args.seconds}s")
    print(f"hello-world page: {hello:8.1f} requests/s")
    print(f"{args.page} as {args.user}: {page:8.1f} requests/s = {page / hello:.2f}× the hello-world rate, "
          f"{queries(args.page, args.user)} SQL queries a request")


if __name__ == "__main__":
    main()

"""Locust users for bench/storm.py (run by it; see its docstring): grid workers filing cases with a
photo, reading their 待办 and adding notes; officers accepting and assigning what was filed.

Each simulated user signs in with its own account through the sign-in form (CSRF token, the demo
password, no second factor: none of these roles needs one) from its own address: the server trusts
one proxy (GRIDGOV_TRUSTED_PROXIES=1) and each user sends its own X-Forwarded-For, as phones behind
the intranet's reverse proxy would, so django-axes counts failures per user and per phone, not for
the whole bench at once. The server runs with production settings behind "TLS" (X-Forwarded-Proto:
https), so its cookies are Secure: they are sent over loopback's plain HTTP anyway.

Everything the orchestrator checks afterwards is written here, one JSON object a line, to
STORM_RECORDS: every request (time, page, status, milliseconds) and every write with what the
client saw (the token in a case's title or a note's text, the case id from the redirect), so the
database can be compared with what was answered as a success. Signed-in sessions are kept in
STORM_SESSIONS so that later phases go on with the same sessions instead of signing in again.

Environment (set by storm.py): STORM_ORIGIN, STORM_RECORDS, STORM_SESSIONS, STORM_PASSWORD,
STORM_WORKERS, STORM_OFFICERS (comma-separated usernames), STORM_PHOTO (a JPEG file),
STORM_MAX_REQUESTS (stop after this many requests), STORM_EXPORTS (1: officers also ask for
exports big enough to go to a worker), STORM_WAIT (min,max seconds between a user's tasks),
STORM_PHASE (a label written into every record), STORM_SIGNIN_ONLY (1: each user signs in and
does nothing else).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid

from locust import HttpUser, between, events, task

ORIGIN = os.environ.get("STORM_ORIGIN", "https://127.0.0.1:8105")
RECORDS = os.environ.get("STORM_RECORDS", "storm-records.jsonl")
SESSIONS = os.environ.get("STORM_SESSIONS", "storm-sessions.jsonl")
PASSWORD = os.environ.get("STORM_PASSWORD", "Gridgov-2026")
WORKERS = [u for u in os.environ.get("STORM_WORKERS", "").split(",") if u]
OFFICERS = [u for u in os.environ.get("STORM_OFFICERS", "").split(",") if u]
MAX_REQUESTS = int(os.environ.get("STORM_MAX_REQUESTS", "0"))
EXPORTS = os.environ.get("STORM_EXPORTS", "") == "1"
PHASE = os.environ.get("STORM_PHASE", "")
SIGNIN_ONLY = os.environ.get("STORM_SIGNIN_ONLY", "") == "1"  # sign in, keep the session, do nothing more
WAIT = tuple(float(x) for x in os.environ.get("STORM_WAIT", "3,8").split(","))
PHOTO_PATH = os.environ.get("STORM_PHOTO", "")
PHOTO = open(PHOTO_PATH, "rb").read() if PHOTO_PATH else b""

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/cases/(\d+)/"')
VERSION = re.compile(r'action="/cases/(\d+)/(accept|assign|comment)/".*?name="version" value="(\d+)"', re.S)


def _select(html: str, name: str) -> list[str]:
    """The non-empty option values of <select name=…> (the first such select)."""
    m = re.search(r'<select[^>]*name="%s"[^>]*>(.*?)</select>' % re.escape(name), html, re.S)
    return [v for v in re.findall(r'<option value="([^"]*)"', m.group(1)) if v] if m else []


_out = open(RECORDS, "a", buffering=1, encoding="utf-8")
_sessions_out = open(SESSIONS, "a", buffering=1, encoding="utf-8")
_workers = itertools.cycle(WORKERS) if WORKERS else None
_officers = itertools.cycle(OFFICERS) if OFFICERS else None
_requests = itertools.count(1)
_env = None


def write(**record) -> None:
    record.setdefault("t", time.time())
    record.setdefault("phase", PHASE)
    _out.write(json.dumps(record, ensure_ascii=False) + "\n")


def _saved_sessions() -> dict[str, dict]:
    saved: dict[str, dict] = {}
    try:
        with open(SESSIONS, encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                saved[row["user"]] = row["cookies"]
    except FileNotFoundError:
        pass
    return saved


_SAVED = _saved_sessions()


@events.init.add_listener
def _init(environment, **_kwargs) -> None:
    global _env
    _env = environment


@events.request.add_listener
def _request(request_type, name, response_time, response_length, response=None, exception=None, context=None,
             **_kwargs) -> None:
    status = getattr(response, "status_code", 0) or 0
    write(kind="request", name=name, status=status, ms=round(response_time or 0, 1),
          exc=(type(exception).__name__ if exception else ""), user=(context or {}).get("user", ""))
    if MAX_REQUESTS and next(_requests) >= MAX_REQUESTS and _env is not None and _env.runner is not None:
        _env.runner.quit()


class StormUser(HttpUser):
    abstract = True
    wait_time = between(*WAIT)
    pool = None

    def on_start(self) -> None:
        self.username = next(self.pool)
        n = abs(hash(self.username)) % 250 + 1
        self.address = f"10.{random.randint(0, 250)}.{n}.{random.randint(1, 250)}"
        self.client.headers.update({
            "X-Forwarded-For": self.address, "X-Forwarded-Proto": "https", "Origin": ORIGIN,
            "Referer": ORIGIN + "/", "Accept-Language": "zh-hans",
        })
        self.signed_in = False
        saved = _SAVED.get(self.username)
        if saved:
            for key, value in saved.items():
                self.client.cookies.set(key, value)
            with self.get("/cases/todo/", "GET /cases/todo/", ok=(200, 302)) as r:
                self.signed_in = r is not None and r.status_code == 200
        if not self.signed_in:
            self.sign_in()

    def context(self) -> dict:
        return {"user": self.username}

    # Requests: a redirect is followed by hand (the Location is what a write answers with).
    def get(self, path: str, name: str, ok=(200,)):
        cm = self.client.get(path, name=name, allow_redirects=False, catch_response=True, context=self.context())
        self._plain_cookies()
        return _Checked(cm, ok)

    def post(self, path: str, name: str, data: dict, files=None, ok=(302,), referer: str = ""):
        headers = {"Referer": ORIGIN + (referer or path)}
        cm = self.client.post(path, name=name, data=data, files=files, headers=headers, allow_redirects=False,
                              catch_response=True, context=self.context())
        self._plain_cookies()
        return _Checked(cm, ok)

    def _plain_cookies(self) -> None:
        """The server thinks it is behind TLS and marks its cookies Secure: send them over loopback's HTTP
        too (requests merges the session's cookies into a fresh jar per request, so a cookie policy
        set on the session would not be used)."""
        for cookie in self.client.cookies:
            cookie.secure = False

    def sign_in(self) -> None:
        with self.get("/login/", "GET /login/") as r:
            token = _token(r)
        if not token:
            return
        with self.post("/login/", "POST /login/", {"username": self.username, "password": PASSWORD,
                                                    "csrfmiddlewaretoken": token}) as r:
            if r is not None and r.status_code == 302 and "/login" not in r.headers.get("Location", ""):
                self.signed_in = True
                cookies = {c.name: c.value for c in self.client.cookies}
                _sessions_out.write(json.dumps({"user": self.username, "cookies": cookies}) + "\n")
            else:
                write(kind="signin", user=self.username, status=getattr(r, "status_code", 0))

    def ensure_signed_in(self) -> bool:
        if SIGNIN_ONLY:
            return False
        if not self.signed_in:
            self.sign_in()
        return self.signed_in

    def case_ids(self, html: str) -> list[int]:
        return sorted({int(pk) for pk in CASE_LINK.findall(html)})


class _Checked:
    """`with` over a catch_response: 2xx/3xx listed in `ok` succeed, a 409 (someone else acted
    first, a deadlock's victim) succeeds as what it is, the rest fail. Yields the response or None."""

    def __init__(self, cm, ok):
        self.cm, self.ok = cm, ok

    def __enter__(self):
        self.r = self.cm.__enter__()
        code = self.r.status_code
        if code in self.ok or code == 409:
            self.r.success()
        elif code == 302 and "/login/" in self.r.headers.get("Location", ""):
            self.r.failure("signed out (redirected to the sign-in page)")
        else:
            self.r.failure(f"HTTP {code}")
        return self.r if code else None

    def __exit__(self, *exc):
        return self.cm.__exit__(*exc)


def _token(r) -> str:
    if r is None or r.status_code != 200:
        return ""
    m = CSRF.search(r.text)
    return m.group(1) if m else ""


class GridWorker(StormUser):
    fixed_count = int(os.environ.get("STORM_WORKER_COUNT", "0")) or max(1, len(WORKERS))
    pool = _workers
    filed: list[int]

    def on_start(self) -> None:
        self.filed = []
        super().on_start()

    @task(3)
    def file_case(self) -> None:
        if not self.ensure_signed_in():
            return
        with self.get("/cases/new/", "GET /cases/new/") as r:
            token = _token(r)
            if not token:
                return
            grids, categories = _select(r.text, "grid"), _select(r.text, "category")
        if not grids or not categories:
            write(kind="form", user=self.username, problem="no grid or category on the filing form")
            return
        mark = uuid.uuid4().hex[:16]
        data = {"csrfmiddlewaretoken": token, "category": random.choice(categories), "grid": grids[0],
                "urgency": "normal", "title": f"压测上报 {mark}", "address": "站前区压测路 1 号",
                "description": f"网格员巡查发现的问题（压测 {mark}）。"}
        files = {"photos": (f"{mark}.jpg", PHOTO, "image/jpeg")}
        with self.post("/cases/new/", "POST /cases/new/ (file with photo)", data, files, referer="/cases/new/") as r:
            status = getattr(r, "status_code", 0)
            location = r.headers.get("Location", "") if r is not None else ""
            m = re.fullmatch(r"/cases/(\d+)/", location)
            pk = int(m.group(1)) if status == 302 and m else None
        write(kind="file", user=self.username, token=mark, status=status, pk=pk)
        if pk:
            self.filed.append(pk)
            with self.get(f"/cases/{pk}/", "GET /cases/[id]/"):
                pass

    @task(3)
    def todo_and_note(self) -> None:
        if not self.ensure_signed_in():
            return
        with self.get("/cases/todo/", "GET /cases/todo/") as r:
            listed = self.case_ids(r.text) if r is not None and r.status_code == 200 else []
        choices = self.filed[-10:] + listed[:10]
        if not choices:
            return
        pk = random.choice(choices)
        with self.get(f"/cases/{pk}/", "GET /cases/[id]/") as r:
            token = _token(r)
            if not token or f'action="/cases/{pk}/comment/"' not in r.text:
                return
        mark = uuid.uuid4().hex[:16]
        with self.post(f"/cases/{pk}/comment/", "POST /cases/[id]/comment/",
                       {"csrfmiddlewaretoken": token, "note": f"现场补充说明（压测 {mark}）"}, referer=f"/cases/{pk}/") as r:
            status = getattr(r, "status_code", 0)
        write(kind="comment", user=self.username, token=mark, status=status, pk=pk)

    @task(1)
    def my_cases(self) -> None:
        if self.ensure_signed_in():
            with self.get("/cases/", "GET /cases/"):
                pass


class Officer(StormUser):
    fixed_count = int(os.environ.get("STORM_OFFICER_COUNT", "0")) or max(1, len(OFFICERS))
    pool = _officers

    @task(6)
    def accept_and_assign(self) -> None:
        if not self.ensure_signed_in():
            return
        with self.get("/cases/todo/", "GET /cases/todo/ (officer)") as r:
            listed = self.case_ids(r.text) if r is not None and r.status_code == 200 else []
        if not listed:
            return
        for pk in random.sample(listed, min(2, len(listed))):
            with self.get(f"/cases/{pk}/", "GET /cases/[id]/ (officer)") as r:
                if r is None or r.status_code != 200:
                    continue
                html, token = r.text, _token(r)
            forms = {action: int(version) for case, action, version in VERSION.findall(html) if int(case) == pk}
            if "accept" in forms:
                with self.post(f"/cases/{pk}/accept/", "POST /cases/[id]/accept/",
                               {"csrfmiddlewaretoken": token, "version": forms["accept"], "note": "受理（压测）"},
                               referer=f"/cases/{pk}/") as r:
                    write(kind="accept", user=self.username, pk=pk, status=getattr(r, "status_code", 0))
            elif "assign" in forms:
                form = html[html.index(f'action="/cases/{pk}/assign/"'):]
                departments = _select(form, "department")
                people = _select(form, "assignee")
                data = {"csrfmiddlewaretoken": token, "version": forms["assign"], "note": "派遣（压测）"}
                if departments:
                    data["department"] = random.choice(departments)
                elif people:
                    data["assignee"] = random.choice(people)
                else:
                    continue
                with self.post(f"/cases/{pk}/assign/", "POST /cases/[id]/assign/", data, referer=f"/cases/{pk}/") as r:
                    write(kind="assign", user=self.username, pk=pk, status=getattr(r, "status_code", 0))

    @task(1)
    def export(self) -> None:
        """A case export above the inline limit: queued for a worker (the Redis phase counts them)."""
        if not EXPORTS or not self.ensure_signed_in():
            return
        with self.get("/cases/export.xlsx?format=csv", "GET /cases/export.xlsx (queued)", ok=(302,)) as r:
            status = getattr(r, "status_code", 0)
            location = r.headers.get("Location", "") if r is not None else ""
            m = re.fullmatch(r"/cases/exports/(\d+)/", location)
        write(kind="export", user=self.username, status=status, job=int(m.group(1)) if m else None)

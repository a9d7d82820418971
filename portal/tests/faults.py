"""What the fault tests start and break: the app under gunicorn and Celery workers as their own
processes (on the test database), a private Redis, and a TCP proxy in front of PostgreSQL that can
be cut — every connection dropped, new ones refused — and restored, which is a database restart as
the app sees it. Each piece is stopped by the test that started it (the fixtures in the tests)."""

from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from cryptography.fernet import Fernet

REPO = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def wait_for(predicate: Callable[[], object], timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def free_port(env: str = "") -> int:
    """A free port, or the one named by the environment variable `env` (a machine shared with others
    may give each its own ports: GRIDGOV_TEST_WEB_PORT, GRIDGOV_TEST_REDIS_PORT, GRIDGOV_TEST_PROXY_PORT)."""
    if env and os.environ.get(env):
        return int(os.environ[env])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url_of_tests(host: str | None = None, port: int | None = None) -> str:
    """DATABASE_URL of this run's test database (optionally reached through another host and port)."""
    from django.db import connection

    url = urlsplit(os.environ["DATABASE_URL"])
    netloc = url.netloc
    if port is not None:
        userinfo = netloc.rsplit("@", 1)[0] + "@" if "@" in netloc else ""
        netloc = f"{userinfo}{host or '127.0.0.1'}:{port}"
    return urlunsplit(url._replace(netloc=netloc, path="/" + connection.settings_dict["NAME"]))


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; `cut()` closes every connection and refuses new ones,
    `restore()` accepts again on the same port."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = free_port("GRIDGOV_TEST_PROXY_PORT")
        self.listener: socket.socket | None = None
        self.conns: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            try:
                listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() blocked on it (Linux), which then ends
            except OSError:
                pass
            listener.close()
        with self.lock:
            conns, self.conns = self.conns, set()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.conns |= {client, upstream}
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        peers = {a: b, b: a}
        try:
            while True:
                readable, _, _ = select.select([a, b], [], [], 1.0)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    peers[sock].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for sock in (a, b):
                try:
                    sock.close()
                except OSError:
                    pass
            with self.lock:
                self.conns -= {a, b}


class PrivateRedis:
    """A redis-server of our own on a free port, no persistence (a restart loses what it held)."""

    def __init__(self):
        self.port = free_port("GRIDGOV_TEST_REDIS_PORT")
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen([REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL)
        wait_for(self._answers, 10, "the private redis-server")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None


def _app_env(database_url: str, redis_url: str, extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url, REDIS_URL=redis_url, GRIDGOV_DEBUG="0", CONN_MAX_AGE="60",
        GRIDGOV_PII_KEY=os.environ.get("GRIDGOV_PII_KEY") or Fernet.generate_key().decode(),
        GRIDGOV_PII_HASH_KEY=os.environ.get("GRIDGOV_PII_HASH_KEY") or "fault-tests-" + "x" * 40,
    )
    env.update(extra or {})
    return env


class Web:
    """The app under gunicorn (one sync worker: DEBUG off, the production handlers and error pages)."""

    def __init__(self, database_url: str, redis_url: str = "", env: dict | None = None):
        from django.conf import settings

        self.port = free_port("GRIDGOV_TEST_WEB_PORT")
        self.url = f"http://127.0.0.1:{self.port}"
        self.media = tempfile.mkdtemp(prefix="gridgov-fault-media-")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "governance.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{self.port}",
             "--timeout", "60", "--log-level", "warning"],
            cwd=REPO, env=_app_env(database_url, redis_url, {"GRIDGOV_MEDIA_ROOT": self.media,
                                                             "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE, **(env or {})}),
        )
        self.session = requests.Session()
        wait_for(self._up, 30, "gunicorn to answer")

    def _up(self) -> bool:
        if self.proc.poll() is not None:
            pytest.fail(f"gunicorn exited with {self.proc.returncode}")
        try:
            return self.session.get(self.url + "/login/", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def sign_in(self, user) -> None:
        """A session of `user` in the database (SESSION_ENGINE), its cookie in this client; a CSRF cookie."""
        from django.conf import settings
        from django.test import Client

        client = Client()
        client.force_login(user)
        self.session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
        self.csrf = "f" * 32
        self.session.cookies.set(settings.CSRF_COOKIE_NAME, self.csrf)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.url + path, timeout=30, allow_redirects=False, **kwargs)

    def post(self, path: str, data: dict, **kwargs) -> requests.Response:
        return self.session.post(self.url + path, data={**data, "csrfmiddlewaretoken": self.csrf}, timeout=30,
                                 allow_redirects=False, **kwargs)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.media, ignore_errors=True)


class Worker:
    """A `celery worker` process on the test database with portal.tests.fault_hooks loaded
    (`fault`: where it stops for good, see there), ready once the hooks say so."""

    def __init__(self, name: str, queue: str, *, redis_url: str | None = None, fault: str = "", env: dict | None = None):
        self.marker = Path(tempfile.mkdtemp(prefix="gridgov-fault-")) / "reached"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "governance", "worker", "--pool=solo", "-n", f"{name}@%h",
             "-Q", queue, "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--prefetch-multiplier=1",
             "-I", "portal.tests.fault_hooks"],
            cwd=REPO,
            env=_app_env(database_url_of_tests(), redis_url or os.environ["REDIS_URL"], {
                "CELERY_QUEUE": queue, "GRIDGOV_FAULT_AT": fault, "GRIDGOV_FAULT_MARKER": str(self.marker),
                **(env or {})}),
        )
        wait_for(self._ready, 60, f"worker {name} to start")

    def _ready(self) -> bool:
        if self.proc.poll() is not None:
            pytest.fail(f"celery worker exited with {self.proc.returncode}")
        return Path(str(self.marker) + ".ready").exists()

    def wait_until_stopped_at_fault(self, timeout: float = 60) -> None:
        wait_for(self.marker.exists, timeout, "the worker to reach the point where it is killed")

    def kill(self) -> None:
        """SIGKILL: no handler, no acknowledgement, no rollback but the database's own."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.marker.parent, ignore_errors=True)


def needs_real_services(redis: bool = True) -> None:
    """Skip on the SQLite pass (tasks inline, no server to break); fail under GRIDGOV_REQUIRE_WORKER=1
    (CI's PostgreSQL + Redis pass) if a part is missing."""
    from django.conf import settings
    from django.db import connection

    missing = []
    if redis and (settings.CELERY_TASK_ALWAYS_EAGER or not os.environ.get("REDIS_URL")):
        missing.append("REDIS_URL")
    if connection.vendor != "postgresql" or not os.environ.get("DATABASE_URL"):
        missing.append("PostgreSQL (DATABASE_URL)")
    if not missing:
        return
    if os.environ.get("GRIDGOV_REQUIRE_WORKER") == "1":
        pytest.fail(f"GRIDGOV_REQUIRE_WORKER=1 but {', '.join(missing)} missing")
    pytest.skip(f"a fault test needs real services: {', '.join(missing)} missing (tasks run inline here)")

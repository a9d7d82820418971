"""Test-wide fixtures: fast password hashing, a real Celery worker, and Chromium.

With REDIS_URL set, tests marked `celery_worker` get a real worker process that
consumes from Redis and writes to the same (PostgreSQL) test database. Without
it, Celery runs tasks inline, so the same tests still exercise the task code.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

CHROMIUM = os.environ.get("GRIDGOV_CHROMIUM", "/usr/bin/chromium")


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    # No collected static files in tests (the live server serves them through the finders): without a
    # STATIC_ROOT, WhiteNoise does not look for the directory that only collectstatic makes.
    settings.STATIC_ROOT = None
    # Each run uses its own queue, so a stray worker from another run cannot take our tasks.
    settings.CELERY_TASK_DEFAULT_QUEUE = f"gridgov-test-{uuid.uuid4().hex[:8]}"
    from governance.celery import app

    app.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The SQLite test database is a file per test process (governance.settings); leave none behind."""
    from django.conf import settings

    name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if name and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(name + suffix):
                os.remove(name + suffix)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    has_browser = os.path.exists(CHROMIUM)
    if has_browser:
        return
    if os.environ.get("GRIDGOV_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"GRIDGOV_REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install chromium)")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def _test_database_url() -> str:
    from django.db import connection

    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))


def _start_worker(settings, name: str) -> subprocess.Popen:
    """A `celery worker` process on the test database and this run's queue, answering a ping."""
    from governance.celery import app

    env = dict(os.environ, DATABASE_URL=_test_database_url(), CELERY_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE)
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "governance", "worker", "--pool=solo", "-n", name,
         "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "--loglevel=WARNING", "--without-gossip", "--without-mingle",
         "--prefetch-multiplier=1"],  # one task at a time each: two workers share a burst of tasks
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"celery worker exited with {proc.returncode}")
        replies = app.control.ping(timeout=1.0)
        if any(name.split("@")[0] in host for reply in replies for host in reply):
            return proc
    proc.kill()
    pytest.fail("celery worker did not answer a ping within 60 s")


def _stop_worker(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def _worker_or_skip_reason(settings) -> str | None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        if os.environ.get("GRIDGOV_REQUIRE_WORKER") == "1":
            pytest.fail("GRIDGOV_REQUIRE_WORKER=1 but REDIS_URL is not set")
        return "inline"
    if not os.environ.get("DATABASE_URL"):
        pytest.fail("A real worker needs DATABASE_URL: an in-memory SQLite test database is invisible to it")
    return None


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real `celery worker` process on the test database, when REDIS_URL is set (else None:
    tasks run inline)."""
    from django.conf import settings

    if _worker_or_skip_reason(settings):
        yield None
        return
    proc = _start_worker(settings, f"test-{uuid.uuid4().hex[:6]}@%h")
    yield proc
    _stop_worker(proc)


@pytest.fixture
def second_celery_worker(celery_worker_process):
    """A second real worker beside the first (same queue), for tests of two workers at once."""
    from django.conf import settings

    if celery_worker_process is None:
        yield None
        return
    proc = _start_worker(settings, f"second-{uuid.uuid4().hex[:6]}@%h")
    yield proc
    _stop_worker(proc)


@pytest.fixture(autouse=True)
def _source_language_after_each_test():
    """Each test starts in the source language (zh-hans): LocaleMiddleware leaves a request's language
    active in the thread after the response (a server activates it again on the next request, a test
    need not make one), so a test that asked for an English page made the next test's gettext English."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(scope="session")
def chromium_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone_page(chromium_browser, live_server):
    """A 375 px wide page, as a grid worker's phone shows it, with Chinese preferred."""
    context = chromium_browser.new_context(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True,
        locale="zh-CN", base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()

"""Imported by a test's worker (`celery worker -I portal.tests.fault_hooks`): the worker stops for
good at a chosen point of a task, so that the test can SIGKILL it exactly there
(portal/tests/test_worker_killed.py). Nothing imports this module otherwise.

GRIDGOV_FAULT_AT: "cycle" — the report cycle has taken its lock and computed its figures, inside
its transaction, and written no snapshot; "batch:N" — a roster import is about to write its N-th
batch (N - 1 written and committed); GRIDGOV_FAULT_BATCH_SIZE sets the grid workers' batch size.
GRIDGOV_FAULT_MARKER: a file written (the worker's pid) when the point is reached; "<it>.ready" is
written once the worker is patched and ready.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from celery.signals import worker_ready


def _stop_here() -> None:
    Path(os.environ["GRIDGOV_FAULT_MARKER"]).write_text(str(os.getpid()))
    time.sleep(600)  # until SIGKILL


@worker_ready.connect
def _patch(**_kwargs) -> None:
    at = os.environ.get("GRIDGOV_FAULT_AT", "")
    if os.environ.get("GRIDGOV_FAULT_BATCH_SIZE"):
        from rosters.kinds.grid_workers import GridWorkerRoster

        GridWorkerRoster.batch_size = int(os.environ["GRIDGOV_FAULT_BATCH_SIZE"])
    if at == "cycle":
        from reports import actions

        real_compute = actions.compute

        def compute(*args, **kwargs):
            figures = real_compute(*args, **kwargs)
            _stop_here()
            return figures

        actions.compute = compute
    elif at.startswith("batch:"):
        from rosters import actions

        stop_at = int(at.split(":", 1)[1])
        real_write = actions.do_write_roster_batch
        calls = []
        lock = threading.Lock()

        def do_write_roster_batch(**kwargs):
            with lock:
                calls.append(1)
                n = len(calls)
            if n >= stop_at:
                _stop_here()
            return real_write(**kwargs)

        actions.do_write_roster_batch = do_write_roster_batch
    Path(os.environ["GRIDGOV_FAULT_MARKER"] + ".ready").write_text(at)

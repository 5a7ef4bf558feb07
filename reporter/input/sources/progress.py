"""Progress: a one-line bar on standard error while DuckDB aggregates a large input."""

from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager

WIDTH = 30
EVERY = 0.5  # seconds between updates


def wanted() -> bool:
    """Shown on a terminal, or wherever REPORTER_PROGRESS=1 asks for it (logs of long jobs)."""
    return os.environ.get("REPORTER_PROGRESS") == "1" or sys.stderr.isatty()


def bar(label: str, percent: float) -> str:
    """``label [#####.....]  42%``."""
    filled = round(WIDTH * percent / 100)
    return f"\r{label} [{'#' * filled}{'.' * (WIDTH - filled)}] {percent:3.0f}%"


@contextmanager
def watch(con, label: str):
    """Poll the connection's query progress from a thread while the block runs; end on a full bar."""
    if not wanted():
        yield
        return
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(EVERY):
            percent = con.query_progress()
            if percent >= 0:
                sys.stderr.write(bar(label, min(percent, 99.0)))
                sys.stderr.flush()

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
    sys.stderr.write(bar(label, 100.0) + "\n")
    sys.stderr.flush()

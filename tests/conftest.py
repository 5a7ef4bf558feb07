"""Shared fixtures: tables made in the test, the CLI as a subprocess, and a real Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python -m reporter ARGS` from this checkout and capture its output."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "reporter", *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture
def cli():
    """The reporter command line, run in a subprocess."""
    return run_cli


def long_table(rows: list[tuple[int, int, str]]) -> pd.DataFrame:
    """A long-shape table from (layer, head, category) tuples."""
    return pd.DataFrame(rows, columns=["layer", "head", "category"])


@pytest.fixture
def small_table() -> pd.DataFrame:
    """A 6x4 model with three categories, one head in two and one in three categories.

    Layers of A: 1, 1, 2, 2, 3 (head (2, 0) also in B and C); B: 2, 4, 5; C: 2, 5.
    """
    return long_table([
        (1, 0, "A"), (1, 1, "A"), (2, 0, "A"), (2, 1, "A"), (3, 3, "A"),
        (2, 0, "B"), (4, 2, "B"), (5, 3, "B"),
        (2, 0, "C"), (5, 3, "C"),
    ])


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium driven by Playwright; missing Chromium fails under CI."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required under CI and {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class PageVisit:
    """A page opened with every non-file request blocked and counted, console errors collected."""

    def __init__(self, browser, url: str, viewport=(1600, 1000), color_scheme: str = "light"):
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, color_scheme=color_scheme)
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)

    def _route(self, route):
        if route.request.url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def wait_rendered(self, timeout: float = 30000) -> list[list]:
        """Wait until every figure has tried to render; return [slug, state, canvas/svg count] per figure."""
        self.page.wait_for_function(
            "Array.from(document.querySelectorAll('[data-figure]')).every(e => e.dataset.rendered)", timeout=timeout
        )
        return self.page.evaluate(
            "Array.from(document.querySelectorAll('[data-figure]'))"
            ".map(e => [e.dataset.figure, e.dataset.rendered, e.querySelectorAll('canvas, svg.marks').length])"
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser):
    """Open a URL in Chromium with the network blocked; closes the page afterwards."""
    opened = []

    def _visit(url: str, **kwargs) -> PageVisit:
        v = PageVisit(browser, url, **kwargs)
        opened.append(v)
        return v

    yield _visit
    for v in opened:
        v.close()

"""`reporter serve`: a real server process, a real HTTP client and Chromium watching the page reload."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import urllib.request

import pytest

from conftest import ROOT, long_table
from reporter.serve import live_page

RENDERED = "() => Array.from(document.querySelectorAll('[data-figure]')).every(e => e.dataset.rendered)"
FIGURE_STATES = "() => Array.from(document.querySelectorAll('[data-figure]')).map(e => e.dataset.rendered)"
BOUND = 300  # seconds: a generous bound on waiting for a line or a page state, never a signal


class Served:
    """A `reporter serve` process; its stdout lines arrive on a queue as they are printed."""

    def __init__(self, *args: str, cwd) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reporter", "serve", *args, "--port", "0"], cwd=cwd, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        first = self.next_line()
        assert first.startswith("serving http://127.0.0.1:") and first.endswith("/ (Ctrl-C to stop)"), first
        self.url = first.split()[1]

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put("<stdout closed>")

    def next_line(self) -> str:
        return self.lines.get(timeout=BOUND)

    def get(self, path: str = "") -> tuple[int, dict, str]:
        with urllib.request.urlopen(self.url + path, timeout=BOUND) as answer:
            return answer.status, dict(answer.headers), answer.read().decode()

    def status(self) -> dict:
        return json.loads(self.get("__reporter__/status")[2])

    def stop(self) -> tuple[int, str]:
        """Ctrl-C: the exit status and stderr."""
        self.process.send_signal(signal.SIGINT)
        _, err = self.process.communicate(timeout=BOUND)
        return self.process.returncode, err


@pytest.fixture
def serve(tmp_path):
    started = []

    def _serve(*args: str) -> Served:
        started.append(Served(*args, cwd=tmp_path))
        return started[-1]

    yield _serve
    for s in started:
        if s.process.poll() is None:
            s.process.kill()
            s.process.wait()


def write(path, rows) -> None:
    long_table(rows).to_csv(path, index=False)


def test_serve_builds_and_serves_the_site_over_http(serve, tmp_path):
    table = tmp_path / "heads.csv"
    write(table, [(0, 0, "Alpha"), (1, 2, "Beta")])
    served = serve(str(table), "-o", str(tmp_path / "out"), "--formats", "svg")
    assert served.next_line().startswith("built in ")
    code, headers, page = served.get()
    assert code == 200 and headers["Cache-Control"] == "no-store"
    assert '<meta name="reporter-serve" content="1">' in page
    assert "connect-src 'self'" in page and "connect-src 'none'" not in page
    assert page.count("<script>(function () {\n  var shown") == 1
    assert served.get("figures/heatmaps.svg")[2].startswith("<svg")
    summary = json.loads(served.get("data/summary.json")[2])
    assert [c["name"] for c in summary["categories"]] == ["Alpha", "Beta"]
    assert served.status() == {"version": 1, "good": 1, "error": None}
    assert page == live_page((tmp_path / "out" / "index.html").read_text(), 1)  # the written page, made live
    code, err = served.stop()
    assert (code, err) == (0, "reporter: stopped serving\n")
    assert (tmp_path / "out" / "index.html").is_file()  # -o: the site stays when serving stops


def test_an_edit_reloads_the_page_and_a_broken_edit_shows_its_error_over_the_last_good_report(
        serve, browser, tmp_path):
    table = tmp_path / "heads.csv"
    write(table, [(0, 0, "Alpha"), (1, 2, "Beta")])
    served = serve(str(table), "--formats", "")
    assert served.next_line().startswith("built in ")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))  # a CSP refusal shows here
    page.goto(served.url)
    page.wait_for_function("() => document.body.innerText.includes('Beta')", timeout=BOUND * 1000)
    page.wait_for_function(RENDERED, timeout=BOUND * 1000)
    states = page.evaluate(FIGURE_STATES)
    assert states and set(states) == {"true"}  # the Vega bundle ran: the CSP still allows it
    assert "Gamma" not in page.inner_text("body")
    page.evaluate("window.beforeEdit = true")

    write(table, [(0, 0, "Alpha"), (1, 2, "Beta"), (2, 1, "Gamma")])
    assert served.next_line().startswith("rebuilt after a change to heads.csv in ")
    page.wait_for_function("() => !window.beforeEdit && document.body.innerText.includes('Gamma')",
                           timeout=BOUND * 1000)
    assert served.status()["good"] == 2
    page.evaluate("window.beforeBrokenEdit = true")

    table.write_text("layer,head,nope\n0,0,x\n")
    banner = page.wait_for_selector("#reporter-serve-error", timeout=BOUND * 1000)
    status = served.status()
    assert status["good"] == 2 and status["version"] == 3 and "category" in status["error"]
    assert banner.inner_text() == (f"The last change did not build: {status['error']} "
                                   "(still showing the last good report)")
    assert page.evaluate("window.beforeBrokenEdit") is True  # not reloaded: the last good report stays
    assert "Gamma" in page.inner_text("body")
    assert "Gamma" in served.get()[2]  # and a fresh request still gets it

    write(table, [(0, 0, "Alpha"), (3, 3, "Delta")])
    page.wait_for_function("() => !window.beforeBrokenEdit && document.body.innerText.includes('Delta')",
                           timeout=BOUND * 1000)
    assert page.query_selector("#reporter-serve-error") is None
    assert errors == []
    context.close()
    code, err = served.stop()
    assert code == 0
    assert err.endswith("reporter: stopped serving\n")
    assert "(still serving the last good report)" in err

"""benchmarks/run.py keeps working: its tiny mode runs every measure end to end (no timing is asserted)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SECONDS = r"\d+\.\d\d s \(cpu \d+\.\d\d s\)"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, dict[str, list[str]], Path]:
    """One run of `benchmarks/run.py --quick`, its output parsed into {measure: [value, target, verdict]}."""
    work = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--workdir", str(work)],
        capture_output=True, text=True, timeout=900, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    rows = {}
    for line in done.stdout.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 4 and cells[0] not in ("measure", "---"):
            rows[cells[0]] = cells[1:]
    return done, rows, work


def test_quick_run_succeeds_and_prints_every_measure(quick_run):
    done, rows, _ = quick_run
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("# reporter benchmark (quick, median of 1)\n")
    assert list(rows) == [
        "baseline: 5 Altair charts, .html + .png each (8x6)",
        "reporter build 8x6, svg+png+pdf, warm cache",
        "reporter build 8x6, svg+png+pdf, cold cache",
        "1. reporter / baseline, warm cache",
        "1. reporter / baseline, cold cache",
        "reporter build 12x8, 5 categories, warm cache",
        "2. build 12x8 / build 8x6",
        "4. index.html size, 8x6",
        "4. index.html size, 12x8",
        "3. load + classify 120 score rows (top-k 2)",
        "5. page load to every figure drawn, 8x6",
        "5. page load to every figure drawn, 12x8",
        "6. `reporter --help` wall time",
    ]


def test_timings_and_ratios_are_numbers_with_their_targets(quick_run):
    _, rows, _ = quick_run
    for name in ("baseline: 5 Altair charts, .html + .png each (8x6)", "reporter build 8x6, svg+png+pdf, warm cache",
                 "reporter build 8x6, svg+png+pdf, cold cache", "reporter build 12x8, 5 categories, warm cache"):
        assert re.fullmatch(SECONDS, rows[name][0]), rows[name]
    assert rows["1. reporter / baseline, warm cache"][1:2] == ["<= 0.40"]
    assert rows["2. build 12x8 / build 8x6"][1:2] == ["<= 2.0"]
    for name in ("1. reporter / baseline, warm cache", "2. build 12x8 / build 8x6"):
        value, _, verdict = rows[name]
        assert float(value) > 0 and verdict in ("ok", "MISSED")
    assert re.fullmatch(r"\d\.\d\d\d s \(bare python: \d\.\d\d\d s\)", rows["6. `reporter --help` wall time"][0])


def test_page_sizes_match_the_files_it_built(quick_run):
    _, rows, work = quick_run
    for key, name in (("seed", "4. index.html size, 8x6"), ("large", "4. index.html size, 12x8")):
        size = (work / f"site-{key}" / "index.html").stat().st_size / 1e6
        assert rows[name][0] == f"{size:.2f} MB"
    assert (work / "site-seed" / "figures" / "heatmaps.png").is_file()
    assert (work / "baseline" / "all-categories.html").is_file()
    assert sorted(p.name for p in (work / "baseline").glob("*.png")) == [
        "algorithmic.png", "all-categories.png", "knowledge.png", "linguistic.png", "translation.png"]


def test_scores_measure_runs_or_says_why_not(quick_run):
    _, rows, _ = quick_run
    value, target, verdict = rows["3. load + classify 120 score rows (top-k 2)"]
    if value.startswith("n/a"):
        # Before the scores input exists the options are refused; if the input is refused, the table says why.
        assert value == "n/a (scores input not available)" or value.startswith("n/a (input refused: ")
        assert verdict == "n/a"
    else:
        assert re.fullmatch(r"\d+\.\d\d s \([\d,]+ memberships\)", value) and target == "<= 2 s"


def test_browser_measure_draws_every_figure(quick_run):
    _, rows, _ = quick_run
    for name in ("5. page load to every figure drawn, 8x6", "5. page load to every figure drawn, 12x8"):
        value = rows[name][0]
        if not CHROMIUM.exists():
            assert not os.environ.get("CI"), "Chromium is required under CI (apt-get install chromium)"
            assert value == "n/a (/usr/bin/chromium missing)"
        else:
            assert re.fullmatch(r"\d+\.\d\d s", value), value  # a figure that failed would add its state

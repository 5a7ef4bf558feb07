"""benchmarks/run.py keeps working: its tiny mode runs every measure end to end (no timing is asserted)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
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
        "3. peak memory of that process (RSS)",
        "3. (reference) classify_prototype.py, same input",
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


def test_scores_measure_runs_and_reports_time_and_memory(quick_run):
    _, rows, _ = quick_run
    # The scores input exists: the measure runs. 6x4 heads, 5 relations, each in its own category, top 2 heads
    # per relation: 10 memberships.
    value, target, verdict = rows["3. load + classify 120 score rows (top-k 2)"]
    assert re.fullmatch(r"\d+\.\d\d s \(10 memberships\)", value), value
    assert target == "<= 2 s" and verdict == ("ok" if float(value.split()[0]) <= 2 else "MISSED")
    value, target, verdict = rows["3. peak memory of that process (RSS)"]
    assert re.fullmatch(r"\d+ MiB", value), value
    assert target == "<= 1024 MiB" and verdict == ("ok" if int(value.split()[0]) <= 1024 else "MISSED")


def test_browser_measure_draws_every_figure(quick_run):
    _, rows, _ = quick_run
    for name in ("5. page load to every figure drawn, 8x6", "5. page load to every figure drawn, 12x8"):
        value = rows[name][0]
        if not CHROMIUM.exists():
            assert not os.environ.get("CI"), "Chromium is required under CI (apt-get install chromium)"
            assert value == "n/a (/usr/bin/chromium missing)"
        else:
            assert re.fullmatch(r"\d+\.\d\d s", value), value  # a figure that failed would add its state


def test_prototype_classifies_the_tiny_scores_table(quick_run):
    _, rows, _ = quick_run
    # 6x4 heads, 5 relations in 5 categories, top 2 heads per relation: 10 distinct memberships.
    value = rows["3. (reference) classify_prototype.py, same input"][0]
    assert re.fullmatch(r"\d+\.\d\d s, \d+ MiB peak \((9|10) memberships\)", value), value


def load_script(name: str):
    """benchmarks/<name>.py as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_prototype():
    return load_script("classify_prototype")


def test_prototype_matches_a_plain_pandas_rule(tmp_path):
    # Two templates per (relation, head): the rule ranks the mean; r0 ties heads (0, 1) and (1, 0) at 0.5.
    rows = [
        ("r0", "A", 0, 0, 0.4), ("r0", "A", 0, 0, 0.6), ("r0", "A", 1, 0, 0.5), ("r0", "A", 1, 0, 0.5),
        ("r0", "A", 0, 1, 0.1), ("r0", "A", 0, 1, 0.2), ("r0", "A", 1, 1, 0.9), ("r0", "A", 1, 1, 0.7),
        ("r1", "B", 0, 0, 0.3), ("r1", "B", 0, 0, 0.3), ("r1", "B", 1, 0, 0.1), ("r1", "B", 1, 0, 0.2),
        ("r1", "B", 0, 1, 0.8), ("r1", "B", 0, 1, 0.6), ("r1", "B", 1, 1, 0.0), ("r1", "B", 1, 1, 0.1),
        ("r2", "A", 0, 0, 0.0), ("r2", "A", 1, 1, 0.95),
    ]
    frame = pd.DataFrame(rows, columns=["relation", "category", "layer", "head", "score"])
    path = tmp_path / "scores.parquet"
    frame.to_parquet(path, index=False)
    result = load_prototype().classify(str(path), top_k=2)
    got = sorted(zip(result["names"][result["category"]], result["layer"].tolist(), result["head"].tolist()))
    # r0 means: (1,1)=0.8, (0,0)=0.5, (1,0)=0.5, (0,1)=0.15 -> (1,1) and the lower head id of the tie, (0,0).
    # r1 means: (0,1)=0.7, (0,0)=0.3 -> both. r2: (1,1)=0.95, (0,0)=0.0 -> both, (0,0) and (1,1) already in A.
    assert got == [("A", 0, 0), ("A", 1, 1), ("B", 0, 0), ("B", 0, 1)]
    by_threshold = load_prototype().classify(str(path), threshold=0.75)
    got = sorted(zip(by_threshold["names"][by_threshold["category"]], by_threshold["layer"].tolist(),
                     by_threshold["head"].tolist()))
    assert got == [("A", 1, 1)]


def test_ab_script_compares_a_revision_with_the_working_tree():
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "ab.py"), "HEAD", ".", "--quick"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "# reporter A/B: 8x6, 1 interleaved build each"
    assert re.fullmatch(r"\| A: HEAD \| \d+\.\d{3} s \| \d+\.\d{3} s \| \d+\.\d{3} s \|", lines[-3])
    assert re.fullmatch(r"\| B: \. \| \d+\.\d{3} s \| \d+\.\d{3} s \| \d+\.\d{3} s \|", lines[-2])
    assert re.fullmatch(r"\| B / A \| \d+\.\d{3} \| \| \d+\.\d{3} \|", lines[-1])


def test_ab_script_names_a_revision_git_cannot_export():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "ab.py"), "no-such-revision", ".", "--quick"],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2
    assert done.stderr.startswith("ab.py: git cannot export 'no-such-revision': ")


def test_ab_fails_only_when_b_takes_more_cpu_than_the_stated_ratio(capsys):
    ab = load_script("ab")
    # (wall, cpu) per build: B's median CPU is 3.0 s against A's 2.0 s, a ratio of 1.5; its wall time is lower.
    samples = {"A": [(9.0, 2.0), (9.0, 1.9), (9.0, 2.1)], "B": [(1.0, 3.0), (1.0, 2.9), (1.0, 3.1)]}
    assert ab.regression(samples, None) == 0
    assert ab.regression(samples, 1.5) == 0
    assert capsys.readouterr().err == ""
    assert ab.regression(samples, 1.25) == 1
    assert capsys.readouterr().err == (
        "ab.py: B / A median CPU time is 1.500, above the allowed 1.25: a build-time regression\n")

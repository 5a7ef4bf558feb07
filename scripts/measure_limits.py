"""Measure `reporter build` at each limit of reporter/input/limits.py (docs/limits.md).

    python scripts/measure_limits.py                 # every case below
    python scripts/measure_limits.py memberships     # one case

Each case writes its table in a child process, then runs the CLI on it with
every export format, and prints the wall time and the peak resident memory of
the build (the largest of the CLI and its vl-convert helper, from wait4).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from reporter.input.checks.limits import MAX_CATEGORIES, MAX_MEMBERSHIPS, MAX_MODELS, MAX_NAME_LENGTH  # noqa: E402
from reporter.input.checks.validate import MAX_COLUMNS  # noqa: E402

ALL = "svg,png,pdf"


def dense(n_layers: int, n_heads: int, k: int) -> pd.DataFrame:
    """Every head of an n_layers x n_heads model in each of k categories."""
    layer, head = np.repeat(np.arange(n_layers), n_heads), np.tile(np.arange(n_heads), n_layers)
    return pd.concat([pd.DataFrame({"layer": layer, "head": head, "category": f"category {i}"}) for i in range(k)])


def long_names(k: int, length: int) -> pd.DataFrame:
    """80 x 64, 10,240 rows over k categories whose names are ``length`` characters long."""
    rng = np.random.default_rng(0)
    names = np.array([(f"{i:02d} " + "long category name " * 20)[:length] for i in range(k)])
    rows = 80 * 64 * 2
    return pd.DataFrame({"layer": rng.integers(0, 80, rows), "head": rng.integers(0, 64, rows),
                         "category": names[rng.integers(0, k, rows)]})


def many_rows(rows: int) -> pd.DataFrame:
    """A long table of ``rows`` rows, 80 x 64, 4 categories (duplicates collapse)."""
    rng = np.random.default_rng(0)
    names = np.array([f"category {i}" for i in range(4)])
    return pd.DataFrame({"layer": rng.integers(0, 80, rows), "head": rng.integers(0, 64, rows),
                         "category": names[rng.integers(0, 4, rows)]})


def wide(columns: int) -> pd.DataFrame:
    """80 x 64 wide table: 64 flag columns and text columns up to ``columns`` in all."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"layer": np.repeat(np.arange(80), 64), "head": np.tile(np.arange(64), 80)})
    flags = {f"is_c{i:02d}": rng.random(len(frame)) < 0.05 for i in range(MAX_CATEGORIES)}
    notes = {f"note {i}": "x" for i in range(columns - 2 - MAX_CATEGORIES)}
    return pd.concat([frame, pd.DataFrame(flags), pd.DataFrame(notes, index=frame.index)], axis=1)


def site(models: int) -> pd.DataFrame:
    """``models`` models of 64 x 64 heads sharing the MAX_MEMBERSHIPS budget, 4 categories, 256-character model names."""
    per_model = dense(64, 64, 4)
    names = [(f"{m:02d} " + "a long model name " * 20)[:MAX_NAME_LENGTH] for m in range(models)]
    return pd.concat([per_model.assign(model=name) for name in names])


def unmembered(k: int) -> pd.DataFrame:
    """One head in one category and ``k`` categories whose rows all say member = false."""
    return pd.DataFrame({"layer": 0, "head": [0] + [1] * k, "category": ["A"] + [f"c{i}" for i in range(k)],
                         "member": [True] + [False] * k})


CASES = {
    # name: (what it holds, table maker, CLI options)
    "memberships": (f"256 x 256 = 65,536 heads (MAX_HEADS_TOTAL), each in 4 categories: {MAX_MEMBERSHIPS:,} "
                    "memberships (MAX_MEMBERSHIPS)", lambda: dense(256, 256, 4), ["--formats", ALL]),
    "layers": ("4,096 x 16 (MAX_LAYERS), every head in 4 categories", lambda: dense(4096, 16, 4), ["--formats", ALL]),
    "categories": (f"80 x 64, {MAX_CATEGORIES} categories (MAX_CATEGORIES) of {MAX_NAME_LENGTH}-character names "
                   "(MAX_NAME_LENGTH)", lambda: long_names(MAX_CATEGORIES, MAX_NAME_LENGTH), ["--formats", ALL]),
    "columns": (f"80 x 64 wide, {MAX_COLUMNS} columns (MAX_COLUMNS): 64 flag columns", lambda: wide(MAX_COLUMNS),
                ["--formats", ALL]),
    "too-wide": ("5,002 columns, refused", lambda: wide(5002), ["--formats", ALL]),
    "rows": ("10,000,000 rows (Parquet), 80 x 64, 4 categories", lambda: many_rows(10_000_000), ["--formats", ""]),
    "site": (f"{MAX_MODELS} models (MAX_MODELS) of 64 x 64 heads in 4 categories: {MAX_MEMBERSHIPS:,} memberships "
             f"in all (MAX_SITE_MEMBERSHIPS), {MAX_NAME_LENGTH}-character model names", lambda: site(MAX_MODELS),
             ["--formats", ALL]),
    "unmembered": ("2,001 categories, 2,000 of them without a member: refused", lambda: unmembered(2000),
                   ["--formats", ALL]),
}


def measure(case: str) -> str:
    """One line: the case, what it holds, exit status, seconds and peak memory of the build."""
    what, _, options = CASES[case]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "table.parquet"
        subprocess.run([sys.executable, __file__, "make", case, str(path)], check=True)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "reporter", "build", str(path), "-o", str(Path(tmp) / "site"),
                                  "-q", *options], env=env, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        error = child.stderr.read().decode().strip()
    code = os.waitstatus_to_exitcode(status)
    return f"{case}: {what}: exit {code}, {seconds:.1f} s, peak RSS {usage.ru_maxrss / 1024:,.0f} MB {error[:120]}"


if __name__ == "__main__":
    if sys.argv[1:2] == ["make"]:
        CASES[sys.argv[2]][1]().to_parquet(sys.argv[3])
    else:
        for name in sys.argv[1:] or CASES:
            print(measure(name), flush=True)

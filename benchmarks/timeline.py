"""Benchmark `reporter timeline` at Pythia's 154 checkpoints of a 32x32 model with 4 categories.

    python benchmarks/timeline.py            # median of 3 interleaved runs of each build
    python benchmarks/timeline.py --runs 1   # one run each
    python benchmarks/timeline.py --quick    # 20 checkpoints of 8x8: checks the script still works

Measures, in one run on one machine: the wall time and peak RSS of `reporter timeline` on one table of every
checkpoint (the default six checkpoint pages included), the size of its page (index.html, and the Vega
JavaScript it loads), and, as the baseline, `reporter build` of the last checkpoint alone. Every build is a
fresh subprocess (imports and vl-convert's start-up are part of what a user waits for), in a wrapper process
whose RUSAGE_CHILDREN gives the largest process of that build (reporter or its export helper).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
# Pythia's revisions: step0, ten log-spaced steps 1..512, then every 1,000 steps to 143,000.
PYTHIA_STEPS = (0, *(2**k for k in range(10)), *range(1000, 143001, 1000))
MEASURE = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
           "code = subprocess.run(sys.argv[1:]).returncode; s = time.perf_counter() - t; "
           "print(code, s, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)")
TARGET_SECONDS = 60
PAGE_LIMIT = 2_000_000  # bytes: index.html plus the Vega JavaScript it loads


def arrivals(rng, n: int, kind: str, steps: tuple[int, ...]) -> np.ndarray:
    """The checkpoint index at which each of ``n`` heads joins (as shares of the series, so any length works)."""
    s = len(steps)
    if kind == "jump":  # nine in ten at one interval (Pythia: steps 2,000 -> 3,000), the rest spread after it
        main = max(1, round(0.085 * s))
        return np.where(rng.random(n) < 0.9, main, rng.integers(main, s, n))
    if kind == "early":  # Pythia: steps 1 to 20,000
        return rng.integers(1, max(2, round(0.2 * s)), n)
    return rng.integers(round(0.15 * s), round(0.7 * s), n)  # late, Pythia: steps 10,000 to 90,000


def series(steps: tuple[int, ...] = PYTHIA_STEPS, n_layers: int = 32, n_heads: int = 32, seed: int = 0) -> pd.DataFrame:
    """A long table (step, layer, head, category): four categories forming as the field reports, with noise.

    Induction heads form in a jump, previous-token heads early and gradually, sink heads late (never in
    layers 0-1), and a fourth category whose heads flicker in and out (it never settles). Every membership of
    the first three also drops out at a checkpoint with probability 2%, so heads come and go.
    """
    rng = np.random.default_rng(seed)
    plans = (("Induction", range(n_layers // 6, 2 * n_layers // 3), n_layers * n_heads // 9, "jump"),
             ("Previous token", range(0, n_layers // 4), n_layers * n_heads // 10, "early"),
             ("Sink", range(2, n_layers), n_layers * n_heads // 12, "late"),
             ("Copy", range(n_layers // 3, n_layers), n_layers * n_heads // 16, "flicker"))
    frames = []
    for name, layers, n, kind in plans:
        cells = rng.choice(len(layers) * n_heads, size=n, replace=False)
        layer, head = np.array(layers)[cells // n_heads], cells % n_heads
        if kind == "flicker":
            present = rng.random((len(steps), n)) < 0.5
        else:
            present = (np.arange(len(steps))[:, None] >= arrivals(rng, n, kind, steps)[None, :])
            present &= rng.random(present.shape) >= 0.02
        s, h = np.nonzero(present)
        frames.append(pd.DataFrame({"step": np.array(steps)[s], "layer": layer[h], "head": head[h], "category": name}))
    return pd.concat(frames, ignore_index=True).sort_values(["step", "layer", "head", "category"], ignore_index=True)


def measure(args: list[str]) -> tuple[float, int]:
    """Seconds and peak RSS of one CLI run in a fresh process (exit status checked)."""
    out = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "reporter", *args],
                         capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    code, seconds, rss = out.stdout.split()
    if code != "0":
        raise SystemExit(f"reporter {' '.join(args)} failed: {out.stderr}")
    return float(seconds), int(rss)


def page_bytes(folder: Path) -> tuple[int, int]:
    """index.html and the shared Vega JavaScript it loads (0 when the page inlines it)."""
    scripts = list((folder / "assets").glob("vega-*.js")) if (folder / "assets").is_dir() else []
    return (folder / "index.html").stat().st_size, sum(p.stat().st_size for p in scripts)


def main() -> None:
    """Run both builds interleaved and print a Markdown table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()
    steps, shape = (PYTHIA_STEPS[:20], (8, 8)) if a.quick else (PYTHIA_STEPS, (32, 32))
    with tempfile.TemporaryDirectory(prefix="timeline-bench-") as tmp:
        tmp = Path(tmp)
        table = series(steps, *shape)
        table.to_parquet(tmp / "series.parquet")
        table[table["step"] == steps[-1]].drop(columns="step").to_parquet(tmp / "last.parquet")
        shape_flags = ["--layers", str(shape[0]), "--heads", str(shape[1]), "-q", "--force"]
        timeline, single = [], []
        for _ in range(1 if a.quick else a.runs):
            timeline.append(measure(["timeline", str(tmp / "series.parquet"), "-o", str(tmp / "t"), *shape_flags]))
            single.append(measure(["build", str(tmp / "last.parquet"), "-o", str(tmp / "b"), *shape_flags]))
        report(table, steps, shape, timeline, single, page_bytes(tmp / "t"), page_bytes(tmp / "b"),
               json.loads((tmp / "t" / "data" / "summary.json").read_text()))


def report(table, steps, shape, timeline, single, page, base_page, summary) -> None:
    """The results as a Markdown table."""
    t, b = (statistics.median(s for s, _ in runs) for runs in (timeline, single))
    rss_t, rss_b = (max(r for _, r in runs) / 2**20 for runs in (timeline, single))
    total = sum(page)
    print(f"{len(steps)} checkpoints x {shape[0]}x{shape[1]} heads x 4 categories, {len(table):,} membership rows; "
          f"median of {len(timeline)}\n")
    print("| measure | timeline | single-model build (last checkpoint) | target |")
    print("| --- | --- | --- | --- |")
    print(f"| wall time | {t:.1f} s | {b:.1f} s | timeline < {TARGET_SECONDS} s: {'yes' if t < TARGET_SECONDS else 'NO'} |")
    print(f"| ratio | {t / b:.1f} x | 1 | |")
    print(f"| peak RSS (largest process) | {rss_t:.0f} MiB | {rss_b:.0f} MiB | |")
    print(f"| page: index.html + Vega JS | {page[0] / 1e6:.2f} + {page[1] / 1e6:.2f} = {total / 1e6:.2f} MB | "
          f"{sum(base_page) / 1e6:.2f} MB | <= {PAGE_LIMIT / 1e6:g} MB: {'yes' if total <= PAGE_LIMIT else 'NO'} |")
    pages = sum(1 for c in summary["checkpoints"] if c["page"])
    print(f"\nThe timeline build includes {pages} checkpoint model pages and every figure as SVG, PNG and PDF.")


if __name__ == "__main__":
    main()

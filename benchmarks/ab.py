"""Compare the build time of two versions of reporter, interleaved on the same machine.

    python benchmarks/ab.py 814d6f9 .              # a commit against the working tree, 80x64, 16 builds each
    python benchmarks/ab.py HEAD~3 HEAD --shape 126x128 --runs 10
    python benchmarks/ab.py HEAD . --quick         # tiny shape, one build each: checks the script still works

A change of a few percent is smaller than the drift between two runs of
benchmarks/run.py on a shared machine (the same checkout can measure 1.43 s
and 1.58 s within an hour). Here the two versions' builds alternate, so a
load spike hits both alike, and the medians are compared. Each version is a
git revision exported into a temporary folder, or "." for this working tree;
both build the same input with a warm cache of their own, in fresh processes
run from their own folder (as the `reporter` command would be). The table is
printed as Markdown.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import CATEGORY_NAMES, EXAMPLE, category_table  # noqa: E402  (benchmarks/ is not a package)

ROOT = Path(__file__).resolve().parent.parent


def checkout(revision: str, work: Path) -> Path:
    """The folder holding ``revision`` of reporter: this tree for ".", else a `git archive` export."""
    if revision == ".":
        return ROOT
    folder = work / f"rev-{len(list(work.glob('rev-*')))}"
    folder.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", revision],
                             capture_output=True, check=False)
    if archive.returncode != 0:
        fail(f"git cannot export {revision!r}: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def input_table(shape: tuple[int, int], categories: int, work: Path) -> Path:
    """The bundled 80x64 example, else a synthetic table of that shape (as benchmarks/run.py makes it)."""
    if shape == (80, 64):
        return EXAMPLE
    path = work / f"table-{shape[0]}x{shape[1]}.csv"
    category_table(*shape, categories).to_csv(path, index=False)
    return path


def scores_table(table: Path, work: Path, seed: int = 8) -> Path:
    """The example as scores: one relation per category (its name), every head scored, members scoring high."""
    members = pd.read_csv(table)
    n_layers, n_heads = int(members["layer"].max()) + 1, int(members["head"].max()) + 1
    rng = np.random.default_rng(seed)
    frames = []
    for name in sorted(members["category"].unique()):
        mine = members[members["category"] == name]
        score = rng.uniform(0, 0.5, (n_layers, n_heads)).round(3)
        score[mine["layer"], mine["head"]] = rng.uniform(0.5, 1, len(mine)).round(3)
        frames.append(pd.DataFrame({"layer": np.repeat(np.arange(n_layers), n_heads), "head": np.tile(np.arange(n_heads), n_layers),
                                    "relation": name, "category": name, "score": score.reshape(-1)}))
    path = work / "scores.csv"
    pd.concat(frames).to_csv(path, index=False)
    return path


SCORE_RULE = ("--top-k", "200")  # about each category's own count in the example


def build_once(folder: Path, table: Path, shape: tuple[int, int], cache: Path, out: Path,
               rule: tuple[str, ...] = ()) -> tuple[float, float]:
    """One full build by the reporter in ``folder``; (wall seconds, CPU seconds of it and its helper)."""
    env = {**os.environ, "PYTHONPATH": str(folder), "REPORTER_CACHE_DIR": str(cache)}
    cmd = [sys.executable, "-m", "reporter", "build", str(table), "-o", str(out), "--layers", str(shape[0]),
           "--heads", str(shape[1]), "--formats", "svg,png,pdf", "--quiet", *rule]
    before, start = os.times(), time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=folder, capture_output=True, text=True)
    wall, after = time.perf_counter() - start, os.times()
    if done.returncode != 0:
        fail(f"the build of {folder} failed:\n{done.stderr[-2000:]}")
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def fail(message: str) -> None:
    """Stop with ``message`` on standard error and exit status 2."""
    print(f"ab.py: {message}", file=sys.stderr)
    raise SystemExit(2)


def main(argv: list[str] | None = None) -> int:
    """Build with both versions in turn and print their medians and the ratio B / A."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("a", help='the version to compare against: a git revision, or "." for this working tree')
    p.add_argument("b", help="the version compared")
    p.add_argument("--shape", default="80x64", help="layers x heads of the input (default: the bundled 80x64)")
    p.add_argument("--categories", type=int, default=10, help="categories of a synthetic input (default: 10)")
    p.add_argument("--runs", type=int, default=16, help="builds of each version (default: 16)")
    p.add_argument("--quick", action="store_true", help="an 8x6 input, 4 categories, one build each (for tests)")
    p.add_argument("--scores", action="store_true",
                   help=f"the input as per-head scores (one relation per category), built with {' '.join(SCORE_RULE)}")
    p.add_argument("--fail-above", type=float, metavar="RATIO",
                   help="exit 1 when B / A in median CPU time exceeds RATIO (CPU: a busy second core does not move it)")
    args = p.parse_args(argv)
    shape = (8, 6) if args.quick else tuple(int(n) for n in args.shape.lower().split("x"))
    runs = 1 if args.quick else args.runs
    categories = 4 if args.quick else min(args.categories, len(CATEGORY_NAMES))
    work = Path(tempfile.mkdtemp(prefix="reporter-ab-"))
    try:
        versions = {"A": checkout(args.a, work), "B": checkout(args.b, work)}
        table = input_table(shape, categories, work)
        table, rule = (scores_table(table, work), SCORE_RULE) if args.scores else (table, ())
        for name, folder in versions.items():
            compileall.compile_dir(str(folder / "reporter"), quiet=1)  # as `pip install` does
            build_once(folder, table, shape, work / f"cache-{name}", work / f"prime-{name}", rule)  # fills its cache
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in versions}
        for _ in range(runs):
            for name, folder in versions.items():
                samples[name].append(build_once(folder, table, shape, work / f"cache-{name}", work / f"out-{name}", rule))
        print(report(args.a, args.b, shape, runs, samples))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return regression(samples, args.fail_above)


def regression(samples: dict[str, list[tuple[float, float]]], limit: float | None) -> int:
    """1 (and why, on standard error) when B / A in median CPU time is above ``limit``, else 0."""
    cpu = statistics.median(c for _, c in samples["B"]) / statistics.median(c for _, c in samples["A"])
    if limit is None or cpu <= limit:
        return 0
    print(f"ab.py: B / A median CPU time is {cpu:.3f}, above the allowed {limit:.2f}: a build-time regression",
          file=sys.stderr)
    return 1


def report(a: str, b: str, shape: tuple[int, int], runs: int, samples: dict[str, list[tuple[float, float]]]) -> str:
    """The Markdown table: median and fastest wall time, median CPU, per version, then B / A."""
    def median(name: str, i: int) -> float:
        return statistics.median(s[i] for s in samples[name])

    builds = "build" if runs == 1 else "builds"
    lines = [f"# reporter A/B: {shape[0]}x{shape[1]}, {runs} interleaved {builds} each\n",
             "| version | median wall | fastest wall | median cpu |", "| --- | --- | --- | --- |"]
    for name, revision in (("A", a), ("B", b)):
        fastest = min(w for w, _ in samples[name])
        lines.append(f"| {name}: {revision} | {median(name, 0):.3f} s | {fastest:.3f} s | {median(name, 1):.3f} s |")
    lines.append(f"| B / A | {median('B', 0) / median('A', 0):.3f} | | {median('B', 1) / median('A', 1):.3f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())

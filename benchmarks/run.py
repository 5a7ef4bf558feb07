"""Benchmark reporter against the hand-written baseline and at the largest model shapes.

    python benchmarks/run.py            # full run, medians of 5 (a few minutes)
    python benchmarks/run.py --runs 3   # fewer repetitions
    python benchmarks/run.py --quick    # tiny shapes, one run each: checks the script still works

Every build runs in a fresh Python subprocess, because first-call costs
(imports, vl-convert's JavaScript runtime) are part of what a user waits for.
"warm" builds find the Vega bundle already cached in REPORTER_CACHE_DIR (the
normal case after the first build on a machine); "cold" builds get an empty
cache folder each run and pay for vl_convert.javascript_bundle() too.
The machine may be shared and noisy: runs of the things being compared are
interleaved and the verdicts use ratios of medians taken in the same run.
The table is printed as Markdown on standard output.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "reporter" / "examples" / "synthetic-80x64.csv"
BASELINE = Path(__file__).resolve().parent / "baseline.py"
PROTOTYPE = Path(__file__).resolve().parent / "classify_prototype.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
NA = "n/a"


@dataclass(frozen=True)
class Sizes:
    """The shapes one benchmark run uses."""

    seed: tuple[int, int]  # the example's shape, compared with the baseline
    large: tuple[int, int]
    large_categories: int
    score_heads: tuple[int, int]
    relations: int
    top_k: int
    runs: int


FULL = Sizes(seed=(80, 64), large=(126, 128), large_categories=10, score_heads=(126, 128), relations=100,
             top_k=160, runs=5)
QUICK = Sizes(seed=(8, 6), large=(12, 8), large_categories=5, score_heads=(6, 4), relations=5, top_k=2, runs=1)

CATEGORY_NAMES = (
    "Algorithmic", "Knowledge", "Linguistic", "Translation", "Arithmetic",
    "Copying", "Induction", "Negation", "Syntax", "Factual recall",
)


@dataclass
class Row:
    """One line of the table."""

    measure: str
    value: str
    target: str = ""
    verdict: str = ""


# ---------------------------------------------------------------- inputs


def category_table(n_layers: int, n_heads: int, n_categories: int, seed: int = 8) -> pd.DataFrame:
    """A long (layer, head, category) table: each category a band of depth, about 3.5% of the heads."""
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_categories):
        centre = n_layers * (0.2 + 0.6 * i / max(1, n_categories - 1))
        n = max(2, round(0.035 * n_layers * n_heads * (1.5 if i < 4 else 1.0)))
        layers = np.clip(np.round(rng.normal(centre, n_layers / 8, n)), 0, n_layers - 1).astype("int64")
        heads = rng.integers(0, n_heads, n)
        frames.append(pd.DataFrame({"layer": layers, "head": heads, "category": CATEGORY_NAMES[i]}))
    frame = pd.concat(frames).drop_duplicates()
    return frame.sort_values(["layer", "head", "category"]).reset_index(drop=True)


def scores_table(n_layers: int, n_heads: int, relations: int, seed: int = 3) -> pd.DataFrame:
    """One score per (head, relation): n_layers * n_heads * relations rows; ten categories of relations."""
    rng = np.random.default_rng(seed)
    n = n_layers * n_heads
    names = np.array([f"relation_{r:03d}" for r in range(relations)])
    category = np.array([CATEGORY_NAMES[r % len(CATEGORY_NAMES)] for r in range(relations)])
    rel = np.repeat(np.arange(relations), n)
    return pd.DataFrame(
        {
            "layer": np.tile(np.repeat(np.arange(n_layers), n_heads), relations),
            "head": np.tile(np.tile(np.arange(n_heads), n_layers), relations),
            # Plain strings, as a researcher's pandas frame would write them (not dictionary-encoded).
            "relation": names[rel],
            "category": category[rel],
            "score": rng.random(n * relations, dtype="float32"),
        }
    )


def make_inputs(sizes: Sizes, work: Path) -> dict[str, Path]:
    """Write the benchmark inputs into ``work``; the seed-shaped one is the bundled example."""
    paths = {}
    if sizes.seed == (80, 64):
        paths["seed"] = EXAMPLE
    else:
        paths["seed"] = work / "seed.csv"
        category_table(*sizes.seed, 4).to_csv(paths["seed"], index=False)
    paths["large"] = work / "large.csv"
    category_table(*sizes.large, sizes.large_categories).to_csv(paths["large"], index=False)
    paths["scores"] = work / "scores.parquet"
    scores_table(*sizes.score_heads, sizes.relations).to_parquet(paths["scores"], index=False)
    return paths


# ---------------------------------------------------------------- timing


def env_for(cache: Path | None) -> dict[str, str]:
    """The environment of a measured subprocess: this checkout first on the path, a given cache folder."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    if cache is not None:
        env["REPORTER_CACHE_DIR"] = str(cache)
    return env


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command to completion; return (wall seconds, CPU seconds of it and its children)."""
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = os.times()
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def reporter_cmd(*args: str) -> list[str]:
    """`python -m reporter ARGS` with this interpreter."""
    return [sys.executable, "-m", "reporter", *args]


def build_cmd(table: Path, out: Path, shape: tuple[int, int]) -> list[str]:
    """A full build: every figure in every format."""
    return reporter_cmd("build", str(table), "-o", str(out), "--layers", str(shape[0]), "--heads", str(shape[1]),
                        "--formats", "svg,png,pdf", "--quiet")


def baseline_cmd(table: Path, out: Path, shape: tuple[int, int]) -> list[str]:
    """The hand-written Altair script on the same table."""
    return [sys.executable, str(BASELINE), str(table), str(out), "--layers", str(shape[0]), "--heads", str(shape[1])]


def interleaved(commands: dict[str, tuple[list[str], callable]], runs: int) -> dict[str, list[tuple[float, float]]]:
    """Run each named command ``runs`` times, round-robin so that load spikes hit them alike.

    Each entry is (command, env-maker); the env-maker is called before every run.
    """
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (cmd, make_env) in commands.items():
            results[name].append(timed(cmd, make_env()))
    return results


def median(values: list[float]) -> float:
    """The median; the middle of the sorted runs."""
    return statistics.median(values)


def seconds(samples: list[tuple[float, float]]) -> str:
    """'1.23 s (cpu 1.10 s)' from (wall, cpu) samples."""
    return f"{median([w for w, _ in samples]):.2f} s (cpu {median([c for _, c in samples]):.2f} s)"


def verdict(ok: bool | None) -> str:
    """A table cell for a target met or missed."""
    return NA if ok is None else ("ok" if ok else "MISSED")


# ---------------------------------------------------------------- measures


def bench_builds(sizes: Sizes, inputs: dict[str, Path], work: Path) -> tuple[list[Row], dict[str, Path]]:
    """Measures 1 and 2: reporter vs baseline on the seed shape, and the large shape vs the seed shape."""
    warm_cache = work / "cache-warm"
    subprocess.run(reporter_cmd("build", str(inputs["seed"]), "-o", str(work / "prime"), "--formats", "",
                                "--quiet"), env=env_for(warm_cache), check=True, capture_output=True)
    cold_root = work / "cache-cold"

    def cold_env() -> dict[str, str]:
        shutil.rmtree(cold_root, ignore_errors=True)
        return env_for(cold_root)

    def warm_env() -> dict[str, str]:
        return env_for(warm_cache)

    sites = {"seed": work / "site-seed", "large": work / "site-large"}
    commands = {
        "baseline": (baseline_cmd(inputs["seed"], work / "baseline", sizes.seed), warm_env),
        "seed-warm": (build_cmd(inputs["seed"], sites["seed"], sizes.seed), warm_env),
        "large-warm": (build_cmd(inputs["large"], sites["large"], sizes.large), warm_env),
        "seed-cold": (build_cmd(inputs["seed"], work / "site-seed-cold", sizes.seed), cold_env),
    }
    r = interleaved(commands, sizes.runs)
    wall = {name: median([w for w, _ in samples]) for name, samples in r.items()}
    seed = "x".join(map(str, sizes.seed))
    large = f"{sizes.large[0]}x{sizes.large[1]}, {sizes.large_categories} categories"
    ratio = wall["seed-warm"] / wall["baseline"]
    cold_ratio = wall["seed-cold"] / wall["baseline"]
    large_ratio = wall["large-warm"] / wall["seed-warm"]
    rows = [
        Row(f"baseline: 5 Altair charts, .html + .png each ({seed})", seconds(r["baseline"])),
        Row(f"reporter build {seed}, svg+png+pdf, warm cache", seconds(r["seed-warm"])),
        Row(f"reporter build {seed}, svg+png+pdf, cold cache", seconds(r["seed-cold"])),
        Row("1. reporter / baseline, warm cache", f"{ratio:.2f}", "<= 0.40", verdict(ratio <= 0.4)),
        Row("1. reporter / baseline, cold cache", f"{cold_ratio:.2f}", "(info)"),
        Row(f"reporter build {large}, warm cache", seconds(r["large-warm"])),
        Row(f"2. build {sizes.large[0]}x{sizes.large[1]} / build {seed}", f"{large_ratio:.2f}", "<= 2.0",
            verdict(large_ratio <= 2.0)),
    ]
    return rows, sites


SCORES_PROBE = """
import json, resource, sys, time
from pathlib import Path
start = time.perf_counter()
from reporter.errors import ReporterError
from reporter.input.load import load
from reporter.options import Options
imported = time.perf_counter()
try:
    options = Options.from_kwargs(score_column="score", top_k=int(sys.argv[2]))
except (ReporterError, TypeError) as exc:  # the options do not exist (yet)
    print(json.dumps({"unavailable": str(exc)}))
    raise SystemExit(0)
began = time.perf_counter()
try:
    table = load(Path(sys.argv[1]), options)
except ReporterError as exc:  # the options exist but this input is refused: say why
    print(json.dumps({"refused": str(exc)}))
    raise SystemExit(0)
done = time.perf_counter()
print(json.dumps({
    "seconds": done - began, "import_seconds": imported - start,
    "memberships": len(table.memberships), "categories": len(table.categories),
    "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
}))
"""


def bench_scores(sizes: Sizes, inputs: dict[str, Path]) -> list[Row]:
    """Measure 3: load + classify a scores table of n_heads x relations rows, time and peak memory."""
    n_rows = sizes.score_heads[0] * sizes.score_heads[1] * sizes.relations
    label = f"3. load + classify {n_rows:,} score rows (top-k {sizes.top_k})"
    samples = []
    for _ in range(sizes.runs):
        done = subprocess.run([sys.executable, "-c", SCORES_PROBE, str(inputs["scores"]), str(sizes.top_k)],
                              env=env_for(None), capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"the scores probe failed:\n{done.stderr[-2000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if "unavailable" in result:
            return [Row(label, f"{NA} (scores input not available)", "<= 2 s, <= 1 GiB", NA)]
        if "refused" in result:
            return [Row(label, f"{NA} (input refused: {result['refused'][:160]})", "<= 2 s, <= 1 GiB", NA)]
        samples.append(result)
    secs = median([s["seconds"] for s in samples])
    peak = max(s["peak_rss"] for s in samples) / 2**20
    return [
        Row(label, f"{secs:.2f} s ({samples[0]['memberships']:,} memberships)", "<= 2 s", verdict(secs <= 2.0)),
        Row("3. peak memory of that process (RSS)", f"{peak:.0f} MiB", "<= 1024 MiB", verdict(peak <= 1024)),
    ]


def bench_prototype(sizes: Sizes, inputs: dict[str, Path]) -> list[Row]:
    """Measure 3 for benchmarks/classify_prototype.py, the vectorized reference (not reporter's code)."""
    cmd = [sys.executable, str(PROTOTYPE), str(inputs["scores"]), "--top-k", str(sizes.top_k)]
    samples = []
    for _ in range(sizes.runs):
        done = subprocess.run(cmd, env=env_for(None), capture_output=True, text=True, check=True)
        samples.append(json.loads(done.stdout))
    secs = median([s["seconds"] for s in samples])
    peak = max(s["peak_rss"] for s in samples) / 2**20
    return [Row("3. (reference) classify_prototype.py, same input",
                f"{secs:.2f} s, {peak:.0f} MiB peak ({samples[0]['memberships']:,} memberships)", "(info)")]


def bench_sizes(sizes: Sizes, sites: dict[str, Path]) -> list[Row]:
    """Measure 4: the size of index.html, JavaScript included."""
    rows = []
    for key, shape, limit in (("seed", sizes.seed, 1.5), ("large", sizes.large, 2.0)):
        size = (sites[key] / "index.html").stat().st_size / 1e6
        rows.append(Row(f"4. index.html size, {shape[0]}x{shape[1]}", f"{size:.2f} MB", f"<= {limit} MB",
                        verdict(size <= limit)))
    return rows


RENDER_TIMER = """
(() => {
  const done = () => {
    const figs = Array.from(document.querySelectorAll('[data-figure]'));
    return figs.length > 0 && figs.every(e => e.dataset.rendered);
  };
  const observer = new MutationObserver(() => {
    if (window.__renderedAt === undefined && done()) {
      window.__renderedAt = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-rendered']});
})();
"""


def bench_browser(sizes: Sizes, sites: dict[str, Path]) -> list[Row]:
    """Measure 5: milliseconds from navigation start until every figure is drawn, in headless Chromium."""
    labels = {key: f"5. page load to every figure drawn, {s[0]}x{s[1]}"
              for key, s in (("seed", sizes.seed), ("large", sizes.large))}
    if not Path(CHROMIUM).exists():
        return [Row(label, f"{NA} ({CHROMIUM} missing)", "<= 1.5 s", NA) for label in labels.values()]
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for key, label in labels.items():
                url = (sites[key] / "index.html").resolve().as_uri()
                times, states = [], set()
                for _ in range(max(sizes.runs, 1) + 1):  # the first visit warms Chromium's caches; dropped
                    ms, state = page_render_ms(browser, url)
                    times.append(ms)
                    states.add(state)
                secs = median(times[1:]) / 1000
                ok = states == {"true"}
                rows.append(Row(label, f"{secs:.2f} s" + ("" if ok else f" (figure states: {sorted(states)})"),
                                "<= 1.5 s", verdict(ok and secs <= 1.5)))
        finally:
            browser.close()
    return rows


def page_render_ms(browser, url: str) -> tuple[float, str]:
    """Open the page with the network blocked; return (ms until every figure rendered, the figures' states)."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    try:
        page = context.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:", "blob:"))
                   else route.abort())
        page.add_init_script(RENDER_TIMER)
        page.goto(url)
        page.wait_for_function("window.__renderedAt !== undefined", timeout=60000)
        ms = page.evaluate("window.__renderedAt")
        states = page.evaluate("Array.from(document.querySelectorAll('[data-figure]')).map(e => e.dataset.rendered)")
        return ms, "true" if all(s == "true" for s in states) else ",".join(sorted(set(states)))
    finally:
        context.close()


def bench_help(sizes: Sizes) -> list[Row]:
    """Measure 6: wall time of `reporter --help` (lazy imports), next to a bare interpreter start."""
    env = env_for(None)
    runs = max(sizes.runs * 2, 1)
    r = interleaved({"help": (reporter_cmd("--help"), lambda: env),
                     "python": ([sys.executable, "-c", "pass"], lambda: env)}, runs)
    secs = median([w for w, _ in r["help"]])
    bare = median([w for w, _ in r["python"]])
    return [Row("6. `reporter --help` wall time", f"{secs:.3f} s (bare python: {bare:.3f} s)", "<= 0.3 s",
                verdict(secs <= 0.3))]


# ---------------------------------------------------------------- report


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = ["| measure | value | target | verdict |", "| --- | --- | --- | --- |"]
    lines += [f"| {r.measure} | {r.value} | {r.target} | {r.verdict} |" for r in rows]
    return "\n".join(lines)


def machine() -> str:
    """One line about where the numbers were taken."""
    import platform

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, "
            f"load average {load:.2f} at start")


def compile_package() -> None:
    """Byte-compile reporter/ as `pip install` does, so runs from this checkout do not compile it every time.

    (PYTHONDONTWRITEBYTECODE, set on some machines, would otherwise leave every build compiling ~50 modules.)
    """
    compileall.compile_dir(str(ROOT / "reporter"), quiet=1)


def main(argv: list[str] | None = None) -> int:
    """Run every measure and print the table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="tiny shapes and one run each (for tests)")
    p.add_argument("--runs", type=int, help="repetitions per measure (median reported)")
    p.add_argument("--workdir", type=Path, help="keep inputs and outputs here instead of a temporary folder")
    p.add_argument("--skip", default="", help="comma-separated measures to skip: builds,scores,browser,help")
    args = p.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.runs:
        sizes = Sizes(**{**sizes.__dict__, "runs": args.runs})
    skip = set(filter(None, args.skip.split(",")))
    work = args.workdir or Path(tempfile.mkdtemp(prefix="reporter-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"# reporter benchmark ({'quick' if args.quick else 'full'}, median of {sizes.runs})\n", flush=True)
        print(machine() + "\n", flush=True)
        compile_package()
        inputs = make_inputs(sizes, work)
        rows: list[Row] = []
        sites: dict[str, Path] = {}
        if "builds" not in skip:
            build_rows, sites = bench_builds(sizes, inputs, work)
            rows += build_rows
            rows += bench_sizes(sizes, sites)
        if "scores" not in skip:
            rows += bench_scores(sizes, inputs)
            rows += bench_prototype(sizes, inputs)
        if "browser" not in skip and sites:
            rows += bench_browser(sizes, sites)
        if "help" not in skip:
            rows += bench_help(sizes)
        print(table(rows))
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Scores at scale: load + classify time and peak memory of partitioned Parquet datasets of 2 M to 200 M rows.

    python benchmarks/scale.py                      # 2 M, 20 M and 200 M rows (writes the data once, ~300 MB)
    python benchmarks/scale.py --prompts 1,10       # 2 M and 20 M rows only
    python benchmarks/scale.py --root /tmp/scale    # where the datasets live (default /tmp/reporter-scale)

The datasets come from benchmarks/scale_data.py (126 x 128 heads x 124 relations
x P prompts, hive-partitioned by model and relation, plus a small second model
that --model must skip). Every measure runs in a fresh Python subprocess and
reports the wall time of reading + aggregating (DuckDB, or pandas for the
baseline) and of the rule stage that follows, and the process's peak RSS.
The pandas rows are the baseline measured in the same run; they are skipped
where the whole table would not fit (above 20 M rows). The table is Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale_data import MODEL, N_HEADS, N_LAYERS, RELATIONS, write_dataset  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PANDAS_MAX_PROMPTS = 10  # 20 M rows read into pandas peak near 3 GB; 200 M would not fit in 24 GiB
TOP_K = 160

PROBE = """
import json, resource, sys, time
from reporter.input.load import load_raw
from reporter.input.sources.read import read
from reporter.options import Options
options = Options.from_kwargs(**json.loads(sys.argv[2]))
start = time.perf_counter()
raw = read(sys.argv[1], options)
read_done = time.perf_counter()
table = load_raw(raw, options)
done = time.perf_counter()
print(json.dumps({"read": read_done - start, "rule": done - read_done, "memberships": len(table.memberships),
                  "rows_back": len(raw.frame), "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def probe(path: Path, options: dict) -> dict:
    """One load + classify in a fresh interpreter; its timings and peak RSS."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PROBE, str(path), json.dumps(options)], env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the probe failed on {path}:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def row(label: str, rows: int, result: dict) -> str:
    """A Markdown table row."""
    total = result["read"] + result["rule"]
    per = total / (rows / 1e7)
    return (f"| {label} | {rows:,} | {result['read']:.1f} s | {result['rule']:.1f} s | {total:.1f} s | {per:.2f} s "
            f"| {result['peak_rss'] / 2**20:,.0f} MiB | {result['rows_back']:,} | {result['memberships']:,} |")


def main() -> int:
    """Write the datasets (once) and print the scaling table."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", type=Path, default=Path("/tmp/reporter-scale"))
    p.add_argument("--prompts", default="1,10,100")
    args = p.parse_args()
    print("| engine | score rows | read + aggregate | rule + memberships | load + classify | per 10 M rows "
          "| peak RSS | rows back | memberships |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for prompts in (int(x) for x in args.prompts.split(",")):
        folder = write_dataset(args.root, prompts)
        rows = N_LAYERS * N_HEADS * RELATIONS * prompts
        options = {"top_k": TOP_K, "model": MODEL}
        print(row("DuckDB (dataset)", rows, probe(folder, {**options, "engine": "duckdb"})), flush=True)
        if prompts <= PANDAS_MAX_PROMPTS:
            print(row("pandas (baseline)", rows, probe(folder, {**options, "engine": "pandas"})), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

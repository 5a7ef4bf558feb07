"""Measure build time and peak memory for large tables (docs/limits.md).

    python scripts/measure_limits.py rows 10000000      # a long Parquet table of N rows, 80 x 64, 4 categories
    python scripts/measure_limits.py categories 128 svg  # 80 x 64, 10,240 rows over N categories
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import reporter  # noqa: E402


def table(kind: str, n: int) -> pd.DataFrame:
    """A random long table: ``n`` rows over 4 categories, or 10,240 rows over ``n`` categories."""
    rng = np.random.default_rng(0)
    rows, k = (n, 4) if kind == "rows" else (80 * 64 * 2, n)
    names = np.array([f"category {i}" for i in range(k)])
    return pd.DataFrame({"layer": rng.integers(0, 80, rows), "head": rng.integers(0, 64, rows),
                         "category": names[rng.integers(0, k, rows)]})


def main(kind: str, n: str, formats: str = "") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "table.parquet"
        # Made in a child process so that the peak memory measured is the build's alone.
        subprocess.run([sys.executable, __file__, "make", kind, n, str(path)], check=True)
        started = time.perf_counter()
        reporter.build(path, layers=80, heads=64, formats=formats).save(Path(tmp) / "site")
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{kind}={n} formats={formats or 'none'}: {seconds:.1f} s, peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        table(sys.argv[2], int(sys.argv[3])).to_parquet(sys.argv[4])
    else:
        main(*sys.argv[1:])

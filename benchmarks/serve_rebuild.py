"""Cold `reporter build` of the 80x64 example against a warm rebuild in `reporter serve`, in one run.

    python benchmarks/serve_rebuild.py [--runs 5]

Cold: a new `reporter build` process, start to exit (interpreter, imports, a new export helper booting
vl-convert, the build, every figure as SVG, PNG and PDF, the write). Warm: `reporter serve` of the same
input and flags, the input touched; "rebuild" is the time the server reports for the rebuild and write
(its libraries imported and its export helper running since the first build), "edit to page" is from
the touch until the server's status says a new good build is served (adds the file polling). Medians.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "reporter" / "examples" / "synthetic-80x64.csv"
FLAGS = ["--layers", "80", "--heads", "64", "--kv-heads", "8", "--formats", "svg,png,pdf"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def cold(table: Path, out: Path) -> float:
    """Seconds of one `reporter build` process, start to exit."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "reporter", "build", str(table), *FLAGS, "-o", str(out), "-q"],
                   check=True, env=ENV, cwd=table.parent)
    return time.perf_counter() - started


def status(url: str) -> dict:
    """The server's state, at once."""
    with urllib.request.urlopen(f"{url}__reporter__/status", timeout=60) as answer:
        return json.loads(answer.read())


def warm(table: Path, runs: int) -> tuple[list[float], list[float], float]:
    """(rebuild seconds as the server reports them, edit-to-served seconds, first build seconds) of `serve`."""
    server = subprocess.Popen([sys.executable, "-m", "reporter", "serve", str(table), *FLAGS, "--port", "0"],
                              stdout=subprocess.PIPE, text=True, env=ENV, cwd=table.parent)
    try:
        url = server.stdout.readline().split()[1]
        first = float(server.stdout.readline().split(" in ")[1].split()[0])
        rebuilds, served = [], []
        for _ in range(runs):
            good = status(url)["good"]
            touched = time.perf_counter()
            os.utime(table)
            line = server.stdout.readline()  # "rebuilt after a change to … in S s"
            while status(url)["good"] == good:  # the line is printed once the new build is served
                time.sleep(0.01)
            served.append(time.perf_counter() - touched)
            rebuilds.append(float(line.rsplit(" in ", 1)[1].split()[0]))
        return rebuilds, served, first
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl-C: the server stops cleanly and removes its folder
        server.wait()


def main() -> None:
    """Print the medians and every run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    folder = Path(tempfile.mkdtemp(prefix="reporter-bench-serve-"))
    try:
        table = folder / EXAMPLE.name
        shutil.copyfile(EXAMPLE, table)
        cold_runs = [cold(table, folder / f"cold-{i}") for i in range(runs)]
        rebuilds, served, first = warm(table, runs)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"cold build (new process, start to exit): median {statistics.median(cold_runs):.2f} s  "
          f"runs {', '.join(f'{t:.2f}' for t in cold_runs)}")
    print(f"serve, first build in the server:       {first:.2f} s")
    print(f"serve, warm rebuild (server's own time): median {statistics.median(rebuilds):.2f} s  "
          f"runs {', '.join(f'{t:.2f}' for t in rebuilds)}")
    print(f"serve, edit to new page served:         median {statistics.median(served):.2f} s  "
          f"runs {', '.join(f'{t:.2f}' for t in served)}")
    print(f"warm rebuild / cold build: {statistics.median(rebuilds) / statistics.median(cold_runs):.2f}")


if __name__ == "__main__":
    main()

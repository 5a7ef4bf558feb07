"""Where a build's time goes, per stage: one `reporter build` under cProfile, in this process.

    python benchmarks/stages.py                      # the bundled 80x64 example, every figure as SVG, PNG, PDF
    python benchmarks/stages.py TABLE --layers 126 --heads 128

Each function's own time (not its callees') is charged to the stage of the module that defines it:
reporter's sub-packages (input = load, analysis, observe, charts, output = export, pages) and its top-level
modules (report, site = write, ...); third-party code is charged to the nearest reporter caller's stage
(the first one pstats lists), and time spent importing modules to "imports". Profiling slows Python code
more than native code, and time in threads or helper processes (vl-convert's exports) is not seen, so the
shares are indicative, not the wall time of each stage.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "reporter" / "examples" / "synthetic-80x64.csv"


def stage_of(filename: str) -> str | None:
    """The reporter stage a source file belongs to, or None outside reporter."""
    path = Path(filename)
    parts = path.parts
    if "reporter" not in parts or "site-packages" in parts:
        return None
    rest = parts[len(parts) - 1 - parts[::-1].index("reporter") + 1:]
    return rest[0] if len(rest) > 1 else path.stem


def charge(stats: pstats.Stats) -> dict[str, float]:
    """Seconds of own time per stage."""
    table = stats.stats  # {(file, line, name): (cc, nc, tt, ct, callers)}
    totals: dict[str, float] = defaultdict(float)
    for func, (_, _, own, _, callers) in table.items():
        totals[owner(func, table, callers, set())] += own
    return totals


def owner(func, table, callers, seen: set) -> str:
    """The stage of ``func``: its own, or its first reporter caller's, or "imports" for module bodies."""
    if func[2] == "<module>" or func[0].startswith("<frozen importlib"):
        return "imports"
    stage = stage_of(func[0])
    if stage or not callers or func in seen:
        return stage or "other"
    seen.add(func)
    caller = max(callers, key=lambda c: callers[c][3])  # the caller that spent the most time through it
    return owner(caller, table, table.get(caller, (0, 0, 0, 0, {}))[4], seen)


def main(argv: list[str] | None = None) -> int:
    """Profile one build and print the seconds and share of each stage, largest first."""
    argv = list(sys.argv[1:] if argv is None else argv)
    table = argv.pop(0) if argv and not argv[0].startswith("-") else str(EXAMPLE)
    out = Path(tempfile.mkdtemp(prefix="reporter-stages-")) / "site"
    sys.path.insert(0, str(ROOT))
    profile = cProfile.Profile()
    profile.enable()
    from reporter.cli import main as reporter_main
    status = reporter_main(["build", table, "-o", str(out), "--formats", "svg,png,pdf", "--quiet", *argv])
    profile.disable()
    totals = charge(pstats.Stats(profile))
    whole = sum(totals.values())
    print(f"| stage | seconds (profiled) | share |\n| --- | --- | --- |")
    shown = {stage: s for stage, s in totals.items() if s >= 0.01}
    shown["the rest"] = whole - sum(shown.values())
    for stage, seconds in sorted(shown.items(), key=lambda kv: -kv[1]):
        print(f"| {stage} | {seconds:.2f} | {seconds / whole:.0%} |")
    return status or 0


if __name__ == "__main__":
    raise SystemExit(main())

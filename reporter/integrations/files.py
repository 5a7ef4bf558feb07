"""The files a tracker gets: the one-file page, summary.json, heads.csv and every figure's exports."""

from __future__ import annotations

from pathlib import Path

REPORT_FILE = "report.html"


def attachment_files(report) -> dict[str, bytes]:
    """Files to attach to a run, keyed by relative path.

    The page is the single-file HTML: a tracker shows one artifact at a time,
    so links to side files would not resolve there.
    """
    from ..summary_json import dumps
    from ..report import heads_csv
    from ..write import exported_files

    files = {
        REPORT_FILE: report.to_html().encode("utf-8"),
        "summary.json": dumps(report.summary).encode("utf-8"),
        "heads.csv": heads_csv(report.stats).encode("utf-8"),
    }
    for name, data in exported_files(report.figures, report.options.formats):
        files[f"figures/{name}"] = data
    return files


def write_files(root: Path, files: dict[str, bytes]) -> Path:
    """Write ``files`` under ``root`` (a scratch folder) and return it."""
    for rel, data in sorted(files.items()):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root

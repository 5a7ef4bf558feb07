"""The files a tracker gets: the one-file page, summary.json, heads.csv and every figure's exports."""

from __future__ import annotations

from pathlib import Path

from ..output.write import exported_files
from ..product import Product

REPORT_FILE = "report.html"


def attachment_files(report: Product) -> dict[str, bytes]:
    """Files to attach to a run, keyed by relative path: the page, the data files and every figure's exports.

    The page is the single-file HTML: a tracker shows one artifact at a time,
    so links to side files would not resolve there. The data files and
    figures keep their paths in the site folder.
    """
    files = {REPORT_FILE: report.to_html().encode("utf-8"), **report.documents()}
    for prefix, figures in report.figure_sets().items():
        base = f"{prefix}/" if prefix else ""
        for name, data in exported_files(figures, report.formats, report.exporter):
            files[f"{base}figures/{name}"] = data
    return files


def write_files(root: Path, files: dict[str, bytes]) -> Path:
    """Write ``files`` under ``root`` (a scratch folder) and return it."""
    for rel, data in sorted(files.items()):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root

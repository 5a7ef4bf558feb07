"""The files a tracker gets: the one-file page, summary.json, heads.csv and every figure's exports."""

from __future__ import annotations

from pathlib import Path

from ..output.write import exported_files
from ..product import Product

REPORT_FILE = "report.html"


def attachment_files(report: Product) -> dict[str, bytes]:
    """Files to attach to a run, keyed by relative path: the page, the data files and every figure's exports.

    ``report.html`` is the single-file HTML: a tracker shows one artifact at a
    time, in a sandboxed frame, so links to other artifacts do not resolve
    there; a multi-model site's file holds every page and its links switch
    between them in place. A site also keeps each page at its path in the site
    folder (each opens alone), as do the data files and figures.
    """
    pages = report.pages()
    files = {REPORT_FILE: report.to_html().encode("utf-8"), **(pages if len(pages) > 1 else {}), **report.documents()}
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

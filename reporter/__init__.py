"""reporter: turn a table of attention-head categories into a static HTML report.

    reporter.build(table, **keywords) -> Report          one model (help(reporter.build) lists the keywords)
    reporter.build_site([a, b], **keywords) -> SiteReport  several models: an overview and a page per model
    reporter.build_diff(a, b, **keywords) -> DiffReport   two runs of one model shape compared

Every error a user can cause is a reporter.ReporterError: InputError, UsageError, OutputError, TrackerError.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import InputError, OutputError, ReporterError, TrackerError, UsageError

__version__ = "0.1.0"

__all__ = ["__version__", "build", "Report", "build_site", "SiteReport", "build_diff", "DiffReport",
           "build_timeline", "TimelineReport",
           "ReporterError", "InputError", "UsageError", "OutputError", "TrackerError"]

if TYPE_CHECKING:  # the real types for type checkers; at run time they are imported on first use (below)
    from .diff_report import DiffReport, build_diff
    from .report import Report, build
    from .site import SiteReport, build_site
    from .timeline_report import TimelineReport, build_timeline

LAZY = {"build": "report", "Report": "report", "build_site": "site", "SiteReport": "site",
        "build_diff": "diff_report", "DiffReport": "diff_report",
        "build_timeline": "timeline_report", "TimelineReport": "timeline_report"}


def __getattr__(name: str) -> object:
    # Lazy: `reporter --help` must not pay for pandas, altair and vl-convert.
    if name in LAZY:
        import importlib

        return getattr(importlib.import_module(f".{LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'reporter' has no attribute {name!r}")

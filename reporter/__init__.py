"""reporter: turn a table of attention-head categories into a static HTML report."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "build", "Report", "build_site", "build_diff", "build_timeline"]


def __getattr__(name: str):
    # Lazy: `reporter --help` must not pay for pandas, altair and vl-convert.
    if name in ("build", "Report"):
        from . import report

        return getattr(report, name)
    if name == "build_site":
        from .site import build_site

        return build_site
    if name == "build_diff":
        from .diff_report import build_diff

        return build_diff
    if name == "build_timeline":
        from .timeline_report import build_timeline

        return build_timeline
    raise AttributeError(f"module 'reporter' has no attribute {name!r}")

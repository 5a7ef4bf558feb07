"""reporter: turn a table of attention-head categories into a static HTML report."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "build", "Report"]


def __getattr__(name: str):
    # Lazy: `reporter --help` must not pay for pandas, altair and vl-convert.
    if name in ("build", "Report"):
        from . import report

        return getattr(report, name)
    raise AttributeError(f"module 'reporter' has no attribute {name!r}")

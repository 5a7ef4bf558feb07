"""Extras: import a tracker's optional package or say which extra installs it; turn its failures into one line."""

from __future__ import annotations

import contextlib
import importlib
from typing import TYPE_CHECKING, Iterator

from .. import __version__
from ..errors import ReporterError, TrackerError, UsageError

if TYPE_CHECKING:
    from ..product import Product

DISTRIBUTION = "attention-head-report"
# Failures raised from these packages (and OS errors: a refused connection, a full disk) are the
# tracker's, not reporter's bugs: they become one line naming the tracker and what to check.
TRACKER_PACKAGES = {"mlflow", "wandb", "requests", "urllib3", "sqlalchemy", "alembic", "google", "grpc"}
MAX_DETAIL = 300


def require(module: str, extra: str, what: str):
    """Import an optional tracker package, or say which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise UsageError(f"{what} is not installed; install it with: pip install '{DISTRIBUTION}[{extra}]'") from None


@contextlib.contextmanager
def tracker_errors(what: str, check: str) -> Iterator[None]:
    """Re-raise a tracker's own failure as a one-line TrackerError: ``what`` failed, and ``check`` says what to check."""
    try:
        yield
    except ReporterError:
        raise
    except Exception as exc:
        if not isinstance(exc, OSError) and type(exc).__module__.split(".")[0] not in TRACKER_PACKAGES:
            raise  # reporter's own bug: the CLI reports it as an internal error
        raise TrackerError(f"{what} failed: {type(exc).__name__}: {one_line(str(exc))}; {check}") from exc


def one_line(text: str) -> str:
    """The first line of a message, cut to a length that fits a terminal line or two."""
    first = (text.strip().splitlines() or [""])[0]
    return first if len(first) <= MAX_DETAIL else first[:MAX_DETAIL - 1] + "…"


def run_tags(report: Product) -> dict[str, str]:
    """What every run a report is logged to is tagged with: reporter's version and each input's SHA-256."""
    tags = {"reporter.version": __version__}
    digests = report.input_digests()
    if digests:
        tags["reporter.input_sha256"] = ",".join(digests)
    return tags

"""Extras: import a tracker's optional package, or say which extra installs it."""

from __future__ import annotations

import importlib

from ..errors import UsageError


def require(module: str, extra: str, what: str):
    """Import an optional tracker package, or say which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise UsageError(f"{what} is not installed; install it with: pip install 'reporter[{extra}]'") from None

"""The one exception hierarchy: every error a user can cause is a ReporterError."""

from __future__ import annotations


class ReporterError(Exception):
    """Base of every error reporter raises on purpose; carries its exit status."""

    exit_code = 1


class InputError(ReporterError):
    """The input table cannot be turned into a report (exit status 2)."""

    exit_code = 2


class UsageError(ReporterError):
    """The options given do not make sense together (exit status 2)."""

    exit_code = 2


class TrackerError(ReporterError):
    """An experiment tracker (MLflow, W&B) refused or could not be reached (exit status 2)."""

    exit_code = 2


class OutputError(ReporterError):
    """The output folder cannot be written safely (exit status 2)."""

    exit_code = 2

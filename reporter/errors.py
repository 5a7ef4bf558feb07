"""The one exception hierarchy: every error a user can cause is a ReporterError."""

from __future__ import annotations


MAX_MESSAGE = 1_000  # characters of a message; what it echoes from the input is cut in the middle


class ReporterError(Exception):
    """Base of every error reporter raises on purpose; carries its exit status.

    The message is one printable line whatever it quotes from the input: line
    breaks and lone surrogates become escapes, and a message longer than
    MAX_MESSAGE keeps its start and its end (where the fix is said).
    """

    exit_code = 1

    def __init__(self, message: object = "") -> None:
        super().__init__(one_line(str(message)))


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` as one printable line of at most about ``limit`` characters (escapes may add a few)."""
    if len(text) > limit:
        return f"{one_line(text[:limit * 2 // 3])} … {one_line(text[-(limit // 3):])}"
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


class InputError(ReporterError):
    """The input table cannot be turned into a report (exit status 2)."""

    exit_code = 2


class UsageError(ReporterError):
    """The options given do not make sense together (exit status 2)."""

    exit_code = 2


class OutputError(ReporterError):
    """The output folder cannot be written safely (exit status 2)."""

    exit_code = 2

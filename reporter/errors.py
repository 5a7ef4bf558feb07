"""The one exception hierarchy: every error a user can cause is a ReporterError."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import re
from typing import Any, Callable, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])  # a decorated function keeps its signature for type checkers


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


class TrackerError(ReporterError):
    """An experiment tracker (MLflow, W&B) refused or could not be reached (exit status 2)."""

    exit_code = 2


class OutputError(ReporterError):
    """The output folder cannot be written safely (exit status 2)."""

    exit_code = 2


# -- wording --------------------------------------------------------------------------------------
# Messages name options as command-line flags (``--top-k K``); the Python API says them as keywords
# (``top_k=K``). The CLI runs the library inside ``cli_words()``; anywhere else an entry point
# decorated with ``api_words`` rewrites the message of the ReporterError it raises.

_CLI = contextvars.ContextVar("reporter_cli_words", default=False)
_FLAG = re.compile(r"(?<![\w-])--([a-z][a-z-]*[a-z])(?: ([A-Z]{1,4}\b|-?\d(?:[\d.]*\d)?))?")
_NOT_KEYWORDS = {"output", "quiet", "version", "help"}


@contextlib.contextmanager
def cli_words():
    """Within this block, errors keep their command-line wording."""
    token = _CLI.set(True)
    try:
        yield
    finally:
        _CLI.reset(token)


def keyword_wording(message: str) -> str:
    """A message with every ``--flag VALUE`` said as the keyword ``flag=VALUE``."""
    def say(m: re.Match) -> str:
        name = m.group(1)
        if name in _NOT_KEYWORDS:
            return m.group(0)
        return f"{name.replace('-', '_')}={m.group(2) or ''}"
    return _FLAG.sub(say, message)


def api_words(function: F) -> F:
    """Decorate a public entry point: its ReporterErrors speak keywords, unless the CLI called it."""
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except ReporterError as exc:
            if _CLI.get():
                raise
            worded = type(exc)(keyword_wording(str(exc)))
            raise worded.with_traceback(exc.__traceback__) from exc.__cause__
    return cast(F, wrapper)


def listed(names, limit: int = 10) -> str:
    """Names joined by commas, at most ``limit`` of them, then "and N more"."""
    names = [str(n) for n in names]
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit:,} more"

"""Names: the category and model names a report shows, checked before they reach a page or a chart.

A name is data everywhere (escaped in HTML, a value in Vega datasets), but some
characters break the tools that draw it: vl-convert panics on control characters
and noncharacters (no XML can hold them), and Vega's expression parser reads a
line separator inside a string as the end of a line. Such names are refused,
never rewritten: a rewrite could merge two categories without saying so.
"""

from __future__ import annotations

import unicodedata
from typing import Iterable

from ...errors import InputError
from .limits import MAX_NAME_LENGTH

MAX_SHOWN = 60  # characters of a name echoed in a message
# Unicode categories no name may hold: controls (NUL, ESC, BS, tab, CR, LF...), line and paragraph
# separators, surrogates (a lone one cannot even be written as UTF-8) and unassigned noncharacters.
REFUSED = {"Cc": "a control character", "Zl": "a line separator", "Zp": "a paragraph separator",
           "Cs": "a lone surrogate"}
# Bidirectional embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069) reorder the text
# after them: a name holding U+202E would print every sentence quoting it backwards ("sdaeh 11"), and
# figures (SVG text) have no <bdi> to isolate it. Refused like the rest; the marks U+200E/U+200F stay.
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def shown(text: object, limit: int = MAX_SHOWN) -> str:
    """``text`` quoted for a one-line message: repr (so controls show as escapes), cut to ``limit`` characters."""
    text = str(text)
    cut = text if len(text) <= limit else text[:limit] + "…"
    return repr(cut)


def bad_character(name: str) -> tuple[int, str] | None:
    """The first character of ``name`` no name may hold, with what it is; None when every one is fine."""
    for index, char in enumerate(name):
        what = REFUSED.get(unicodedata.category(char))
        if what is None and char in BIDI_CONTROLS:
            what = "a bidirectional control"
        if what is None and is_noncharacter(char):
            what = "a noncharacter"
        if what is not None:
            return index, what
    return None


def is_noncharacter(char: str) -> bool:
    """U+FDD0..U+FDEF and the last two code points of every plane (U+FFFE, U+FFFF, U+1FFFE...)."""
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def name_problem(name: str, what: str, limit: int | None = MAX_NAME_LENGTH) -> str | None:
    """Why ``name`` (a ``what``: category, model) cannot be shown, as a one-line message; None when it can.

    ``limit`` caps its length (None: no cap; a model name is shown once a page, cut in figures).
    """
    if limit is not None and len(name) > limit:
        return (f"a {what} name is {len(name):,} characters long, more than {limit:,}; shorten it "
                f"({shown(name)}, see docs/limits.md)")
    found = bad_character(name)
    if found is None:
        return None
    index, kind = found
    code = f"U+{ord(name[index]):04X}"
    return (f"{what} name {shown(name)} holds {kind} ({code}) at character {index + 1}; "
            f"names must be printable text, so remove it from the table")


def check_names(names: Iterable[str], what: str, limit: int | None = MAX_NAME_LENGTH) -> None:
    """Raise an InputError for the first name that cannot be shown."""
    for name in names:
        problem = name_problem(str(name), what, limit)
        if problem is not None:
            raise InputError(problem)

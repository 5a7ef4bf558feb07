"""Wording: the one place numbers, counts, layer spans and lists are turned into words for every page."""

from __future__ import annotations

import math
from fractions import Fraction

NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}


def half_up(value: float | Fraction, places: int = 0) -> Fraction:
    """``value`` rounded half up to ``places`` decimals, on the exact fraction (82.35 -> 82.4, never 82.3).

    The one rounding function of every sentence: a float is read as the decimal it prints as (0.8235 as
    8235/10000), a count over a total as the exact fraction it is.
    """
    exact = value if isinstance(value, Fraction) else Fraction(repr(float(value)))
    scale, sign = 10 ** places, -1 if exact < 0 else 1  # halves away from zero, alike for both signs
    return sign * Fraction(math.floor(abs(exact) * scale + Fraction(1, 2)), scale)


def share(part: int, whole: int) -> Fraction:
    """``part`` of ``whole`` as an exact fraction (0 of nothing is 0)."""
    return Fraction(part, whole) if whole else Fraction(0)


def percent(value: float | Fraction, whole: int | None = None) -> str:
    """A share as a percentage with one decimal, half up on the exact fraction: ``percent(42, 51)`` is "82.4%".

    ``value`` alone is a share (0.8235 -> "82.4%"); with ``whole`` it is a count of it.
    """
    exact = share(int(value), whole) if whole is not None else value
    return f"{float(half_up(100 * (exact if isinstance(exact, Fraction) else Fraction(repr(float(exact)))), 1)):.1f}%"


def number(value: float, places: int = 2) -> str:
    """A ratio or an effect size for a sentence: half up to ``places`` decimals, no trailing zeros (2.018 -> "2.02")."""
    return f"{float(half_up(value, places)):g}"


def layer(value: float) -> str:
    """A (median) layer: integers without a decimal point, halves as .5."""
    return f"{value:g}"


def span(lo: int, hi: int) -> str:
    """'layers 3–9', or 'layer 3' for a window of one layer."""
    return f"layer {lo}" if lo == hi else f"layers {lo}–{hi}"


def spans_text(spans) -> str:
    """'layers 0–5 and 11–39', 'layer 3 and layers 8–9': several spans, the word 'layers' said once."""
    words = [span(lo, hi) for lo, hi in spans]
    if all(lo != hi for lo, hi in spans):
        words = [words[0]] + [w.replace("layers ", "") for w in words[1:]]
    return join(words)


def heads(n: int) -> str:
    """'1 head', '12 heads', '1,234 heads'."""
    return f"{n:,} head" if n == 1 else f"{n:,} heads"


def be(n: int) -> str:
    """'is' for one, 'are' for more (or none)."""
    return "is" if n == 1 else "are"


def number_word(n: int) -> str:
    """'two' … 'ten', else the digits."""
    return NUMBER_WORDS.get(n, str(n))


def join(words: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def head_id(layer_index: int, head_index: int) -> str:
    """A head as the field writes it: 'L9H2'."""
    return f"L{layer_index}H{head_index}"

"""Wording: the one place numbers, counts, layer spans and lists are turned into words for every page."""

from __future__ import annotations

NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}


def percent(value: float) -> str:
    """A share as a percentage with one decimal."""
    return f"{100 * value:.1f}%"


def layer(value: float) -> str:
    """A (median) layer: integers without a decimal point, halves as .5."""
    return f"{value:g}"


def span(lo: int, hi: int) -> str:
    """'layers 3–9', or 'layer 3' for a window of one layer."""
    return f"layer {lo}" if lo == hi else f"layers {lo}–{hi}"


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

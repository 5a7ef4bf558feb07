"""Colours, colour groups and legend labels: one assignment per product, the reference figure's as its first case.

The rule (tests/test_palette.py checks it):

- Every category colour is at least MIN_DELTA_E (CIE76 ΔE*ab) from the unclassified grey of light mode and
  exports (#e0e0e0) and from that of dark mode (DARK_UNCLASSIFIED_COLOR), as far as the reference figure's
  four colours are (53 to 90 from #e0e0e0).
- Heads in several categories take a family of their own (MULTI_COLORS: the reference's purple, brown and
  pink, then deeper violets), a hue range no category colour enters.
- A colour is fixed by a category's slot, never by which other labels a page happens to show: the four
  reference names keep their reference slots whenever any of them is present (so gpt2-xl's page and its
  single-model build agree), other names take the following slots in panel order; "k categories" is fixed by k.
- DISTINCT (10) colours stay apart on a 2-pixel cell. Beyond them the second cue is grouping: slot s takes
  colour s % DISTINCT and belongs to colour group s // DISTINCT; "All Categories" becomes one panel per group,
  so no panel or legend shows one colour twice, and every category keeps its own panel and highlight button.
"""

from __future__ import annotations

from itertools import count
from typing import Iterable

# Vega's category10 first four (the reference figure's categories), then six colours chosen to stay
# ΔE >= 50 from both unclassified greys and apart from each other and from the multi-category family.
CATEGORY_COLORS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#bcbd22",
    "#00c49a", "#00a6ff", "#ffd000", "#a6761d", "#66ff66",
)
DISTINCT = len(CATEGORY_COLORS)
# "2 categories", "3 categories", "4 categories" as the reference has them, then deeper violets; repeating.
MULTI_COLORS = ("#9467bd", "#8c564b", "#e377c2", "#5b2a86", "#c2185b")
MIN_DELTA_E = 50.0
REFERENCE = ("Algorithmic", "Knowledge", "Linguistic", "Translation")
UNCLASSIFIED = "Unclassified"
UNCLASSIFIED_COLOR = "#e0e0e0"
# Dark mode's unclassified grey: dark enough that the reference blue stays ΔE >= 50 from it (51; #30363d gave 43).
DARK_UNCLASSIFIED_COLOR = "#161b22"
REFERENCE_MULTIPLICITY = 4  # the reference figure lists "4 categories" … "2 categories"


def multi_label(n: int) -> str:
    """Legend label of heads that belong to ``n`` >= 2 categories."""
    return f"{n} categories"


def multi_color(n: int) -> str:
    """The colour of "n categories", the same on every page whatever the categories."""
    return MULTI_COLORS[(n - 2) % len(MULTI_COLORS)]


def slots(categories: Iterable[str]) -> dict[str, int]:
    """Each category's colour slot: reference names their reference place when any is present, others in order."""
    names = list(categories)
    pinned = any(name in REFERENCE for name in names)
    out: dict[str, int] = {name: REFERENCE.index(name) for name in names if pinned and name in REFERENCE}
    free = count(len(REFERENCE) if pinned else 0)
    for name in names:
        if name not in out:
            out[name] = next(free)
    return out


def colors_for(categories: tuple[str, ...], present: Iterable[int] = ()) -> dict[str, str]:
    """Map every legend label to its colour: categories by slot, every "k categories" by k, then Unclassified.

    ``present`` is accepted for the callers that pass it; no colour depends on it.
    """
    colors = {name: CATEGORY_COLORS[s % DISTINCT] for name, s in slots(categories).items()}
    colors.update({multi_label(k): multi_color(k) for k in range(2, len(categories) + 1)})
    colors[UNCLASSIFIED] = UNCLASSIFIED_COLOR
    return colors


def color_groups(categories: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The categories by colour group (slot // DISTINCT), in panel order; one group up to DISTINCT slots."""
    by_slot = slots(categories)
    groups = sorted({s // DISTINCT for s in by_slot.values()})
    return [tuple(c for c in categories if by_slot[c] // DISTINCT == g) for g in groups]


def is_reference(categories: Iterable[str]) -> bool:
    """Whether the categories are the reference figure's four."""
    return set(categories) == set(REFERENCE)


def multiplicities(n_categories: int, present: Iterable[int] = (), reference: bool = False) -> list[int]:
    """The "k categories" legend entries, ascending: the k some head has; 2 … 4 too for the reference four."""
    usual = range(2, REFERENCE_MULTIPLICITY + 1) if reference else ()
    return sorted(set(usual) | {k for k in present if 2 <= k <= n_categories})


def legend_order(categories: tuple[str, ...], present: Iterable[int] = ()) -> list[str]:
    """Legend entries top to bottom: the "k categories" entries descending, categories reversed, Unclassified."""
    ks = multiplicities(len(categories), present, reference=is_reference(categories))
    return [multi_label(k) for k in reversed(ks)] + list(reversed(categories)) + [UNCLASSIFIED]

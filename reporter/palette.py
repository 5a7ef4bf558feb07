"""Colours and legend labels: category10 in panel order, then the multi-category counts."""

from __future__ import annotations

from typing import Iterable

# Vega's category10 (the reference figure's colours), then tableau20's light tones and tableau's
# darker ones, so that up to 30 labels stay distinct. The grays come last: they read as
# "Unclassified". Beyond that colours repeat (a warning is logged by the caller).
CATEGORY10 = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)
EXTRA = (
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
    "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5", "#393b79",
    "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
    "#e6550d", "#31a354", "#756bb1", "#6baed6", "#636363",
)
GRAY = "#7f7f7f"
# Category10 without its gray first (it is the 8th category's only when no later colour is free).
PALETTE = tuple(c for c in CATEGORY10 if c != GRAY) + EXTRA[:-1] + (GRAY, EXTRA[-1])
UNCLASSIFIED = "Unclassified"
UNCLASSIFIED_COLOR = "#e0e0e0"
REFERENCE_MULTIPLICITY = 4  # the reference figure lists "4 categories" … "2 categories"


def multi_label(n: int) -> str:
    """Legend label of heads that belong to ``n`` >= 2 categories."""
    return f"{n} categories"


def multiplicities(n_categories: int, present: Iterable[int] = ()) -> list[int]:
    """The "k categories" legend entries, ascending: 2 … min(n, 4) as the reference has them, and any higher k present."""
    usual = range(2, min(n_categories, REFERENCE_MULTIPLICITY) + 1)
    return sorted(set(usual) | {k for k in present if REFERENCE_MULTIPLICITY < k <= n_categories})


def colors_for(categories: tuple[str, ...], present: Iterable[int] = ()) -> dict[str, str]:
    """Map every legend label to its colour: categories, then each "k categories" entry, then Unclassified.

    ``present`` are the numbers of categories some head has; every label gets its own colour up to 30.
    """
    labels = list(categories) + [multi_label(k) for k in multiplicities(len(categories), present)]
    colors = {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(labels)}
    colors[UNCLASSIFIED] = UNCLASSIFIED_COLOR
    return colors


def legend_order(categories: tuple[str, ...], present: Iterable[int] = ()) -> list[str]:
    """Legend entries top to bottom: the "k categories" entries descending, categories reversed, Unclassified."""
    multi = [multi_label(k) for k in reversed(multiplicities(len(categories), present))]
    return multi + list(reversed(categories)) + [UNCLASSIFIED]

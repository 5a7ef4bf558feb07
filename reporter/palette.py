"""Colours and legend labels: category10 in panel order, then the multi-category counts."""

from __future__ import annotations

# Vega's category10, then tableau20's light tones and a few more so that up to 30
# labels stay distinct; beyond that colours repeat (a warning is logged by the caller).
CATEGORY10 = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)
EXTRA = (
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
    "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5", "#393b79",
    "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
    "#e6550d", "#31a354", "#756bb1", "#636363", "#6baed6",
)
PALETTE = CATEGORY10 + EXTRA
UNCLASSIFIED = "Unclassified"
UNCLASSIFIED_COLOR = "#e0e0e0"


def multi_label(n: int) -> str:
    """Legend label of heads that belong to ``n`` >= 2 categories."""
    return f"{n} categories"


def colors_for(categories: tuple[str, ...]) -> dict[str, str]:
    """Map every legend label to its colour: categories, then 2..N categories, then Unclassified."""
    labels = list(categories) + [multi_label(n) for n in range(2, len(categories) + 1)]
    colors = {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(labels)}
    colors[UNCLASSIFIED] = UNCLASSIFIED_COLOR
    return colors


def legend_order(categories: tuple[str, ...]) -> list[str]:
    """Legend entries top to bottom: N..2 categories, categories reversed, Unclassified."""
    multi = [multi_label(n) for n in range(len(categories), 1, -1)]
    return multi + list(reversed(categories)) + [UNCLASSIFIED]

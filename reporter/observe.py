"""Observe: written findings drawn from a Summary -> list[Observation]."""

from __future__ import annotations

from dataclasses import dataclass, field

from .slugs import slug_map
from .summarize import CategoryStats, Summary

KINDS = ("concentration", "comparison", "sparsity", "overlap", "unclassified")


@dataclass(frozen=True)
class Observation:
    """One sentence about the data, with the numbers behind it and the figure that shows it."""

    id: str
    kind: str
    text: str
    figure: str
    category: str | None = None
    layers: tuple[int, int] | None = None
    evidence: dict = field(default_factory=dict)


def observe(summary: Summary) -> list[Observation]:
    """Write the observations the statistics support, most important first."""
    found = [concentration(summary, c) for c in summary.categories if c.heads]
    found.append(multi_category(summary))
    found.append(unclassified(summary))
    return found


def percent(value: float) -> str:
    """A share as a percentage with one decimal."""
    return f"{100 * value:.1f}%"


def concentration(summary: Summary, c: CategoryStats) -> Observation:
    """Where a category's core window lies."""
    lo, hi = c.core_layers
    text = (
        f"{percent(c.core_share)} of the {c.heads} {c.name} heads sit in layers {lo}–{hi} "
        f"(median layer {c.layer_median:g})."
    )
    return Observation(
        id=f"{slug_map(summary.table.categories)[c.name]}-core",
        kind="concentration",
        text=text,
        figure="layer-profile",
        category=c.name,
        layers=(lo, hi),
        evidence={"heads": c.heads, "core_share": round(c.core_share, 4), "layer_median": c.layer_median},
    )


def multi_category(summary: Summary) -> Observation:
    """How many heads belong to more than one category."""
    t = summary.totals
    share = t.multi_category / t.heads
    text = f"{t.multi_category} heads ({percent(share)} of all heads) belong to two or more categories."
    return Observation(
        id="multi-category",
        kind="overlap",
        text=text,
        figure="heatmaps",
        evidence={"multi_category": t.multi_category, "share_of_heads": round(share, 4)},
    )


def unclassified(summary: Summary) -> Observation:
    """How many heads have no category."""
    t = summary.totals
    share = t.unclassified / t.heads
    text = f"{t.unclassified} of {t.heads} heads ({percent(share)}) are in no category."
    return Observation(
        id="unclassified",
        kind="unclassified",
        text=text,
        figure="heatmaps",
        evidence={"unclassified": t.unclassified, "heads": t.heads, "share_of_heads": round(share, 4)},
    )

"""Alt text for every figure, written from the same statistics and observations as the page."""

from __future__ import annotations

from ..charts import Figure
from ..observe.categories import Observation
from ..analysis.summarize import Summary

# Observations a figure shows besides those that name it (the heatmaps show concentration too).
ALSO_SHOWS = {"heatmaps": ("layer-profile",)}


def caption(figure: Figure, summary: Summary) -> str:
    """What the figure draws, in a sentence: the visible caption (the observations are listed once, above)."""
    return (figure.alt_text or describe(figure.slug, summary) or figure.title).rstrip(".") + "."


def alt_text(figure: Figure, summary: Summary, observations: list[Observation]) -> str:
    """The figure's caption followed by the observations it shows: the full description for screen readers."""
    intro = caption(figure, summary)
    shown = (figure.slug,) + ALSO_SHOWS.get(figure.slug, ())
    findings = [o.text for o in observations if o.figure in shown]
    return " ".join([intro.rstrip(".") + "."] + findings)


def describe(slug: str, summary: Summary) -> str:
    """What a built-in figure draws, in one sentence."""
    t = summary.table
    names = ", ".join(t.categories) or "no categories"
    if slug == "heatmaps":
        return (f"Heatmaps of {t.n_layers} layers by {t.n_heads} heads: All Categories, then one panel per category "
                f"({names}); {summary.totals.classified:,} heads are classified")
    if slug == "layer-profile":
        return f"Bars of heads per layer for each category ({names}), each category's core window shaded"
    return ""

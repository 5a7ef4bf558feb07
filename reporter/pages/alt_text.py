"""Alt text and captions for every figure: its own description, then (for screen readers) the observations it shows."""

from __future__ import annotations

from ..charts import Figure
from ..observe.categories import Observation


def caption(figure: Figure) -> str:
    """What the figure draws, in a sentence: the visible caption (the observations are listed once, above)."""
    return (figure.alt_text or figure.title).rstrip(".") + "."


def alt_text(figure: Figure, observations: list[Observation]) -> str:
    """The figure's caption followed by the observations that name it or a figure it also shows: the full
    description for screen readers."""
    shown = (figure.slug, *figure.also_shows)
    findings = [o.text for o in observations if o.figure in shown]
    return " ".join([caption(figure)] + findings)

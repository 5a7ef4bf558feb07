"""Alt text for every figure: its own description followed by the observations it shows."""

from __future__ import annotations

from ..charts import Figure
from ..observe.categories import Observation


def alt_text(figure: Figure, observations: list[Observation]) -> str:
    """The figure's description (or its title) followed by the observations that name it or a figure it also shows."""
    intro = figure.alt_text or figure.title
    shown = (figure.slug, *figure.also_shows)
    findings = [o.text for o in observations if o.figure in shown]
    return " ".join([intro.rstrip(".") + "."] + findings)

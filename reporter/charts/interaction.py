"""Signals shared by every figure so one page script can drive them all.

Each figure is a separate vega-embed view; templates/partials/embed.js sets
these top-level signals in every view with ``view.signal(name, value)``.
``highlight`` is a category or legend label ('' for none); ``layer_range``
is ``[lo, hi)`` in layer units from the layer-profile brush ([] for none).
"""

from __future__ import annotations

import altair as alt

from .vega_safe import literal

HIGHLIGHT = "highlight"
LAYER_RANGE = "layer_range"
LAYER_BRUSH = "layer_brush"
DIM = 0.15


def highlight_param() -> dict:
    """The ``highlight`` signal, empty until a category is picked."""
    return {"name": HIGHLIGHT, "value": ""}


def layer_range_param() -> dict:
    """The ``layer_range`` signal, empty until layers are brushed."""
    return {"name": LAYER_RANGE, "value": []}


def layer_brush(views: list[str]) -> dict:
    """An interval selection over layers, which dragging in any of ``views`` sets."""
    return {"name": LAYER_BRUSH, "select": {"type": "interval", "encodings": ["x"]}, "views": views}


def picked(*fields: str, label: str | None = None, lists: tuple[str, ...] = ()) -> str:
    """A Vega expression true when nothing is highlighted or the datum belongs to the highlight.

    ``fields`` hold one category name; ``label`` a legend label; ``lists`` a
    ``", "``-joined list of category names.
    """
    tests = [f"{HIGHLIGHT} === ''"]
    tests += [f"datum[{literal(f)}] === {HIGHLIGHT}" for f in fields + ((label,) if label else ())]
    tests += [f"indexof(split(datum[{literal(f)}], ', '), {HIGHLIGHT}) >= 0" for f in lists]
    return " || ".join(tests)


def in_layer_range(start: str = "datum.layer", end: str = "datum.layer + 1") -> str:
    """A Vega expression true when no range is brushed or [start, end) meets it."""
    return f"length({LAYER_RANGE}) < 2 || ({end} > {LAYER_RANGE}[0] && {start} < {LAYER_RANGE}[1])"


def emphasis(*tests: str | dict) -> alt.OpacityValue:
    """An opacity encoding: full when every test holds, dimmed otherwise.

    A typed channel: given a plain dict, Altair searches the schema for its class (most of a figure's build time).
    """
    test = tests[0] if len(tests) == 1 else {"and": [f"({t})" if isinstance(t, str) else t for t in tests]}
    return alt.OpacityValue(condition={"test": test, "value": 1.0}, value=DIM)


def legend_or_highlight(pick: str, match: str) -> dict:
    """A test that follows the legend selection ``pick`` until the page sets ``highlight``.

    The exported spec (no page script) keeps its own legend highlighting; on
    the page the script mirrors legend clicks into ``highlight``.
    """
    return {"or": [{"and": [f"{HIGHLIGHT} === ''", {"param": pick}]}, {"and": [f"{HIGHLIGHT} !== ''", f"({match})"]}]}

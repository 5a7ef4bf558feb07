"""Compose Altair charts into one figure's Vega-Lite spec.

Each mark is an Altair chart, turned into a dict by its own ``to_dict()``; the
layers, concatenations and top-level block are put together here as dicts.
Altair's ``alt.layer``/``alt.concat`` deep-copy every subchart, and the
subcharts of each subchart again, to merge the params they might carry: that
copying was 70% of the time to build the report's figures (docs/performance.md).
The figures keep their params at the top (signals the page sets, one brush
shared by several rows), so there is nothing to merge.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Iterable

import altair as alt
from altair.utils.schemapi import debug_mode

from .theme import GRID_SPACING, config

def unchecked() -> AbstractContextManager:
    """A block in which Altair builds charts without validating each object as it is made.

    That validation is a third of the time to build a figure; tests/test_chart_specs.py
    validates every finished spec against the Vega-Lite schema instead.
    """
    return debug_mode(False)


def unit(chart: alt.Chart) -> dict:
    """One chart as a dict to nest in a composition: no ``$schema``, config or datasets of its own."""
    return chart.to_dict(validate=False, context={"top_level": False})


def part(chart: alt.Chart | dict) -> dict:
    """A chart made with Altair, or a composition made here, as a dict."""
    return chart if isinstance(chart, dict) else unit(chart)


def layer(*charts: alt.Chart, **properties: object) -> dict:
    """Charts drawn over each other, the first at the bottom; ``properties`` are title, width, height…"""
    return {"layer": [unit(c) for c in charts], **properties}


def concat(parts: Iterable[alt.Chart | dict], columns: int, **properties: object) -> dict:
    """Parts in a grid of ``columns`` columns, row by row."""
    return {"concat": [part(p) for p in parts], "columns": columns, **properties}


def hconcat(*parts: alt.Chart | dict, **properties: object) -> dict:
    """Parts side by side."""
    return {"hconcat": [part(p) for p in parts], **properties}


def vconcat(*parts: alt.Chart | dict, **properties: object) -> dict:
    """Parts one above the other."""
    return {"vconcat": [part(p) for p in parts], **properties}


def row_axis(values: list, fmt: str, labelled: bool) -> alt.Axis:
    """The x axis of one of several stacked rows that share it: ticks on each, labels and title on the bottom one.

    Labels repeated on every row add nothing to read, and vl-convert measures each one (see theme.config).
    """
    return alt.Axis(values=values, format=fmt) if labelled else alt.Axis(values=values, labels=False, title=None)


def independent_colors(spec: dict) -> dict:
    """The composition with a colour scale per part, so each part keeps its own legend and domain."""
    return {**spec, "resolve": {"scale": {"color": "independent"}}}


def figure_spec(body: alt.Chart | dict, params: Iterable[dict] = (), names: Iterable[str] | None = None,
                fit: dict | None = None) -> dict:
    """The top-level spec of a figure: schema, ``params`` (signals and selections), the shared config and its fit.

    ``names`` are the names from the input that the figure shows (categories,
    models): the config cuts long ones short. None: assume some are long.
    ``fit`` (fit_grid, fit_stretch) tells the page how the figure adapts to
    the room it has (usermeta: Vega-Lite ignores it); without one the page
    only shrinks a figure too wide for its box.
    """
    spec = {"$schema": alt.SCHEMA_URL, **part(body), "config": config(names)}
    params = list(params)
    if params:
        spec["params"] = params
    if fit:
        spec["usermeta"] = {"fit": fit}
    return spec


# Room beside a panel for its y axis (title, labels, ticks), in pixels: an estimate the page corrects.
AXIS_ROOM = 36


def fit_grid(panel_width: int, panels: int, legend: Iterable[str] = (), axis: int = AXIS_ROOM,
             grow: float = 1.0) -> dict:
    """A concat of ``panels`` panels ``panel_width`` wide that the page reflows into as many columns as fit.

    ``legend`` are the legend labels beside the first panel (their room is estimated from their length);
    when every panel fits in one row with room to spare the page may enlarge them up to ``grow`` times.
    """
    labels = list(legend)
    legend_room = 34 + 7 * max((len(label) for label in labels), default=0) if labels else 0
    return {"kind": "grid", "width": panel_width, "panels": panels, "step": panel_width + axis + GRID_SPACING,
            "extra": min(legend_room, 200), "grow": grow}


def fit_stretch(width: int, widest: int) -> dict:
    """Rows ``width`` wide that the page stretches (up to ``widest``) or shrinks to fill its box."""
    return {"kind": "stretch", "width": width, "max": widest}

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

from .theme import config
from .vega_safe import safe_spec

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


def figure_spec(body: alt.Chart | dict, params: Iterable[dict] = (), names: Iterable[str] | None = None) -> dict:
    """The top-level spec of a figure: schema, ``params`` (signals and selections) and the shared config.

    ``names`` are the names from the input that the figure shows (categories,
    models): the config cuts long ones short. None: assume some are long. Every
    name reaches the spec's text through ``safe_spec``.
    """
    names = None if names is None else list(names)
    spec = safe_spec({"$schema": alt.SCHEMA_URL, **part(body), "config": config(names)}, names)
    params = list(params)
    if params:
        spec["params"] = params
    return spec

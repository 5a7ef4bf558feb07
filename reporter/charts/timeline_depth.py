"""Figure `timeline-depth`: where in depth each category sits at each checkpoint (median layer, core window band)."""

from __future__ import annotations

import altair as alt

from ..analysis.timeline import Timeline
from .compose import figure_spec, fit_stretch, layer, vconcat
from .figure import DataTable, Figure
from .heatmaps import ticks
from .interaction import highlight_param
from .theme import TEXT
from .timeline import STEPS_DATA, WIDEST, WIDTH, names_of, step_records, step_x

ROW_HEIGHT = 90


def make(t: Timeline) -> Figure:
    """One row per category: its core window as a band over steps and its median layer as a line."""
    last = len(t.categories) - 1
    rows = [depth_row(t, i, i == last) for i in range(len(t.categories))]
    spec = figure_spec(vconcat(*rows, spacing=10), params=[highlight_param()], names=names_of(t),
                       fit=fit_stretch(WIDTH, WIDEST))
    alt_text = ("For each category, its core window (the shortest run of layers holding 80% of its heads) as a band "
                "and its median layer as a line, at each checkpoint that has heads of it")
    return Figure(slug="timeline-depth", title="Where each category sits in depth across training", spec=spec,
                  datasets={STEPS_DATA: step_records(t)}, alt_text=alt_text, tables=(depth_table(t),))


def depth_row(t: Timeline, index: int, labelled: bool) -> dict:
    """One category's band and median line; the last row labels the step axis."""
    c = t.categories[index]
    n_layers = t.series.first.n_layers
    x = step_x(t, labelled)
    y = alt.Y("lo:Q", title="layer", scale=alt.Scale(domain=[0, n_layers], nice=False),
              axis=alt.Axis(values=ticks(n_layers), format="d"))
    base = alt.Chart(alt.Data(name=STEPS_DATA)).transform_filter(f"datum.ci === {index} && isValid(datum.median)")
    tooltip = [alt.Tooltip("step:Q", format=","), alt.Tooltip("heads:Q"), alt.Tooltip("median:Q", title="median layer"),
               alt.Tooltip("lo:Q", title="core window from"), alt.Tooltip("hi_end:Q", title="core window to (excl.)")]
    band = base.mark_area(color=c.color, opacity=0.25, interpolate="step-after").encode(x=x, y=y, y2=alt.Y2("hi_end"),
                                                                                       tooltip=tooltip)
    median = base.mark_line(color=TEXT, strokeWidth=1.5, point=alt.OverlayMarkDef(size=14, filled=True, color=c.color)).encode(
        x=x, y=alt.Y("median:Q", title="layer", scale=alt.Scale(domain=[0, n_layers], nice=False)), tooltip=tooltip)
    title = {"text": c.name, "anchor": "start", "fontSize": 12, "offset": 4}
    return layer(band, median, title=title, width=WIDTH, height=ROW_HEIGHT)


def depth_table(t: Timeline) -> DataTable:
    """Median layer and core window of each category at each checkpoint."""
    def cell(p) -> str:
        return "–" if p.layer_median is None else f"{p.layer_median:g} ({p.core_layers[0]}–{p.core_layers[1]})"

    rows = tuple((f"{step:,}",) + tuple(cell(c.steps[s]) for c in t.categories) for s, step in enumerate(t.steps))
    return DataTable("Median layer (core window) of each category at each checkpoint; – : no heads.",
                     (t.series.axis,) + tuple(names_of(t)), rows)

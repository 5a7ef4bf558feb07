"""Figure `layer-profile`: heads per layer for each category, core window marked."""

from __future__ import annotations

import altair as alt

from ..analysis.summarize import Summary
from . import Figure
from .heatmaps import panel_size, ticks
from .compose import figure_spec, layer, row_axis, vconcat
from .interaction import emphasis, highlight_param, layer_brush, picked
from .theme import MUTED

ROW_HEIGHT = 70


def profile_records(summary: Summary) -> list[dict]:
    """Heads per (category, layer) with the category's index ``ci`` and the bar's far edge; zero rows dropped."""
    index = {name: i for i, name in enumerate(summary.table.categories)}
    p = summary.profile[summary.profile["heads"] > 0]
    return [
        {"ci": index[c], "category": c, "layer": int(layer), "layer_end": int(layer) + 1, "heads": int(n)}
        for c, layer, n in zip(p["category"], p["layer"], p["heads"])
    ]


def core_records(summary: Summary) -> list[dict]:
    """One record per category that has a core window."""
    return [
        {
            "ci": i,
            "category": c.name,
            "lo": c.core_layers[0],
            "hi_end": c.core_layers[1] + 1,
            "window": f"layers {c.core_layers[0]}–{c.core_layers[1]}",
            "share": round(c.core_share, 4),
        }
        for i, c in enumerate(summary.categories)
        if c.core_layers is not None
    ]


def layer_profile(summary: Summary) -> Figure:
    """One row per category: bars of heads per layer over a band marking the core window."""
    t = summary.table
    width, _ = panel_size(t.n_layers, t.n_heads)
    width = max(width * 2, 480)
    peak = int(summary.profile["heads"].max()) if len(summary.profile) else 1
    scale = alt.Scale(domain=[0, t.n_layers], nice=False)
    last = len(t.categories) - 1
    rows = [category_row(summary, i, scale, row_axis(ticks(t.n_layers), "d", i == last), width, max(peak, 1))
            for i in range(len(t.categories))]
    if rows:
        # One brush shared by every row: dragging over layers in any row sets it.
        brush = layer_brush([bars_view(i) for i in range(len(rows))])
        spec = figure_spec(vconcat(*rows, spacing=8), params=[brush, highlight_param()], names=t.categories)
    else:
        spec = figure_spec(alt.Chart(alt.Data(values=[{}])).mark_text(text="no categories"), names=())
    datasets = {"profile": profile_records(summary), "core": core_records(summary)}
    return Figure(slug="layer-profile", title="Heads per layer, by category", spec=spec, datasets=datasets)


def bars_view(index: int) -> str:
    """The name of category ``index``'s bars, the view the layer brush is drawn in."""
    return f"profile_bars_{index}"


def category_row(summary: Summary, index: int, scale: alt.Scale, axis: alt.Axis, width: int, peak: int) -> dict:
    """Heads per layer of one category, its core window as a shaded band."""
    stats = summary.categories[index]
    y = alt.Y("heads:Q", title=stats.name, scale=alt.Scale(domain=[0, peak], nice=False),
              axis=alt.Axis(tickCount=3, format="d", titleAngle=0, titleAlign="right", titleBaseline="middle", titleX=-28))
    band = (
        alt.Chart(alt.Data(name="core"))
        .transform_filter(f"datum.ci === {index}")
        .mark_rect(color=stats.color, opacity=0.12)
        .encode(
            x=alt.X("lo:Q", scale=scale, axis=axis, title="layer"),
            x2=alt.X2("hi_end"),
            tooltip=[alt.Tooltip("window:N", title="core window"), alt.Tooltip("share:Q", title="share of heads", format=".0%")],
        )
    )
    bars = (
        alt.Chart(alt.Data(name="profile"))
        .transform_filter(f"datum.ci === {index}")
        .mark_rect(color=stats.color)
        .encode(
            x=alt.X("layer:Q", scale=scale, axis=axis, title="layer"),
            x2=alt.X2("layer_end"),
            y=y,
            y2=alt.Y2(datum=0),
            opacity=emphasis(picked("category")),
            tooltip=[alt.Tooltip("layer:Q"), alt.Tooltip("heads:Q", title="heads")],
        )
    )
    return layer(band, bars.properties(name=bars_view(index)), width=width, height=ROW_HEIGHT)


__all__ = ["layer_profile", "MUTED"]

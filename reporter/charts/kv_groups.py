"""Figure `kv-groups`: heads of one grouped-query KV group side by side, and whether categories cluster in them."""

from __future__ import annotations

import math

import altair as alt

from ..analysis.kv_groups import group_size
from ..palette import UNCLASSIFIED
from ..analysis.summarize import Summary
from . import Figure
from .heatmaps import heads_records, panel_size, score_tooltips, ticks
from .compose import figure_spec, hconcat, independent_colors, layer
from .interaction import emphasis, highlight_param, in_layer_range, layer_range_param, picked

MIN_ROW = 4  # pixels per head row at least, so separators stay visible


def separator_records(n_heads: int, size: int) -> list[dict]:
    """One record per boundary between KV groups."""
    return [{"boundary": b} for b in range(size, n_heads, size)]


def clustering_records(summary: Summary, kv_heads: int) -> list[dict]:
    """Observed and chance same-group pairs per tested category."""
    return [
        {"category": r.category, "pairs": r.pairs, "expected": round(r.expected, 3), "p_value": round(r.p_value, 4)}
        for r in summary.kv_groups
        if r.tested
    ]


def kv_groups(summary: Summary, kv_heads: int) -> Figure:
    """The layer x head grid with KV-group separators beside observed vs chance same-group pairs."""
    t = summary.table
    size = group_size(t.n_heads, kv_heads)
    width, height = panel_size(t.n_layers, t.n_heads)
    width, height = max(width, 240), max(height, MIN_ROW * t.n_heads)
    grid = grid_panel(summary, size, width, height)
    stats = clustering_records(summary, kv_heads)
    body = independent_colors(hconcat(grid, pairs_panel(summary, height), spacing=40)) if stats else grid
    # Validated against the schema by tests/test_chart_specs.py, not at every build.
    spec = figure_spec(body, params=[highlight_param(), layer_range_param()], names=summary.table.categories)
    datasets = {
        "heads": heads_records(summary),
        "kv_separators": separator_records(t.n_heads, size),
        "kv_clustering": stats,
    }
    return Figure(slug="kv-groups", title=f"Grouped-query view: {kv_heads} KV groups of {size} heads",
                  spec=spec, datasets=datasets, alt_text=alt_text(summary, kv_heads, size))


def grid_panel(summary: Summary, size: int, width: int, height: int) -> dict:
    """Every classified head by legend label; white rules between KV groups."""
    t = summary.table
    order = list(summary.legend)
    xs = alt.Scale(domain=[0, t.n_layers], nice=False)
    ys = alt.Scale(domain=[0, t.n_heads], nice=False, reverse=True)
    x = alt.X("layer:Q", title="layer", scale=xs,
              axis=alt.Axis(values=ticks(t.n_layers), format="d"))
    y = alt.Y("head:Q", title=f"head (KV groups of {size})", scale=ys,
              axis=alt.Axis(values=list(range(0, t.n_heads + 1, size * max(1, math.ceil(t.n_heads / size / 16)))), format="d"))
    color = alt.Color("label:N", title=None, scale=alt.Scale(domain=order, range=[summary.colors[l] for l in order]),
                      legend=alt.Legend(orient="bottom", columns=4, values=[l for l in order if l != UNCLASSIFIED]))
    cells = alt.Chart(alt.Data(name="heads")).mark_rect().encode(
        x=x, x2=alt.X2("layer_end"), y=y, y2=alt.Y2("head_end"), color=color,
        opacity=emphasis(picked(label="label", lists=("categories",)), in_layer_range()),
        tooltip=[alt.Tooltip("layer:Q"), alt.Tooltip("head:Q"), alt.Tooltip("kv_group:Q", title="KV group"),
                 alt.Tooltip("categories:N"), *score_tooltips(summary)],
    ).transform_calculate(kv_group=f"floor(datum.head / {size})")
    background = alt.Chart(alt.Data(values=[{"x": 0, "x2": t.n_layers, "y": 0, "y2": t.n_heads}])).mark_rect(
        color=summary.colors[UNCLASSIFIED]).encode(x=alt.X("x:Q", scale=xs), x2=alt.X2("x2"), y=alt.Y("y:Q", scale=ys), y2=alt.Y2("y2"))
    rules = alt.Chart(alt.Data(name="kv_separators")).mark_rule(color="#333333", strokeWidth=1.5).encode(
        y=alt.Y("boundary:Q", scale=ys))
    return layer(background, cells, rules, title="Heads by KV group", width=width, height=height)


def pairs_panel(summary: Summary, height: int) -> dict:
    """Same-layer, same-group pairs per category: bar observed, tick what shuffles give."""
    order = list(summary.table.categories)
    y = alt.Y("category:N", sort=order, title=None)
    tooltip = [alt.Tooltip("category:N"), alt.Tooltip("pairs:Q", title="same-group pairs"),
               alt.Tooltip("expected:Q", title="by chance", format=".1f"), alt.Tooltip("p_value:Q", title="p", format=".3g")]
    base = alt.Chart(alt.Data(name="kv_clustering")).encode(y=y, tooltip=tooltip, opacity=emphasis(picked("category")))
    bars = base.mark_bar().encode(
        x=alt.X("pairs:Q", title="same-group pairs (bar) vs chance (tick)"),
        color=alt.Color("category:N", scale=alt.Scale(domain=order, range=[summary.colors[c] for c in order]), legend=None),
    )
    chance = base.mark_tick(thickness=2, size=18).encode(x=alt.X("expected:Q"))
    return layer(bars, chance, title="Do categories share KV groups?", width=220, height=min(height, 28 * len(order)))


def alt_text(summary: Summary, kv_heads: int, size: int) -> str:
    """What the figure draws; the numbers come from the kv-groups observation that follows it."""
    return (
        f"Heads of the {summary.table.n_layers}-layer model in {kv_heads} KV groups of {size} consecutive heads, "
        "coloured by category with lines between groups; beside it, per category, pairs of its heads sharing a layer "
        "and a KV group (bar) against what shuffles within layers give (tick)"
    )

"""Figure `kv-groups`: heads of one grouped-query KV group side by side, and whether categories cluster in them."""

from __future__ import annotations

import math

import altair as alt

from ..analysis.kv_groups import group_size
from ..palette import UNCLASSIFIED
from ..analysis.summarize import Summary
from .figure import DataTable, Figure
from .heatmaps import heads_records, panel_size, score_tooltips, ticks
from .compose import concat, figure_spec, fit_grid, independent_colors, layer
from .theme import SEPARATOR
from .interaction import emphasis, highlight_param, in_layer_range, layer_range_param, picked

MIN_ROW = 4  # pixels per head row at least, so separators stay visible
PAIRS_WIDTH = 300
PAIRS_ROW = 30  # pixels per category in the pairs panel


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


def make(source) -> Figure | None:
    """The registry's entry point (charts.REPORT_FIGURES): only when the model's KV heads are known."""
    return kv_groups(source.summary, source.kv_heads) if source.kv_heads else None


def kv_groups(summary: Summary, kv_heads: int) -> Figure:
    """The layer x head grid with KV-group separators beside observed vs chance same-group pairs."""
    t = summary.table
    size = group_size(t.n_heads, kv_heads)
    width, height = panel_size(t.n_layers, t.n_heads)
    width, height = max(width, 240), max(height, MIN_ROW * t.n_heads)
    grid = grid_panel(summary, size, width, height)
    stats = clustering_records(summary, kv_heads)
    panels = [grid, pairs_panel(summary, stats)] if stats else [grid]
    # A grid of up to two columns: the page puts the pairs under the heads when they do not fit beside them.
    body = independent_colors(concat(panels, columns=len(panels), spacing=40))
    # Validated against the schema by tests/test_chart_specs.py, not at every build.
    spec = figure_spec(body, params=[highlight_param(), layer_range_param()], names=summary.table.categories,
                       fit=fit_grid(max(width, PAIRS_WIDTH), len(panels), axis=90, grow=1.6))
    datasets = {
        "heads": heads_records(summary),
        "kv_separators": separator_records(t.n_heads, size),
        "kv_clustering": stats,
    }
    return Figure(slug="kv-groups", title=f"Grouped-query view: {kv_heads} KV groups of {size} heads",
                  spec=spec, datasets=datasets, alt_text=alt_text(summary, kv_heads, size),
                  tables=(kv_table(stats),))


def grid_panel(summary: Summary, size: int, width: int, height: int) -> dict:
    """Every classified head by legend label; white rules between KV groups."""
    t = summary.table
    order = list(summary.legend)
    xs = alt.Scale(domain=[0, t.n_layers], nice=False)
    ys = alt.Scale(domain=[0, t.n_heads], nice=False, reverse=True)
    x = alt.X("layer:Q", title="layer", scale=xs,
              axis=alt.Axis(values=ticks(t.n_layers), format="d"))
    y = alt.Y("head:Q", title=f"head (KV groups of {size})", scale=ys,
              axis=alt.Axis(values=group_ticks(t.n_heads, size), format="d"))
    color = alt.Color("label:N", title=None, scale=alt.Scale(domain=order, range=[summary.colors[l] for l in order]),
                      legend=alt.Legend(orient="bottom", columns=2, values=order))
    cells = alt.Chart(alt.Data(name="heads")).mark_rect().encode(
        x=x, x2=alt.X2("layer_end"), y=y, y2=alt.Y2("head_end"), color=color,
        opacity=emphasis(picked(label="label", lists=("categories",)), in_layer_range()),
        tooltip=[alt.Tooltip("layer:Q"), alt.Tooltip("head:Q"), alt.Tooltip("kv_group:Q", title="KV group"),
                 alt.Tooltip("categories:N"), *score_tooltips(summary)],
    ).transform_calculate(kv_group=f"floor(datum.head / {size})")
    background = alt.Chart(alt.Data(values=[{"x": 0, "x2": t.n_layers, "y": 0, "y2": t.n_heads}])).mark_rect(
        color=summary.colors[UNCLASSIFIED]).encode(x=alt.X("x:Q", scale=xs), x2=alt.X2("x2"), y=alt.Y("y:Q", scale=ys), y2=alt.Y2("y2"))
    rules = alt.Chart(alt.Data(name="kv_separators")).mark_rule(color=SEPARATOR, strokeWidth=1.5).encode(
        y=alt.Y("boundary:Q", scale=ys))
    return layer(background, cells, rules, title="Heads by KV group", width=width, height=height)


def group_ticks(n_heads: int, size: int) -> list[int]:
    """The first head of every KV group (of every few groups when there are more than 16), never past the last head."""
    return list(range(0, n_heads, size * max(1, math.ceil(n_heads / size / 16))))


def pairs_panel(summary: Summary, stats: list[dict]) -> dict:
    """Same-layer, same-group pairs per category: bar observed, tick what shuffles give, on an axis holding both."""
    order = list(summary.table.categories)
    y = alt.Y("category:N", sort=order, title=None)
    tooltip = [alt.Tooltip("category:N"), alt.Tooltip("pairs:Q", title="same-group pairs"),
               alt.Tooltip("expected:Q", title="by chance", format=".1f"), alt.Tooltip("p_value:Q", title="p", format=".3g")]
    top = max([r["pairs"] for r in stats] + [r["expected"] for r in stats] + [1])
    x_scale = alt.Scale(domain=[0, top * 1.1], nice=False)
    base = alt.Chart(alt.Data(name="kv_clustering")).encode(y=y, tooltip=tooltip, opacity=emphasis(picked("category")))
    bars = base.mark_bar(size=PAIRS_ROW * 3 // 5).encode(
        x=alt.X("pairs:Q", title="same-group pairs (bar) vs chance (tick)", scale=x_scale, axis=alt.Axis(format="d")),
        color=alt.Color("category:N", scale=alt.Scale(domain=order, range=[summary.colors[c] for c in order]), legend=None),
    )
    chance = base.mark_tick(thickness=2, size=PAIRS_ROW * 4 // 5).encode(x=alt.X("expected:Q", scale=x_scale))
    return layer(bars, chance, title="Do categories share KV groups?", width=PAIRS_WIDTH, height=PAIRS_ROW * len(stats))


def kv_table(stats: list[dict]) -> DataTable:
    """Per tested category: same-layer, same-group pairs against chance, and the permutation p-value."""
    rows = tuple((r["category"], str(r["pairs"]), f"{r['expected']:.1f}", f"{r['p_value']:.3g}") for r in stats)
    return DataTable("Pairs of same-category heads in one layer and one KV group, against shuffles of heads within "
                     "layers (categories with too few heads are not tested).",
                     ("category", "same-group pairs", "by chance", "p"), rows)


def alt_text(summary: Summary, kv_heads: int, size: int) -> str:
    """What the figure draws; the numbers come from the kv-groups observation that follows it."""
    return (
        f"Heads of the {summary.table.n_layers}-layer model in {kv_heads} KV groups of {size} consecutive heads, "
        "coloured by category with lines between groups; beside it, per category, pairs of its heads sharing a layer "
        "and a KV group (bar) against what shuffles within layers give (tick)"
    )

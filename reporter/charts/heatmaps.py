"""Figure `heatmaps`: categories over layer x head, the reference figure."""

from __future__ import annotations

import functools

import altair as alt

from ..palette import UNCLASSIFIED, UNCLASSIFIED_COLOR, color_groups
from ..analysis.summarize import Summary
from .figure import DataTable, Figure
from .compose import concat, figure_spec, fit_grid, independent_colors, layer
from .interaction import emphasis, highlight_param, in_layer_range, layer_range_param, legend_or_highlight, picked

ALL_CATEGORIES = "All Categories"
# A panel's longer side is PANEL pixels (cells of at most MAX_CELL), so a 12x12 model gets 16-pixel
# cells and a 126x128 one 2-pixel cells; the page shrinks panels that do not fit its width.
PANEL = 260
MAX_CELL = 16
MIN_SIDE = 120
ALL_CELLS = "all_categories_cells"  # the view whose legend the legend_pick selection binds to
LEGEND_PICK = {
    "name": "legend_pick",
    "select": {"type": "point", "fields": ["label"], "toggle": "true"},
    "bind": "legend",
}


def ticks(n: int) -> list[int]:
    """Tick values every ``n // 5`` steps from 0 up to ``n``."""
    step = max(1, n // 5)
    return list(range(0, n + 1, step))


def panel_size(n_layers: int, n_heads: int) -> tuple[int, int]:
    """Panel width and height in pixels: square cells, the longer side PANEL (cells at most MAX_CELL)."""
    scale = min(MAX_CELL, PANEL / max(n_layers, n_heads))
    return max(MIN_SIDE, round(n_layers * scale)), max(MIN_SIDE * 2 // 3, round(n_heads * scale))


@functools.lru_cache(maxsize=4)
def heads_records(summary: Summary) -> list[dict]:
    """One record per classified head; ``c<i>`` is 1 when it is in category i; its best score when there are scores.

    Made once per summary: the heatmaps and the grouped-query view share this dataset (read only).
    Each record carries its cell's far edges (``layer_end``, ``head_end``): a
    Vega calculate transform per panel would cost a fifth of drawing the
    heatmaps (0.04 s at 80x64, 0.15 s at 126x128, measured) for 9% more data.
    """
    h = summary.heads
    records = []
    member = {
        i: set(summary.table.memberships.loc[summary.table.memberships["category"] == name, ["layer", "head"]].itertuples(index=False, name=None))
        for i, name in enumerate(summary.table.categories)
    }
    best = best_by_head(summary)
    for layer, head, categories, label in zip(h["layer"], h["head"], h["categories"], h["label"]):
        row = {**cell(layer, head), "categories": categories, "label": label}
        for i in member:
            if (layer, head) in member[i]:
                row[f"c{i}"] = 1
        row.update(best.get((int(layer), int(head)), {}))
        records.append(row)
    return records


def cell(layer: int, head: int) -> dict:
    """A head's grid cell: its layer and head and the far edges of its rect (see heads_records)."""
    return {"layer": int(layer), "layer_end": int(layer) + 1, "head": int(head), "head_end": int(head) + 1}


def best_by_head(summary: Summary) -> dict[tuple[int, int], dict]:
    """(layer, head) -> {"score": …, "relation": …} of its best score in its categories; empty without scores."""
    best = summary.best_scores
    if best is None:
        return {}
    fields = [c for c in ("score", "relation") if c in best.columns]
    return {
        (int(layer), int(head)): {f: (round(float(v), 4) if f == "score" else str(v)) for f, v in zip(fields, values)}
        for layer, head, *values in best[["layer", "head", *fields]].itertuples(index=False, name=None)
    }


def score_tooltips(summary: Summary) -> list[alt.Tooltip]:
    """Tooltip lines for a head's best score and its relation, when the input has them."""
    s = summary.table.scores
    if s is None or s.empty:
        return []
    lines = [alt.Tooltip("score:Q", title="best score", format=".3f")]
    return lines + ([alt.Tooltip("relation:N", title="best relation")] if "relation" in s.columns else [])


def make(source) -> Figure:
    """The registry's entry point (charts.REPORT_FIGURES)."""
    return heatmaps(source.summary)


def heatmaps(summary: Summary) -> Figure:
    """The "All Categories" panel, then one panel per category, in panel order."""
    t = summary.table
    width, height = panel_size(t.n_layers, t.n_heads)
    x = alt.X("layer:Q", title="layer", scale=alt.Scale(domain=[0, t.n_layers], nice=False, zero=True),
              axis=alt.Axis(values=ticks(t.n_layers), format="d", labelFlush=True))
    y = alt.Y("head:Q", title="head", scale=alt.Scale(domain=[0, t.n_heads], nice=False, reverse=True),
              axis=alt.Axis(values=ticks(t.n_heads), format="d"))
    groups = color_groups(t.categories) or [()]
    panels = [all_panel(summary, g, len(groups), x, y, width, height) for g in range(len(groups))]
    # A category not measured for this model has no panel (an empty one would read as zero heads).
    panels += [category_panel(summary, i, x, y, width, height) for i in measured_indexes(summary)]
    # Independent colour scales keep each legend beside its "All Categories" panel, the only panels with one.
    body = independent_colors(concat(panels, columns=min(len(panels), 5)))
    legend_pick = {**LEGEND_PICK, "views": [all_cells_view(g) for g in range(len(groups))]}
    # Validated against the schema by tests/test_chart_specs.py, not at every build.
    spec = figure_spec(body, params=[legend_pick, highlight_param(), layer_range_param()], names=t.categories,
                       fit=fit_grid(width, len(panels), summary.legend, grow=1.4))
    datasets = {
        "heads": heads_records(summary),
        "background": [{"layer": 0, "layer_end": t.n_layers, "head": 0, "head_end": t.n_heads, "label": UNCLASSIFIED}],
    }
    return Figure(slug="heatmaps", title="Categories over layer × head", spec=spec, datasets=datasets,
                  alt_text=alt_text(summary), tables=(heads_by_layer(summary),), also_shows=("layer-profile",))


def alt_text(summary: Summary) -> str:
    """What the heatmaps draw, in one sentence (the page adds the observations they show)."""
    t = summary.table
    names = ", ".join(summary.categories[i].name for i in measured_indexes(summary)) or "no categories"
    return (f"Heatmaps of {t.n_layers} layers by {t.n_heads} heads: All Categories, then one panel per category "
            f"({names}); {summary.totals.classified:,} heads are classified")


def measured_indexes(summary: Summary) -> list[int]:
    """Panel indexes of the categories measured for this model (all of them unless scores left some out)."""
    return [i for i, c in enumerate(summary.categories) if c.measured]


def heads_by_layer(summary: Summary) -> DataTable:
    """Per layer with classified heads: the head indexes of each measured category."""
    names = tuple(summary.categories[i].name for i in measured_indexes(summary))
    m = summary.table.memberships.sort_values(["layer", "head"], kind="stable")
    cells: dict[tuple[int, str], list[str]] = {}  # (layer, category) -> its heads, ascending
    for layer_, head, name in zip(m["layer"].tolist(), m["head"].tolist(), m["category"].tolist()):
        cells.setdefault((layer_, name), []).append(str(head))
    layers = sorted({layer_ for layer_, _ in cells})
    rows = [(str(layer_),) + tuple(", ".join(cells.get((layer_, name), ())) or "–" for name in names) for layer_ in layers]
    caption = (f"Heads of each category, per layer (layers with no classified head are left out; "
               f"{summary.totals.unclassified:,} of {summary.totals.heads:,} heads are unclassified).")
    return DataTable(caption, ("layer",) + tuple(names), tuple(rows))


def background(x: alt.X, y: alt.Y, color: alt.Color | alt.ValueChannelMixin) -> alt.Chart:
    """One rect covering the whole layer x head grid: the unclassified heads."""
    return alt.Chart(alt.Data(name="background")).mark_rect().encode(
        x=x, x2=alt.X2("layer_end"), y=y, y2=alt.Y2("head_end"), color=color, tooltip=alt.TooltipValue(None)
    )


def head_cells(data_filter: str | None, x: alt.X, y: alt.Y, color, more_tooltips: list[alt.Tooltip],
               data: str = "heads") -> alt.Chart:
    """One rect per classified head of dataset ``data``, optionally filtered (to one category, one checkpoint)."""
    chart = alt.Chart(alt.Data(name=data))
    if data_filter:
        chart = chart.transform_filter(data_filter)
    # aria=False: thousands of per-head aria-labels help no screen reader (the figure has its
    # own label), double the SVG export and cost a string per head on every redraw.
    return chart.mark_rect(aria=False).encode(
        x=x,
        x2=alt.X2("layer_end"),
        y=y,
        y2=alt.Y2("head_end"),
        color=color,
        opacity=emphasis(legend_or_highlight(LEGEND_PICK["name"], picked(label="label", lists=("categories",))),
                         in_layer_range()),
        tooltip=[
            alt.Tooltip("layer:Q", title="layer"),
            alt.Tooltip("head:Q", title="head"),
            alt.Tooltip("categories:N", title="categories"),
            *more_tooltips,
        ],
    )


def all_cells_view(group: int) -> str:
    """The name of colour group ``group``'s "All Categories" cells, the views the legend pick binds to."""
    return ALL_CELLS if group == 0 else f"{ALL_CELLS}_{group + 1}"


def all_panel(summary: Summary, group: int, n_groups: int, x, y, width: int, height: int) -> dict:
    """Every classified head coloured by its legend label, with the legend; one panel per colour group.

    Past palette.DISTINCT categories colours repeat from group to group (the palette's second cue): each
    group's panel holds the heads of its own categories, so no panel shows one colour twice.
    """
    t = summary.table
    members = color_groups(t.categories)[group] if t.categories else ()
    order = [label for label in summary.legend if label not in t.categories or label in members]
    color = alt.Color(
        "label:N",
        title=None,
        scale=alt.Scale(domain=order, range=[summary.colors[label] for label in order]),
        legend=alt.Legend(orient="right", values=order),
        sort=order,
    )
    index = {name: i for i, name in enumerate(t.categories)}
    only = None if n_groups == 1 else " || ".join(f"datum.c{index[name]} === 1" for name in members)
    cells = head_cells(only, x, y, color, score_tooltips(summary)).properties(name=all_cells_view(group))
    title = ALL_CATEGORIES if n_groups == 1 else f"{ALL_CATEGORIES}, group {group + 1} of {n_groups}"
    return layer(background(x, y, color), cells, title=title, width=width, height=height)


def category_panel(summary: Summary, index: int, x, y, width: int, height: int) -> dict:
    """One category's heads in its colour over light gray."""
    stats = summary.categories[index]
    cells = head_cells(f"datum.c{index} === 1", x, y, alt.ColorValue(stats.color), score_tooltips(summary))
    return layer(background(x, y, alt.ColorValue(UNCLASSIFIED_COLOR)), cells, title=stats.name, width=width, height=height)

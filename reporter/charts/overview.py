"""Overview figures: several models side by side, lined up on normalized depth."""

from __future__ import annotations

from typing import Callable

import altair as alt

from ..analysis.across_models import ModelComparison
from ..palette import UNCLASSIFIED, legend_order
from . import Figure, made_in_turn
from .compose import concat, figure_spec, fit_grid, fit_stretch, layer, row_axis, vconcat
from .heatmaps import ALL_CATEGORIES, cell, ticks
from .interaction import emphasis, highlight_param, picked
from .theme import MUTED, TEXT

# The depth profiles: one panel per model (its place and name tell it apart: colour means category on every
# page), a row per category; PANEL_AXIS is the room the share axis takes beside a panel.
PANEL_WIDTH = 220
PANEL_ROW = 34
PANEL_AXIS = 44
DEPTH_TITLE = "depth (layer / (layers − 1))"
PROFILE_WIDTH = 560
CORE_ROW = 18
MEDIAN_COLOR = TEXT
WIDEST = 1400
GRID_COLUMNS = 4
GRID_CELL = 5  # pixels per layer and head at most in a small multiple
GRID_PANEL = 260  # the longer side of a small multiple, at most


def build_overview_figures(cmp: ModelComparison, on_figure: Callable[[Figure], None] | None = None) -> dict[str, Figure]:
    """Every figure of the overview page, keyed by slug in page order; ``on_figure`` as in build_figures."""
    return made_in_turn((model_heatmaps, core_windows, depth_profiles), cmp, on_figure)


def shown_names(cmp: ModelComparison) -> list[str]:
    """The names from the input an overview figure shows: categories and models."""
    return [*cmp.categories, *(m.name for m in cmp.models)]


def grid_records(cmp: ModelComparison) -> list[dict]:
    """Every classified head of every model: model index ``m``, its cell (see heatmaps.heads_records), categories, label."""
    return [
        {"m": m, **cell(layer, head), "categories": cats, "label": label}
        for m, s in enumerate(cmp.summaries)
        for layer, head, cats, label in zip(s.heads["layer"], s.heads["head"], s.heads["categories"], s.heads["label"])
    ]


def model_heatmaps(cmp: ModelComparison) -> Figure:
    """Small multiples: one "All Categories" heatmap per model, one shared legend."""
    present = {n for summary in cmp.summaries for n, heads in summary.by_n_categories if heads}
    order = legend_order(cmp.categories, present)
    color = alt.Color("label:N", title=None, sort=order, legend=alt.Legend(orient="right", values=order),
                      scale=alt.Scale(domain=order, range=[cmp.colors[label] for label in order]))
    panels = [grid_panel(cmp, m, color) for m in range(len(cmp.models))]
    widest = max((grid_size(r.n_layers, r.n_heads)[0] for r in cmp.models), default=GRID_PANEL)
    spec = figure_spec(concat(panels, columns=min(len(panels), GRID_COLUMNS)) if panels else empty_chart(),
                       names=shown_names(cmp), fit=fit_grid(widest, len(panels), order) if panels else None)
    datasets = {
        "model_heads": grid_records(cmp),
        "model_background": [
            {"m": m, "layer": 0, "layer_end": r.n_layers, "head": 0, "head_end": r.n_heads, "label": UNCLASSIFIED}
            for m, r in enumerate(cmp.models)
        ],
    }
    alt_text = f"{ALL_CATEGORIES} heatmaps of {len(cmp.models)} models, layer by head, one panel per model."
    return Figure(slug="model-heatmaps", title=f"{ALL_CATEGORIES}, model by model", spec=spec, datasets=datasets,
                  alt_text=alt_text)


def grid_panel(cmp: ModelComparison, m: int, color: alt.Color) -> dict:
    """One model's heads over its own layer x head grid."""
    r = cmp.models[m]
    width, height = grid_size(r.n_layers, r.n_heads)
    x = alt.X("layer:Q", title="layer", scale=alt.Scale(domain=[0, r.n_layers], nice=False, zero=True),
              axis=alt.Axis(values=ticks(r.n_layers), format="d", labelFlush=True))
    y = alt.Y("head:Q", title="head", scale=alt.Scale(domain=[0, r.n_heads], nice=False, reverse=True),
              axis=alt.Axis(values=ticks(r.n_heads), format="d"))
    back = alt.Chart(alt.Data(name="model_background")).transform_filter(f"datum.m === {m}").mark_rect().encode(
        x=x, x2=alt.X2("layer_end"), y=y, y2=alt.Y2("head_end"), color=color, tooltip=alt.TooltipValue(None))
    cells = (
        alt.Chart(alt.Data(name="model_heads"))
        .transform_filter(f"datum.m === {m}")
        .mark_rect()
        .encode(x=x, x2=alt.X2("layer_end"), y=y, y2=alt.Y2("head_end"), color=color,
                tooltip=[alt.Tooltip("layer:Q"), alt.Tooltip("head:Q"), alt.Tooltip("categories:N")])
    )
    # The name over its shape, so a long name does not widen the panel's column (the models table has it whole).
    title = {"text": [r.name, f"{r.n_layers}×{r.n_heads}"], "limit": GRID_PANEL}
    return layer(back, cells, title=title, width=width, height=height)


def grid_size(n_layers: int, n_heads: int) -> tuple[int, int]:
    """A small multiple's width and height: near-square cells, the longer side at most GRID_PANEL."""
    scale = min(GRID_CELL, GRID_PANEL / max(n_layers, n_heads))
    return max(80, round(n_layers * scale)), max(60, round(n_heads * scale))


def empty_chart() -> alt.Chart:
    """A placeholder when there is nothing to draw."""
    return alt.Chart(alt.Data(values=[{}])).mark_text(text="no models")


def profile_records(cmp: ModelComparison) -> list[dict]:
    """Heads per (model, category, layer), zeros included so lines drop to zero."""
    index = {name: i for i, name in enumerate(cmp.categories)}
    p = cmp.profile
    return [
        {"m": int(m), "model": cmp.models[int(m)].name, "ci": index[c], "category": c, "layer": int(layer),
         "depth": round(float(d), 4), "heads": int(h), "share": round(float(s), 4)}
        for m, c, layer, d, h, s in zip(p["model"], p["category"], p["layer"], p["depth"], p["heads"], p["share_of_layer"])
    ]


def depth_profiles(cmp: ModelComparison) -> Figure:
    """Small multiples, one panel per model: a row per category, the share of each layer's heads in it over depth.

    A panel is a model (its name over it, the panels in the order of the heatmaps above), a row a category in
    its own colour: models are told apart by place and name, so no model needs a colour or a dash to learn,
    and colour keeps meaning category. Every row shares one y scale, so rows compare across panels.
    """
    peak = max((r["share"] for r in profile_records(cmp)), default=0.0) or 1.0
    panels = [model_profile(cmp, m, peak) for m in range(len(cmp.models))]
    body = concat(panels, columns=min(len(panels), GRID_COLUMNS)) if panels and cmp.categories else empty_chart()
    fit = fit_grid(PANEL_WIDTH, len(panels), axis=PANEL_AXIS) if panels and cmp.categories else None
    spec = figure_spec(body, params=[highlight_param()], names=shown_names(cmp), fit=fit)
    alt_text = ("For each model (one panel each) and category (one row each), the share of each layer's heads "
                "that belong to the category, plotted against depth.")
    return Figure(slug="depth-profiles", title="Where each category sits in depth, model by model", spec=spec,
                  datasets={"depth_profile": profile_records(cmp)}, alt_text=alt_text)


def model_profile(cmp: ModelComparison, m: int, peak: float) -> dict:
    """One model's panel: a row per category, the depth axis labelled on the bottom row."""
    r = cmp.models[m]
    last = len(cmp.categories) - 1
    rows = [profile_row(cmp, m, i, peak, last=i == last) for i in range(len(cmp.categories))]
    return vconcat(*rows, spacing=4, title={"text": [r.name, f"{r.n_layers}×{r.n_heads}"], "limit": GRID_PANEL})


def profile_row(cmp: ModelComparison, m: int, index: int, peak: float, last: bool) -> dict:
    """One category's per-layer share in model ``m``: an area in the category's colour under its line."""
    name, tint = cmp.categories[index], cmp.colors[cmp.categories[index]]
    x = alt.X("depth:Q", title=DEPTH_TITLE, scale=alt.Scale(domain=[0, 1], nice=False),
              axis=row_axis([0, 0.25, 0.5, 0.75, 1], ".2f", last))
    y = alt.Y("share:Q", title=None, scale=alt.Scale(domain=[0, peak], nice=False),
              # [peak, 0], not the domain's [0, peak]: vega_safe drops guide values equal to the domain.
              axis=alt.Axis(values=[peak, 0], format=".0%"))
    tooltip = [alt.Tooltip("model:N"), alt.Tooltip("category:N"), alt.Tooltip("layer:Q"),
               alt.Tooltip("depth:Q", format=".2f"), alt.Tooltip("heads:Q", title="heads"),
               alt.Tooltip("share:Q", title="share of the layer", format=".1%")]
    base = alt.Chart(alt.Data(name="depth_profile")).transform_filter(f"datum.m === {m} && datum.ci === {index}")
    opacity = emphasis(picked("category"))
    area = base.mark_area(color=tint, opacity=0.35).encode(x=x, y=y, opacity=opacity)
    line = base.mark_line(color=tint, strokeWidth=1.5).encode(
        x=x, y=y, opacity=opacity, tooltip=tooltip)
    title = {"text": name, "anchor": "start", "fontSize": 11, "offset": 2}
    if name in cmp.summaries[m].table.unmeasured:  # no relation of it was scored: not zero heads, no line at 0
        return layer(not_measured(x, y), title=title, width=PANEL_WIDTH, height=PANEL_ROW)
    return layer(area, line, title=title, width=PANEL_WIDTH, height=PANEL_ROW)


def not_measured(x: alt.X, y: alt.Y) -> alt.Chart:
    """The words "not measured" in a row's axes, where a model scored no relation of the category."""
    return alt.Chart(alt.Data(values=[{"depth": 0.5, "share": 0}])).mark_text(
        text="not measured", baseline="bottom", dy=-4, color=MUTED).encode(x=x, y=y)


def core_records(cmp: ModelComparison) -> list[dict]:
    """One record per (model, category) with heads: core window, IQR and median, in depth."""
    index = {name: i for i, name in enumerate(cmp.categories)}
    models = {m.slug: i for i, m in enumerate(cmp.models)}
    return [
        {"m": models[c.slug], "model": c.model, "ci": index[c.category], "category": c.category, "heads": c.heads,
         "lo": c.core_depth[0], "hi": c.core_depth[1], "q1": c.q1_depth, "q3": c.q3_depth, "median": c.median_depth,
         "window": f"layers {c.core_layers[0]}–{c.core_layers[1]}", "share": round(c.core_share, 4)}
        for c in cmp.cells
        if c.heads
    ]


def core_windows(cmp: ModelComparison) -> Figure:
    """One row per category: each model's core window (band), IQR (bar) and median (tick) in depth."""
    rows = [core_row(cmp, i) for i in range(len(cmp.categories))]
    spec = figure_spec(vconcat(*rows, spacing=12) if rows else empty_chart(), names=shown_names(cmp),
                       fit=fit_stretch(PROFILE_WIDTH, WIDEST))
    alt_text = ("For each category and model, the core window (shortest run of layers holding 80% of the heads) "
                "as a light band, the interquartile range as a bar and the median as a tick, in depth.")
    return Figure(slug="core-windows", title="Core windows side by side", spec=spec,
                  datasets={"core_windows": core_records(cmp)}, alt_text=alt_text, after="partials/core_table.html")


def core_row(cmp: ModelComparison, index: int) -> dict:
    """One category's windows, one line per model."""
    name = cmp.categories[index]
    tint = cmp.colors[name]
    names = [m.name for m in cmp.models]
    scale = alt.Scale(domain=[0, 1], nice=False)
    axis = alt.Axis(values=[0, 0.25, 0.5, 0.75, 1], format=".2f")
    x = alt.X("lo:Q", title=DEPTH_TITLE, scale=scale, axis=axis)
    y = alt.Y("model:N", title=None, sort=names, scale=alt.Scale(domain=names))
    tooltip = [alt.Tooltip("model:N"), alt.Tooltip("heads:Q"), alt.Tooltip("window:N", title="core window"),
               alt.Tooltip("share:Q", title="in core", format=".0%"), alt.Tooltip("median:Q", title="median depth", format=".2f")]
    base = alt.Chart(alt.Data(name="core_windows")).transform_filter(f"datum.ci === {index}")
    band = base.mark_bar(color=tint, opacity=0.3, height=CORE_ROW - 4).encode(x=x, x2=alt.X2("hi"), y=y, tooltip=tooltip)
    iqr = base.mark_bar(color=tint, height=6).encode(x=alt.X("q1:Q", scale=scale, axis=axis, title=DEPTH_TITLE), x2=alt.X2("q3"),
                                                     y=y, tooltip=tooltip)
    median = base.mark_tick(color=MEDIAN_COLOR, thickness=2, size=CORE_ROW - 2).encode(
        x=alt.X("median:Q", scale=scale, axis=axis, title=DEPTH_TITLE), y=y, tooltip=tooltip)
    return layer(band, iqr, median, title=name, width=PROFILE_WIDTH, height=CORE_ROW * max(1, len(names)))


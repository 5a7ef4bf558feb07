"""Overview figures: several models side by side, lined up on normalized depth."""

from __future__ import annotations

from typing import Callable

import altair as alt

from ..analysis.across_models import ModelComparison
from ..palette import UNCLASSIFIED, legend_order
from . import Figure, made_in_turn
from .compose import concat, figure_spec, fit_grid, fit_stretch, layer, row_axis, vconcat
from .heatmaps import ALL_CATEGORIES, cell, ticks
from .theme import INK, TEXT

# Models are told apart by line dash and point shape, never by colour: colour means category on every page
# (each row's lines take its category's colour).
MODEL_DASHES = ([1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [12, 4], [4, 2, 1, 2], [1, 3], [10, 2, 2, 2, 2, 2])
MODEL_SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "triangle-right", "wedge")
DEPTH_TITLE = "depth (layer / (layers − 1))"
PROFILE_WIDTH = 560
PROFILE_HEIGHT = 80
CORE_ROW = 18
MEDIAN_COLOR = TEXT
WIDEST = 1400
GRID_COLUMNS = 4
GRID_CELL = 5  # pixels per layer and head at most in a small multiple
GRID_PANEL = 260  # the longer side of a small multiple, at most


def build_overview_figures(cmp: ModelComparison, on_figure: Callable[[Figure], None] | None = None) -> dict[str, Figure]:
    """Every figure of the overview page, keyed by slug in page order; ``on_figure`` as in build_figures."""
    return made_in_turn((model_heatmaps, core_windows, depth_profiles), cmp, on_figure)


def model_marks(cmp: ModelComparison) -> tuple[list[str], list[list[int]], list[str]]:
    """Model names in order, their line dashes and their point shapes (repeating past eight models)."""
    names = [m.name for m in cmp.models]
    n = len(MODEL_DASHES)
    return names, [MODEL_DASHES[i % n] for i in range(len(names))], [MODEL_SHAPES[i % n] for i in range(len(names))]


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
    order = [label for label in legend_order(cmp.categories, range(len(cmp.categories) + 1)) if label in cmp.colors]
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
    """One row per category: the share of each layer's heads in it, one line per model, over depth."""
    names, dashes, shapes = model_marks(cmp)
    # Every model in ink (one merged legend of ink symbols): a model's dash and shape tell it apart, and
    # no line takes a category's colour, so a model is never read as a category.
    legend = alt.Legend(labelLimit=400, symbolSize=60, symbolStrokeWidth=1.5, orient="bottom", direction="vertical")
    models = (alt.Color("model:N", title="model", sort=names, scale=alt.Scale(domain=names, range=[INK] * len(names)),
                        legend=legend),
              alt.StrokeDash("model:N", title="model", sort=names, scale=alt.Scale(domain=names, range=dashes), legend=legend),
              alt.Shape("model:N", title="model", sort=names, scale=alt.Scale(domain=names, range=shapes), legend=legend))
    peak = max((r["share"] for r in profile_records(cmp)), default=0.0) or 1.0
    rows = [profile_row(cmp, i, models, peak, last=i == len(cmp.categories) - 1) for i in range(len(cmp.categories))]
    spec = figure_spec(vconcat(*rows, spacing=10) if rows else empty_chart(), names=shown_names(cmp),
                       fit=fit_stretch(PROFILE_WIDTH, WIDEST))
    alt_text = ("For each category, the share of each layer's heads that belong to it, plotted against depth, "
                "one line per model (models told apart by line dash and point shape).")
    return Figure(slug="depth-profiles", title="Where each category sits in depth, model by model", spec=spec,
                  datasets={"depth_profile": profile_records(cmp)}, alt_text=alt_text)


def profile_row(cmp: ModelComparison, index: int, models: tuple, peak: float, last: bool) -> alt.Chart:
    """One category's per-layer share in every model; the ``last`` row labels the depth axis."""
    name = cmp.categories[index]
    color, dash, shape = models
    return (
        alt.Chart(alt.Data(name="depth_profile"))
        .transform_filter(f"datum.ci === {index}")
        .mark_line(point=alt.OverlayMarkDef(size=18, filled=True), strokeWidth=1.5)
        .encode(
            x=alt.X("depth:Q", title=DEPTH_TITLE, scale=alt.Scale(domain=[0, 1], nice=False),
                    axis=row_axis([0, 0.25, 0.5, 0.75, 1], ".2f", last)),
            y=alt.Y("share:Q", title=name, scale=alt.Scale(domain=[0, peak], nice=False),
                    axis=alt.Axis(tickCount=3, format=".0%", titleAngle=0, titleAlign="right",
                                  titleBaseline="middle", titleX=-40)),
            color=color,
            strokeDash=dash,
            shape=shape,
            detail="m:N",
            tooltip=[alt.Tooltip("model:N"), alt.Tooltip("layer:Q"), alt.Tooltip("depth:Q", format=".2f"),
                     alt.Tooltip("heads:Q", title="heads"), alt.Tooltip("share:Q", title="share of the layer", format=".1%")],
        )
        .properties(width=PROFILE_WIDTH, height=PROFILE_HEIGHT)
    )


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


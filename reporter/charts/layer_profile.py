"""Figure `layer-profile`: heads per layer for each category, core window marked."""

from __future__ import annotations

import altair as alt

from ..analysis.summarize import CategoryStats, Summary
from ..observe.categories import Observation
from .figure import DataTable, Figure
from .heatmaps import measured_indexes, ticks
from .compose import concat, figure_spec, fit_grid, fit_stretch, layer, row_axis, vconcat
from .interaction import emphasis, highlight_param, layer_brush, picked

ROW_HEIGHT = 70
WIDTH = 520  # pixels the rows are drawn (and exported) at; the page stretches them up to widest()
WIDEST = 1400
LAYER_PX = 24  # the widest a layer's bar is drawn: a 12-layer model's profile is not stretched into blocks
CONCENTRATED = "core window"
NOT_CONCENTRATED = "core window (not a concentration)"


def make(source) -> Figure:
    """The registry's entry point (charts.REPORT_FIGURES): drawn after the tests, from the observations."""
    return layer_profile(source.summary, source.observations)


def concentrated(c: CategoryStats, observations: tuple[Observation, ...]) -> bool:
    """Whether an observation claims that ``c`` concentrates in its core window (else the window is only the shortest 80%)."""
    return c.core_layers is not None and any(
        o.kind == "concentration" and o.category == c.name and o.layers is not None and tuple(o.layers) == c.core_layers
        for o in observations)


def profile_records(summary: Summary) -> list[dict]:
    """Heads per (category, layer) with the category's index ``ci`` and the bar's far edge; zero rows dropped."""
    index = {name: i for i, name in enumerate(summary.table.categories)}
    p = summary.profile[summary.profile["heads"] > 0]
    return [
        {"ci": index[c], "category": c, "layer": int(layer_), "layer_end": int(layer_) + 1, "heads": int(n)}
        for c, layer_, n in zip(p["category"], p["layer"], p["heads"])
    ]


def core_records(summary: Summary, observations: tuple[Observation, ...] = ()) -> list[dict]:
    """One record per category that has a core window, saying whether it is a concentration."""
    return [
        {
            "ci": i,
            "category": c.name,
            "lo": c.core_layers[0],
            "hi_end": c.core_layers[1] + 1,
            "window": f"layers {c.core_layers[0]}–{c.core_layers[1]}",
            "share": round(c.core_share, 4),
            "concentrated": concentrated(c, observations),
            "kind": CONCENTRATED if concentrated(c, observations) else NOT_CONCENTRATED,
        }
        for i, c in enumerate(summary.categories)
        if c.core_layers is not None
    ]


def layer_profile(summary: Summary, observations: tuple[Observation, ...] = ()) -> Figure:
    """One row per category: bars of heads per layer over a band marking the core window."""
    t = summary.table
    peak = int(summary.profile["heads"].max()) if len(summary.profile) else 1
    scale = alt.Scale(domain=[0, t.n_layers], nice=False)
    shown = measured_indexes(summary)  # a category not measured has no row of zero bars
    grid = short(t.n_layers) and len(shown) > 1
    rows = [category_row(summary, i, scale, row_axis(ticks(t.n_layers), "d", grid or i == shown[-1]), max(peak, 1))
            for i in shown]
    if rows:
        # One brush shared by every row: dragging over layers in any row sets it.
        brush = layer_brush([bars_view(i) for i in shown])
        body, fit = ((concat(rows, columns=len(rows), spacing=8), fit_grid(WIDTH, len(rows))) if grid else
                     (vconcat(*rows, spacing=8), fit_stretch(WIDTH, widest(t.n_layers))))
        spec = figure_spec(body, params=[brush, highlight_param()], names=t.categories, fit=fit)
    else:
        spec = figure_spec(alt.Chart(alt.Data(values=[{}])).mark_text(text="no categories"), names=())
    datasets = {"profile": profile_records(summary), "core": core_records(summary, observations)}
    return Figure(slug="layer-profile", title="Heads per layer, by category", spec=spec, datasets=datasets,
                  alt_text=alt_text(summary), tables=(profile_table(summary),), after="partials/category_table.html")


def short(n_layers: int) -> bool:
    """Whether rows of ``n_layers`` stay WIDTH wide: then they sit side by side as the page's width allows.

    Stretching them would draw a 12-layer model's bars as blocks; stacking them one per line left
    two-thirds of a 1440-pixel page empty. Each row of the grid labels its own layer axis.
    """
    return widest(n_layers) <= WIDTH


def widest(n_layers: int) -> int:
    """The widest the page may stretch the rows: LAYER_PX per layer, at least WIDTH, at most WIDEST."""
    return min(WIDEST, max(WIDTH, LAYER_PX * n_layers))


def bars_view(index: int) -> str:
    """The name of category ``index``'s bars, the view the layer brush is drawn in."""
    return f"profile_bars_{index}"


def category_row(summary: Summary, index: int, scale: alt.Scale, axis: alt.Axis, peak: int) -> dict:
    """Heads per layer of one category under its name; its core window a shaded band (an outline when not a concentration)."""
    stats = summary.categories[index]
    y = alt.Y("heads:Q", title="heads", scale=alt.Scale(domain=[0, peak], nice=False),
              axis=alt.Axis(tickCount=3, format="d"))
    x = alt.X("lo:Q", scale=scale, axis=axis, title="layer")
    tooltip = [alt.Tooltip("kind:N", title="marks the"), alt.Tooltip("window:N", title="layers"),
               alt.Tooltip("share:Q", title="share of heads", format=".0%")]
    core = alt.Chart(alt.Data(name="core")).transform_filter(f"datum.ci === {index}")
    band = core.transform_filter("datum.concentrated").mark_rect(color=stats.color, opacity=0.14).encode(
        x=x, x2=alt.X2("hi_end"), tooltip=tooltip)
    outline = core.transform_filter("!datum.concentrated").mark_rect(
        fill=None, stroke=stats.color, strokeDash=[4, 3], strokeWidth=1.2, opacity=0.8).encode(
        x=x, x2=alt.X2("hi_end"), tooltip=tooltip)
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
    title = {"text": stats.name, "anchor": "start", "fontSize": 12, "offset": 4}
    return layer(band, outline, bars.properties(name=bars_view(index)), title=title, width=WIDTH, height=ROW_HEIGHT)


def alt_text(summary: Summary) -> str:
    """What the profile draws, in one sentence (the page adds the observations it shows)."""
    names = ", ".join(summary.categories[i].name for i in measured_indexes(summary)) or "no categories"
    return (f"Bars of heads per layer for each category ({names}); each category's core window is shaded when its "
            "heads concentrate there and outlined when they do not")


def profile_table(summary: Summary) -> DataTable:
    """Heads per layer for each category, layers with at least one head."""
    p = summary.profile.pivot(index="layer", columns="category", values="heads")
    names = tuple(summary.categories[i].name for i in measured_indexes(summary))
    p = p[list(names)] if len(names) else p
    p = p[p.sum(axis=1) > 0]
    rows = tuple((str(int(layer_)),) + tuple(str(int(v)) for v in values) for layer_, values in zip(p.index, p.to_numpy()))
    cores = "; ".join(f"{c.name} {c.core_layers[0]}–{c.core_layers[1]}" for c in summary.categories if c.core_layers)
    return DataTable(f"Heads per layer (layers with none left out). Core windows: {cores or 'none'}.",
                     ("layer",) + tuple(names), rows)

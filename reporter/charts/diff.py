"""Diff figures: a heatmap of changes (gained / lost / changed / kept) and changes per layer."""

from __future__ import annotations

from typing import Callable

import altair as alt

from ..analysis.diff import HEAD_STATUSES, STATUS_COLORS, Diff, changes_by_layer
from ..palette import UNCLASSIFIED_COLOR
from . import Figure, made_in_turn
from .compose import concat, figure_spec, fit_grid, fit_stretch, layer, row_axis, vconcat
from .heatmaps import ALL_CATEGORIES, cell, panel_size, ticks
from .layer_profile import widest

NEITHER = "in neither run"
PROFILE_WIDTH = 560
PROFILE_HEIGHT = 70


def build_diff_figures(diff: Diff, on_figure: Callable[[Figure], None] | None = None) -> dict[str, Figure]:
    """Every figure of the diff page, keyed by slug in page order; ``on_figure`` as in build_figures."""
    return made_in_turn((changes, change_profile), diff, on_figure)


def status_color() -> alt.Color:
    """The shared colour scale of change statuses, with its legend."""
    order = list(HEAD_STATUSES)
    return alt.Color("status:N", title=None, sort=order, legend=alt.Legend(orient="right", values=order),
                     scale=alt.Scale(domain=order, range=[STATUS_COLORS[s] for s in order]))


def changes(diff: Diff) -> Figure:
    """"All Categories" by head-level status, then one panel per category by membership status."""
    width, height = panel_size(diff.n_layers, diff.n_heads)
    x = alt.X("layer:Q", title="layer", scale=alt.Scale(domain=[0, diff.n_layers], nice=False, zero=True),
              axis=alt.Axis(values=ticks(diff.n_layers), format="d", labelFlush=True))
    y = alt.Y("head:Q", title="head", scale=alt.Scale(domain=[0, diff.n_heads], nice=False, reverse=True),
              axis=alt.Axis(values=ticks(diff.n_heads), format="d"))
    color = status_color()
    panels = [panel("head_changes", None, ALL_CATEGORIES, x, y, color, width, height)]
    panels += [panel("membership_changes", f"datum.ci === {i}", c.name, x, y, color, width, height)
               for i, c in enumerate(diff.categories)]
    spec = figure_spec(concat(panels, columns=min(len(panels), 5)), names=[c.name for c in diff.categories],
                       fit=fit_grid(width, len(panels), HEAD_STATUSES))
    index = {c.name: i for i, c in enumerate(diff.categories)}
    m = diff.memberships
    datasets = {
        # Cells carry their far edges, as in heatmaps.heads_records.
        "head_changes": [
            {**cell(layer, head), "status": s, "a": ca or "–", "b": cb or "–"}
            for layer, head, s, ca, cb in zip(diff.heads["layer"], diff.heads["head"], diff.heads["status"],
                                               diff.heads["categories_a"], diff.heads["categories_b"])
        ],
        "membership_changes": [
            {**cell(layer, head), "ci": index[c], "category": c, "status": s}
            for layer, head, c, s in zip(m["layer"], m["head"], m["category"], m["status"])
        ],
        "diff_background": [{"layer": 0, "layer_end": diff.n_layers, "head": 0, "head_end": diff.n_heads}],
    }
    alt_text = (f"Heads of {diff.label_a} and {diff.label_b} over layer × head, coloured by change: gained, lost, "
                f"changed (in both runs, different categories) or kept; light gray is {NEITHER}.")
    return Figure(slug="changes", title="What changed, head by head", spec=spec, datasets=datasets, alt_text=alt_text)


def panel(data: str, data_filter: str | None, title: str, x, y, color, width: int, height: int) -> dict:
    """One grid: light-gray background, then the changed and kept heads coloured by status."""
    back = alt.Chart(alt.Data(name="diff_background")).mark_rect(color=UNCLASSIFIED_COLOR).encode(
        x=x, x2=alt.X2("layer_end"), y=y, y2=alt.Y2("head_end"), tooltip=alt.TooltipValue(None))
    cells = alt.Chart(alt.Data(name=data))
    if data_filter:
        cells = cells.transform_filter(data_filter)
    tooltip = [alt.Tooltip("layer:Q"), alt.Tooltip("head:Q"), alt.Tooltip("status:N")]
    if data == "head_changes":
        tooltip += [alt.Tooltip("a:N", title="run A"), alt.Tooltip("b:N", title="run B")]
    cells = cells.mark_rect().encode(
        x=x, x2=alt.X2("layer_end"), y=y, y2=alt.Y2("head_end"), color=color, tooltip=tooltip)
    return layer(back, cells, title=title, width=width, height=height)


def profile_records(diff: Diff) -> list[dict]:
    """Gained (positive) and lost (negative) memberships per layer, and the bar's far edge; ``ci`` -1: all categories."""
    out = []
    for ci, name in [(-1, None)] + [(i, c.name) for i, c in enumerate(diff.categories)]:
        per_layer = changes_by_layer(diff, name)
        for layer, gained, lost in zip(per_layer["layer"], per_layer["gained"], per_layer["lost"]):
            for status, count, sign in (("gained", int(gained), 1), ("lost", int(lost), -1)):
                if count:
                    out.append({"ci": ci, "layer": int(layer), "layer_end": int(layer) + 1, "status": status,
                                "count": count, "signed": sign * count})
    return out


def change_profile(diff: Diff) -> Figure:
    """One row for all categories, then one per category: gained up, lost down, per layer."""
    records = profile_records(diff)
    peak = max((r["count"] for r in records), default=1)
    titles = [(-1, "All")] + [(i, c.name) for i, c in enumerate(diff.categories)]
    rows = [profile_row(diff, ci, title, peak, last=ci == titles[-1][0]) for ci, title in titles]
    spec = figure_spec(vconcat(*rows, spacing=8), names=[c.name for c in diff.categories],
                       fit=fit_stretch(PROFILE_WIDTH, widest(diff.n_layers)))
    alt_text = "Memberships gained (up) and lost (down) per layer, for all categories together and for each one."
    return Figure(slug="change-profile", title="Changes per layer", spec=spec,
                  datasets={"change_profile": records}, alt_text=alt_text)


def profile_row(diff: Diff, ci: int, title: str, peak: int, last: bool) -> alt.Chart:
    """Gained and lost memberships per layer for one row; the ``last`` row labels the layer axis."""
    order = ["gained", "lost"]
    return (
        alt.Chart(alt.Data(name="change_profile"))
        .transform_filter(f"datum.ci === {ci}")
        .mark_rect()
        .encode(
            x=alt.X("layer:Q", title="layer", scale=alt.Scale(domain=[0, diff.n_layers], nice=False),
                    axis=row_axis(ticks(diff.n_layers), "d", last)),
            x2=alt.X2("layer_end"),
            y=alt.Y("signed:Q", title=title, scale=alt.Scale(domain=[-peak, peak], nice=False),
                    axis=alt.Axis(tickCount=3, format="d", titleAngle=0, titleAlign="right", titleBaseline="middle",
                                  titleX=-28)),
            y2=alt.Y2(datum=0),
            color=alt.Color("status:N", title=None, sort=order,
                            scale=alt.Scale(domain=order, range=[STATUS_COLORS[s] for s in order])),
            tooltip=[alt.Tooltip("layer:Q"), alt.Tooltip("status:N"), alt.Tooltip("count:Q", title="memberships")],
        )
        .properties(width=PROFILE_WIDTH, height=PROFILE_HEIGHT)
    )

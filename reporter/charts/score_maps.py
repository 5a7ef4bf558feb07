"""Figure `score-maps`: the scores themselves over layer x head, with the rule's kept heads outlined.

One continuous panel per category (the best score of its relations), then one per relation of the
categories that have several; the same cell geometry, ticks and fitting as the category heatmaps. Each
panel has its own colour scale (relations run on different scales) in a sequential scheme that reads on
a light and a dark page and in print. Beyond MAX_PANELS panels only the categories are drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd

from ..analysis.summarize import Summary
from ..palette import UNCLASSIFIED_COLOR
from .compose import concat, figure_spec, fit_grid, independent_colors, layer
from .figure import DataTable, Figure
from .heatmaps import panel_size, ticks

MAX_PANELS = 16
SCHEME = "viridis"  # perceptually even, light at the top, legible in greyscale print and on a dark page
OUTLINE_DARK, OUTLINE_LIGHT = "#000001", "#fffffe"  # off-black and off-white: kept out of the dark-mode swaps


@dataclass(frozen=True)
class Panel:
    """One score map: its title, the (layer, head, score, kept) rows it draws."""

    title: str
    rows: pd.DataFrame


def make(source) -> Figure | None:
    """The registry's entry point (charts.REPORT_FIGURES); None unless the input has scores by relation."""
    s = source.summary.table.scores
    if s is None or s.empty or "relation" not in s.columns:
        return None
    return score_maps(source.summary)


def panels(summary: Summary) -> tuple[list[Panel], bool]:
    """The panels in page order and whether relation panels were left out (more than MAX_PANELS)."""
    s = summary.table.scores
    kept_col = s["kept"] if "kept" in s.columns else False
    s = s.assign(kept=kept_col)
    out, relations = [], []
    for name in summary.table.categories:
        mine = s[s["category"] == name]
        if mine.empty:
            continue
        names = sorted(mine["relation"].unique())
        title = name if len(names) > 1 or names[0] == name else f"{name}: {names[0]}"
        out.append(Panel(title, category_best(mine, summary, name)))
        if len(names) > 1:
            relations += [Panel(f"{name}: {r}", relation_rows(mine[mine["relation"] == r])) for r in names]
    cut = len(out) + len(relations) > MAX_PANELS
    return (out if cut else out + relations), cut


def category_best(rows: pd.DataFrame, summary: Summary, name: str) -> pd.DataFrame:
    """Each head's best score over the category's relations; kept when the head is in the category."""
    best = rows.groupby(["layer", "head"], sort=True)["score"].max().reset_index()
    m = summary.table.memberships
    member = set(zip(m.loc[m["category"] == name, "layer"], m.loc[m["category"] == name, "head"]))
    return best.assign(kept=[(l, h) in member for l, h in zip(best["layer"], best["head"])])


def relation_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """One relation's (layer, head, score, kept), one row per head."""
    return rows.drop_duplicates(["layer", "head"])[["layer", "head", "score", "kept"]]


def records(found: list[Panel]) -> list[dict]:
    """One short record per (panel, head): p panel, l layer, h head, s score (4 significant digits), k when kept."""
    out = []
    for i, panel in enumerate(found):
        for l, h, v, k in panel.rows[["layer", "head", "score", "kept"]].itertuples(index=False):
            out.append({"p": i, "l": int(l), "h": int(h), "s": float(f"{v:.4g}"), **({"k": 1} if k else {})})
    return out


def score_maps(summary: Summary) -> Figure:
    """A continuous panel per category and per relation, kept heads outlined."""
    t = summary.table
    found, cut = panels(summary)
    width, height = panel_size(t.n_layers, t.n_heads)
    x = alt.X("l:Q", title="layer", scale=alt.Scale(domain=[0, t.n_layers], nice=False, zero=True),
              axis=alt.Axis(values=ticks(t.n_layers), format="d", labelFlush=True))
    y = alt.Y("h:Q", title="head", scale=alt.Scale(domain=[0, t.n_heads], nice=False, reverse=True),
              axis=alt.Axis(values=ticks(t.n_heads), format="d"))
    cell_px = width / t.n_layers
    body = independent_colors(concat([panel_view(i, p.title, x, y, width, height, cell_px) for i, p in enumerate(found)],
                                     columns=min(len(found), 4)))
    titles = [p.title for p in found]
    spec = figure_spec(body, names=list(t.categories) + titles, fit=fit_grid(width, len(found), grow=1.4))
    datasets = {"score_cells": records(found),
                "score_background": [{"l": 0, "l_end": t.n_layers, "h": 0, "h_end": t.n_heads}]}
    return Figure(slug="score-maps", title="Scores over layer × head", spec=spec, datasets=datasets,
                  alt_text=alt_text(summary, found, cut), tables=(kept_table(found),))


def panel_view(index: int, title: str, x: alt.X, y: alt.Y, width: int, height: int, cell_px: float) -> dict:
    """One panel: grey where no score, the score in colour, outlines on the kept heads."""
    ground = alt.Chart(alt.Data(name="score_background")).mark_rect(color=UNCLASSIFIED_COLOR).encode(
        x=x, x2=alt.X2("l_end"), y=y, y2=alt.Y2("h_end"), tooltip=alt.TooltipValue(None))
    cells = alt.Chart(alt.Data(name="score_cells")).transform_filter(f"datum.p === {index}").transform_calculate(
        l_end="datum.l + 1", h_end="datum.h + 1")
    color = alt.Color("s:Q", title="score", scale=alt.Scale(scheme=SCHEME),
                      legend=alt.Legend(orient="bottom", direction="horizontal", gradientLength=max(60, width - 60)))
    tooltip = [alt.Tooltip("l:Q", title="layer"), alt.Tooltip("h:Q", title="head"),
               alt.Tooltip("s:Q", title="score", format=".4g")]
    filled = cells.mark_rect(aria=False).encode(x=x, x2=alt.X2("l_end"), y=y, y2=alt.Y2("h_end"), color=color,
                                                tooltip=tooltip)
    kept = cells.transform_filter("datum.k === 1")
    # Two strokes, dark under light, so an outline shows on every colour of the scheme.
    wide, thin = max(1.0, min(3.0, cell_px / 4)), max(0.5, min(1.5, cell_px / 8))
    outlines = [kept.mark_rect(aria=False, fill=None, stroke=ink, strokeWidth=w).encode(
        x=x, x2=alt.X2("l_end"), y=y, y2=alt.Y2("h_end"), tooltip=tooltip) for ink, w in
        ((OUTLINE_DARK, wide), (OUTLINE_LIGHT, thin))]
    return layer(ground, filled, *outlines, title=title, width=width, height=height)


def alt_text(summary: Summary, found: list[Panel], cut: bool) -> str:
    """What the score maps draw, in one sentence."""
    t = summary.table
    left_out = (f"; relations are not drawn one by one beyond {MAX_PANELS} panels (their scores are in "
                "data/summary.json relation_scores)") if cut else ""
    return (f"Score maps of {t.n_layers} layers by {t.n_heads} heads, one colour scale per panel: "
            f"{', '.join(p.title for p in found)}; the heads the rule kept are outlined{left_out}")


def kept_table(found: list[Panel]) -> DataTable:
    """Per panel: heads scored, highest score, heads kept and the lowest kept score."""
    rows = []
    for p in found:
        kept = p.rows[p.rows["kept"]]
        lowest = f"{kept['score'].min():.4g}" if len(kept) else "–"
        rows.append((p.title, f"{len(p.rows):,}", f"{p.rows['score'].max():.4g}", f"{len(kept):,}", lowest))
    return DataTable("Each score map: heads scored, the highest score, the heads the rule kept and the lowest "
                     "score among them.", ("panel", "heads scored", "highest", "kept", "lowest kept"), tuple(rows))

"""Figure `score-maps`: the scores themselves over layer x head, with the rule's kept heads outlined.

One continuous panel per category (the best score of its relations), then one per relation of the
categories that have several; the same cell geometry, ticks and fitting as the category heatmaps. Each
panel has its own colour scale (relations run on different scales) in a sequential scheme that reads on
a light and a dark page and in print (raster.SCALE_STOPS). The scores are one image per panel (raster.py),
the kept heads' outlines a second image. Beyond MAX_PANELS panels only the categories are drawn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd

from ..analysis.summarize import Summary
from ..palette import UNCLASSIFIED_COLOR
from .compose import concat, figure_spec, fit_grid, independent_colors, layer
from .figure import DataTable, Figure
from .heatmaps import panel_size, ticks
from .raster import SCALE_STOPS, grid_image, outline_image

MAX_PANELS = 16
OUTLINE_RGB = (17, 17, 17)  # near-black, drawn in the outline image


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


def images(found: list[Panel], n_layers: int, n_heads: int, cell_px: float) -> list[dict]:
    """One record per panel: its grid as a PNG (x = layer, y = head) over the whole layer x head extent."""
    out = []
    for i, panel in enumerate(found):
        grid = np.full((n_heads, n_layers), np.nan)
        grid[panel.rows["head"].to_numpy(), panel.rows["layer"].to_numpy()] = panel.rows["score"].to_numpy(dtype="float64")
        lo, hi = scale_of(panel)
        kept = np.zeros((n_heads, n_layers), dtype=bool)
        rows = panel.rows[panel.rows["kept"].to_numpy(dtype=bool)]
        kept[rows["head"].to_numpy(), rows["layer"].to_numpy()] = True
        out.append({"p": i, "l": 0, "l_end": n_layers, "h": 0, "h_end": n_heads, "url": grid_image(grid, lo, hi),
                    "outline": outline_image(kept, sub_pixels(cell_px), OUTLINE_RGB)})
    return out


def sub_pixels(cell_px: float) -> int:
    """Image pixels per cell of the outline image: a ring about one screen pixel wide at the drawn size."""
    return int(min(16, max(4, round(cell_px))))


def scale_of(panel: Panel) -> tuple[float, float]:
    """The panel's colour domain: its lowest and highest score."""
    return float(panel.rows["score"].min()), float(panel.rows["score"].max())


def range_records(found: list[Panel]) -> list[dict]:
    """Each panel's lowest and highest score, for its legend."""
    return [{"p": i, "s": float(f"{v:.4g}")} for i, panel in enumerate(found) for v in scale_of(panel)]


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
    views = per_panel(panel_view(0, "", x, y, width, height, cell_px), [p.title for p in found])
    body = independent_colors(concat(views, columns=min(len(found), 4)))
    titles = [p.title for p in found]
    spec = figure_spec(body, names=list(t.categories) + titles, fit=fit_grid(width, len(found), grow=1.4))
    datasets = {"score_images": images(found, t.n_layers, t.n_heads, cell_px),
                "score_range": range_records(found),
                "score_background": [{"l": 0, "l_end": t.n_layers, "h": 0, "h_end": t.n_heads}]}
    return Figure(slug="score-maps", title="Scores over layer × head", spec=spec, datasets=datasets,
                  alt_text=alt_text(summary, found, cut), tables=(kept_table(found),))


def per_panel(template: dict, titles: list[str]) -> list[dict]:
    """The panel of index 0 copied for every panel, its filters and title changed.

    Altair spends a tenth of a second per panel turning the same few charts into dicts; a copy costs nothing.
    """
    text = json.dumps(template)
    assert text.count("datum.p === 0") >= 1  # every layer of the template filters on its panel
    return [{**json.loads(text.replace("datum.p === 0", f"datum.p === {i}")), "title": title}
            for i, title in enumerate(titles)]


def panel_view(index: int, title: str, x: alt.X, y: alt.Y, width: int, height: int, cell_px: float) -> dict:
    """One panel: grey where no score, the scores as one image, outlines on the kept heads, a gradient legend."""
    mine = f"datum.p === {index}"
    ground = alt.Chart(alt.Data(name="score_background")).mark_rect(color=UNCLASSIFIED_COLOR).encode(
        x=x, x2=alt.X2("l_end"), y=y, y2=alt.Y2("h_end"), tooltip=alt.TooltipValue(None))
    image = alt.Chart(alt.Data(name="score_images")).transform_filter(mine).mark_image(
        aspect=False, smooth=False, aria=False).encode(x=x, x2=alt.X2("l_end"), y=y, y2=alt.Y2("h_end"), url="url:N",
                                                      tooltip=alt.TooltipValue(None))
    # The legend's scale: the panel's lowest and highest score over the same stops as the image.
    color = alt.Color("s:Q", title="score", scale=alt.Scale(range=list(SCALE_STOPS), interpolate="rgb", zero=False,
                                                           nice=False),
                      legend=alt.Legend(orient="bottom", direction="horizontal", gradientLength=max(60, width - 60)))
    legend = alt.Chart(alt.Data(name="score_range")).transform_filter(mine).mark_point(opacity=0, aria=False).encode(
        x=alt.value(0), y=alt.value(0), color=color, tooltip=alt.TooltipValue(None))
    # The kept heads' outlines: a second image, a near-black ring per head (kept heads score high, and high
    # scores are the light end of the scale).
    outline = alt.Chart(alt.Data(name="score_images")).transform_filter(mine).mark_image(
        aspect=False, smooth=False, aria=False).encode(x=x, x2=alt.X2("l_end"), y=y, y2=alt.Y2("h_end"),
                                                      url="outline:N", tooltip=alt.TooltipValue(None))
    return layer(ground, image, outline, legend, title=title, width=width, height=height)


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

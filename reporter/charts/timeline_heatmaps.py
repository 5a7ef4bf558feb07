"""Figure `timeline-heatmaps`: the model page's heatmaps at one checkpoint, chosen with a slider.

The heads of every checkpoint travel as runs: one record per head and run of consecutive checkpoints over
which its categories stay the same (``a``..``b``, checkpoint indexes), so a head that joins once and stays
is one record however many checkpoints there are. The slider sets ``checkpoint``; each panel keeps the
records whose run holds it. Colours, legend and geometry are those of the model page (charts/heatmaps.py).
"""

from __future__ import annotations

import altair as alt
import numpy as np

from ..analysis.timeline import Timeline
from ..palette import UNCLASSIFIED, UNCLASSIFIED_COLOR, multi_label
from .compose import concat, figure_spec, fit_grid, independent_colors, layer
from .figure import Figure
from .heatmaps import ALL_CATEGORIES, LEGEND_PICK, background, cell, head_cells, panel_size, ticks
from .interaction import highlight_param, layer_range_param
from .timeline import names_of

HEADS_DATA = "timeline_heads"
CHECKPOINT = "checkpoint"  # the slider's signal: the index of the checkpoint shown
STEP_NAMES = "checkpoint_names"
ALL_CELLS = "timeline_all_cells"
AT_CHECKPOINT = f"datum.a <= {CHECKPOINT} && {CHECKPOINT} <= datum.b"


def make(t: Timeline) -> Figure:
    """"All Categories" and one panel per category at the checkpoint the slider picks (the last at first)."""
    x, y, width, height = grid_axes(t)
    n = len(t.categories)
    panels = [all_panel(t, x, y, width, height, AT_CHECKPOINT, {"text": {"expr": f"'{ALL_CATEGORIES} · ' + {STEP_NAMES}[{CHECKPOINT}]"}})]
    panels += [category_panel(t, i, x, y, width, height) for i in range(n)]
    params = [*shared_params(ALL_CELLS), checkpoint_param(t),
              {"name": STEP_NAMES, "value": [f"{t.series.axis} {s:,}" for s in t.steps]}]
    spec = figure_spec(independent_colors(concat(panels, columns=min(len(panels), 5))), params=params,
                       names=names_of(t), fit=fit_grid(width, len(panels), t.legend, grow=1.4))
    alt_text = (f"Heatmaps of {t.series.first.n_layers} layers by {t.series.first.n_heads} heads at one checkpoint, "
                f"chosen with the slider ({len(t.steps)} checkpoints, the last shown first): All Categories, then one "
                f"panel per category")
    return Figure(slug="timeline-heatmaps", title="Heatmaps at a checkpoint", spec=spec, datasets=datasets(t),
                  alt_text=alt_text)


def shared_params(legend_view: str) -> list[dict]:
    """The model page's signals its cells read: the legend pick (bound to ``legend_view``), highlight, layer range."""
    return [{**LEGEND_PICK, "views": [legend_view]}, highlight_param(), layer_range_param()]


def checkpoint_param(t: Timeline) -> dict:
    """The slider: a checkpoint index, starting at the last checkpoint."""
    last = len(t.steps) - 1
    return {"name": CHECKPOINT, "value": last,
            "bind": {"input": "range", "min": 0, "max": last, "step": 1, "name": "checkpoint (index) "}}


def grid_axes(t: Timeline) -> tuple[alt.X, alt.Y, int, int]:
    """The model page's layer and head axes and panel size for this shape."""
    n_layers, n_heads = t.series.first.n_layers, t.series.first.n_heads
    width, height = panel_size(n_layers, n_heads)
    x = alt.X("layer:Q", title="layer", scale=alt.Scale(domain=[0, n_layers], nice=False, zero=True),
              axis=alt.Axis(values=ticks(n_layers), format="d", labelFlush=True))
    y = alt.Y("head:Q", title="head", scale=alt.Scale(domain=[0, n_heads], nice=False, reverse=True),
              axis=alt.Axis(values=ticks(n_heads), format="d"))
    return x, y, width, height


def label_color(t: Timeline, legend: bool = True) -> alt.Color:
    """Legend labels in the model page's colours and order."""
    order = list(t.legend)
    return alt.Color("label:N", title=None, sort=order, scale=alt.Scale(domain=order, range=[t.colors[lb] for lb in order]),
                     legend=alt.Legend(orient="right", values=order) if legend else None)


def all_panel(t: Timeline, x, y, width: int, height: int, at: str, title, legend: bool = True,
              name: str | None = ALL_CELLS) -> dict:
    """Every head classified at the checkpoints ``at`` selects, coloured by its legend label."""
    color = label_color(t, legend)
    cells = head_cells(at, x, y, color, [], data=HEADS_DATA)
    return layer(background(x, y, color), cells.properties(name=name) if name else cells, title=title, width=width,
                 height=height)


def category_panel(t: Timeline, index: int, x, y, width: int, height: int) -> dict:
    """One category's heads at the chosen checkpoint, in its colour over light gray."""
    c = t.categories[index]
    cells = head_cells(f"{AT_CHECKPOINT} && datum.c{index} === 1", x, y, alt.ColorValue(c.color), [], data=HEADS_DATA)
    return layer(background(x, y, alt.ColorValue(UNCLASSIFIED_COLOR)), cells, title=c.name, width=width, height=height)


def datasets(t: Timeline) -> dict[str, list[dict]]:
    """The heads as runs of checkpoints (see the module doc) and the grid's background."""
    n_layers, n_heads = t.series.first.n_layers, t.series.first.n_heads
    return {HEADS_DATA: head_runs(t),
            "background": [{"layer": 0, "layer_end": n_layers, "head": 0, "head_end": n_heads, "label": UNCLASSIFIED}]}


def head_runs(t: Timeline) -> list[dict]:
    """One record per head and run of checkpoints with the same categories, classified runs only."""
    names, n_heads = [c.name for c in t.categories], t.series.first.n_heads
    weights = (1 << np.arange(len(names), dtype=np.int64))[None, :, None]
    codes = (t.members.astype(np.int64) * weights).sum(axis=1).T  # [head, checkpoint]: a bit per category
    starts = np.ones_like(codes, dtype=bool)
    starts[:, 1:] = codes[:, 1:] != codes[:, :-1]
    flat = np.flatnonzero(starts)
    ends = np.r_[flat[1:], codes.size] - 1  # each head's row opens with a start, so a run ends in its own row
    records = []
    for begin, end in zip(flat.tolist(), ends.tolist()):
        head, a = divmod(begin, codes.shape[1])
        code = int(codes[head, a])
        if code:
            records.append(run_record(head, a, end % codes.shape[1], code, names, n_heads))
    return records


def run_record(index: int, a: int, b: int, code: int, names: list[str], n_heads: int) -> dict:
    """A head's run: its cell, legend label, categories, a ``c<i>`` flag per category, checkpoints ``a``..``b``."""
    held = [i for i in range(len(names)) if code >> i & 1]
    label = names[held[0]] if len(held) == 1 else multi_label(len(held))
    return {**cell(*divmod(index, n_heads)), "label": label, "categories": ", ".join(names[i] for i in held),
            **{f"c{i}": 1 for i in held}, "a": a, "b": b}

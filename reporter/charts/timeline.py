"""The timeline page's figures: the per-step dataset they share, the step axis, and the list in page order."""

from __future__ import annotations

from typing import Callable

import altair as alt

from ..analysis.timeline import Timeline
from . import Figure, made_in_turn

STEPS_DATA = "timeline_steps"  # one record per (category, checkpoint), shared by the line figures
# Each tick in SI units of its own (1, 10, 1k, 100k): a format on the axis would give them all the largest's prefix.
STEP_LABEL = "format(datum.value, '~s')"
WIDTH = 560
WIDEST = 1400


def build_timeline_figures(t: Timeline, selected: tuple[int, ...],
                           on_figure: Callable[[Figure], None] | None = None) -> dict[str, Figure]:
    """Every figure of the timeline page, keyed by slug in page order; ``selected`` are checkpoint indexes."""
    from . import timeline_counts, timeline_depth, timeline_heatmaps, timeline_jaccard, timeline_steps

    makers = (timeline_counts.make, timeline_jaccard.make, timeline_depth.make, timeline_heatmaps.make,
              lambda source: timeline_steps.make(source, selected))
    return made_in_turn(makers, t, on_figure)


def step_records(t: Timeline) -> list[dict]:
    """Per category and checkpoint: heads, share of the final set, Jaccard to it, median layer and core window."""
    return [
        {"ci": i, "category": c.name, "s": s, "step": p.step, "heads": p.heads,
         "of_final": round(p.of_final / c.final_heads, 4) if c.final_heads else None,
         "jaccard": None if p.jaccard_to_final is None else round(p.jaccard_to_final, 4),
         "median": p.layer_median, "lo": p.core_layers[0] if p.core_layers else None,
         "hi_end": p.core_layers[1] + 1 if p.core_layers else None}
        for i, c in enumerate(t.categories) for s, p in enumerate(c.steps)
    ]


def step_x(t: Timeline, labelled: bool = True) -> alt.X:
    """The step axis, one domain for every row: symmetric log when the steps span decades (step 0 stays on it).

    Rows that share the axis above the bottom one (``labelled`` False) draw its ticks without labels.
    """
    domain = [t.steps[0], t.steps[-1]]
    if t.log_axis:
        scale = alt.Scale(type="symlog", domain=domain, nice=False)
        values = [v for v in [0] + [10**k for k in range(len(str(t.steps[-1])))] if domain[0] <= v <= domain[1]]
        axis = alt.Axis(values=values, labelExpr=STEP_LABEL, labelFlush=True)
    else:
        scale, axis = alt.Scale(domain=domain, nice=False, zero=False), alt.Axis(labelExpr=STEP_LABEL, labelFlush=True)
    if not labelled:
        axis = alt.Axis(values=axis.values, labels=False, title=None) if t.log_axis else alt.Axis(labels=False, title=None)
    return alt.X("step:Q", title=t.series.axis, scale=scale, axis=axis)


def category_color(t: Timeline) -> alt.Color:
    """Category colours as on the model page, with the legend in panel order."""
    names = [c.name for c in t.categories]
    return alt.Color("category:N", title=None, sort=names,
                     scale=alt.Scale(domain=names, range=[t.colors[n] for n in names]),
                     legend=alt.Legend(orient="bottom", direction="horizontal"))


def names_of(t: Timeline) -> list[str]:
    """The names from the input the figures show."""
    return [c.name for c in t.categories]

"""Figure `timeline-counts`: heads of each category at each checkpoint, one line per category."""

from __future__ import annotations

import altair as alt

from ..analysis.timeline import Timeline
from .compose import figure_spec, fit_stretch
from .figure import DataTable, Figure
from .interaction import emphasis, highlight_param, picked
from .timeline import STEPS_DATA, WIDEST, WIDTH, category_color, names_of, step_records, step_x

HEIGHT = 220


def make(t: Timeline) -> Figure:
    """Heads over steps, with each category's share of its final set in the tooltip."""
    chart = (
        alt.Chart(alt.Data(name=STEPS_DATA))
        .mark_line(point=alt.OverlayMarkDef(size=22, filled=True), strokeWidth=1.8, interpolate="linear")
        .encode(
            x=step_x(t), y=alt.Y("heads:Q", title="heads", axis=alt.Axis(format="d", tickMinStep=1)),
            color=category_color(t), detail="ci:N", opacity=emphasis(picked("category")),
            tooltip=[alt.Tooltip("category:N"), alt.Tooltip("step:Q", format=","), alt.Tooltip("heads:Q"),
                     alt.Tooltip("of_final:Q", title="of the final set", format=".0%"),
                     alt.Tooltip("jaccard:Q", title="Jaccard to the final set", format=".2f")],
        )
        .properties(width=WIDTH, height=HEIGHT)
    )
    spec = figure_spec(chart, params=[highlight_param()], names=names_of(t), fit=fit_stretch(WIDTH, WIDEST))
    scale = "a symmetric log scale" if t.log_axis else "a linear scale"
    alt_text = (f"Lines of heads per category at each of the {len(t.steps)} checkpoints, {t.series.axis} "
                f"{t.steps[0]:,} to {t.steps[-1]:,} on {scale}")
    return Figure(slug="timeline-counts", title="Heads per category across training", spec=spec,
                  datasets={STEPS_DATA: step_records(t)}, alt_text=alt_text, tables=(counts_table(t),),
                  after="partials/timeline_table.html")


def counts_table(t: Timeline) -> DataTable:
    """Heads of each category at each checkpoint."""
    rows = tuple((f"{step:,}",) + tuple(str(c.steps[s].heads) for c in t.categories) for s, step in enumerate(t.steps))
    return DataTable(f"Heads per category at each checkpoint ({t.series.axis}).", (t.series.axis,) + tuple(names_of(t)),
                     rows)

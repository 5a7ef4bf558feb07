"""Figure `timeline-jaccard`: how close each category's set is to its final one, checkpoint by checkpoint."""

from __future__ import annotations

import altair as alt

from ..analysis.timeline import Timeline
from .compose import figure_spec, fit_stretch
from .figure import DataTable, Figure
from .interaction import emphasis, highlight_param, picked
from .timeline import STEPS_DATA, WIDEST, WIDTH, category_color, names_of, step_records, step_x

HEIGHT = 180


def make(t: Timeline) -> Figure:
    """Jaccard index of each checkpoint's set with the last checkpoint's, one line per category."""
    chart = (
        alt.Chart(alt.Data(name=STEPS_DATA))
        .transform_filter("isValid(datum.jaccard)")
        .mark_line(point=alt.OverlayMarkDef(size=18, filled=True), strokeWidth=1.5)
        .encode(
            x=step_x(t), y=alt.Y("jaccard:Q", title="Jaccard to the final set", scale=alt.Scale(domain=[0, 1]),
                                 axis=alt.Axis(format=".1f", tickCount=5)),
            color=category_color(t), detail="ci:N", opacity=emphasis(picked("category")),
            tooltip=[alt.Tooltip("category:N"), alt.Tooltip("step:Q", format=","), alt.Tooltip("heads:Q"),
                     alt.Tooltip("jaccard:Q", title="Jaccard to the final set", format=".2f")],
        )
        .properties(width=WIDTH, height=HEIGHT)
    )
    spec = figure_spec(chart, params=[highlight_param()], names=names_of(t), fit=fit_stretch(WIDTH, WIDEST))
    alt_text = ("Lines of the Jaccard index between each checkpoint's heads and the last checkpoint's, per category; "
                "a line that reaches 1 and stays there marks a set that has stopped changing")
    return Figure(slug="timeline-jaccard", title="When each category's set stops changing", spec=spec,
                  datasets={STEPS_DATA: step_records(t)}, alt_text=alt_text, tables=(jaccard_table(t),))


def jaccard_table(t: Timeline) -> DataTable:
    """Jaccard to the final set of each category at each checkpoint."""
    def cell(value: float | None) -> str:
        return "–" if value is None else f"{value:.2f}"

    rows = tuple((f"{step:,}",) + tuple(cell(c.steps[s].jaccard_to_final) for c in t.categories)
                 for s, step in enumerate(t.steps))
    return DataTable("Jaccard index of each checkpoint's heads with the last checkpoint's (– : both empty).",
                     (t.series.axis,) + tuple(names_of(t)), rows)

"""Figure `timeline-steps`: small multiples of the "All Categories" heatmap at the selected checkpoints."""

from __future__ import annotations

from .compose import concat, figure_spec, fit_grid
from .figure import Figure
from .timeline_heatmaps import all_panel, shared_params, datasets, grid_axes
from .timeline import names_of
from ..analysis.timeline import Timeline

FIRST_CELLS = "timeline_steps_cells"  # the panel beside the legend, whose legend picks a label


def make(t: Timeline, selected: tuple[int, ...]) -> Figure:
    """One "All Categories" panel per selected checkpoint index, in step order, one legend beside the first."""
    x, y, width, height = grid_axes(t)
    panels = [all_panel(t, x, y, width, height, f"datum.a <= {s} && {s} <= datum.b", f"{t.series.axis} {t.steps[s]:,}",
                        legend=i == 0, name=FIRST_CELLS if i == 0 else None) for i, s in enumerate(selected)]
    spec = figure_spec(concat(panels, columns=min(len(panels), 3)), params=shared_params(FIRST_CELLS), names=names_of(t),
                       fit=fit_grid(width, len(panels), t.legend))
    shown = ", ".join(f"{t.steps[s]:,}" for s in selected)
    return Figure(slug="timeline-steps", title="All Categories at selected checkpoints", spec=spec,
                  datasets=datasets(t),
                  alt_text=f"All Categories heatmaps at {len(selected)} checkpoints ({t.series.axis} {shown})")

"""Render the timeline page: Timeline, observations, figures -> HTML.

Template context of templates/timeline.html: ``page`` (a TimelinePage), ``vega_bundle`` and
``theme`` (see assets.script_context).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import __version__
from ..analysis.timeline import CategoryTimeline, Timeline
from ..charts import Figure
from ..observe.categories import Observation
from .assets import script_context, script_json
from .report import SHAPE_NOTES, FigureView, Link, accessible, environment, figure_view, generated_date, page_payload


@dataclass(frozen=True)
class TimelineRow:
    """One category's row of the timeline table, formatted for reading."""

    name: str
    color: str
    final: int
    first: str
    reach: str
    settle: str
    jump: str
    forms: str
    stable: str
    depth: str


@dataclass(frozen=True)
class CheckpointLink:
    """One checkpoint in the list of checkpoints: its step, label, classified heads and model page (or none)."""

    step: str
    label: str
    classified: int
    href: str | None


@dataclass(frozen=True)
class TimelinePage:
    """The context of templates/timeline.html."""

    title: str
    version: str
    generated: str | None
    model: str
    shape: str
    shape_note: str | None
    axis: str
    span: str
    rule: str
    reach_share: str
    observations: tuple[Observation, ...]
    figures: tuple[FigureView, ...]
    rows: tuple[TimelineRow, ...]
    checkpoints: tuple[CheckpointLink, ...]
    downloads: tuple[Link, ...]
    payload: str


def render_timeline(t: Timeline, observations: list[Observation], figures: dict[str, Figure], title: str | None,
                    formats: tuple[str, ...], pages: dict[int, str], with_downloads: bool = True,
                    theme: str | None = None) -> str:
    """The timeline page as HTML text; ``pages`` maps checkpoint indexes to their model page's address."""
    first = t.series.first
    model = first.model or "the model"
    page = TimelinePage(
        title=title or f"Attention-head categories across training: {model}",
        version=__version__, generated=generated_date(), model=model,
        shape=f"{first.n_layers} layers × {first.n_heads} heads", shape_note=SHAPE_NOTES.get(first.shape_source),
        axis=t.series.axis, span=f"{len(t.steps)} checkpoints, {t.series.axis} {t.steps[0]:,} to {t.steps[-1]:,}",
        rule=first.rule or "categories as given in the table", reach_share=f"{100 * t.reach_share:g}%",
        observations=tuple(observations),
        figures=tuple(accessible(figure_view(f, formats if with_downloads else ()), f, observations)
                      for f in figures.values()),
        rows=tuple(timeline_row(t, c) for c in t.categories),
        checkpoints=tuple(checkpoint_link(t, s, pages.get(s) if with_downloads else None) for s in range(len(t.steps))),
        downloads=(Link("timeline.csv", "data/timeline.csv"), Link("summary.json", "data/summary.json"))
        if with_downloads else (),
        payload=script_json(page_payload(figures)),
    )
    return environment().get_template("timeline.html").render(page=page, **script_context(theme))


def checkpoint_link(t: Timeline, s: int, href: str | None) -> CheckpointLink:
    """A checkpoint as the list shows it."""
    c = t.series.checkpoints[s]
    label = "" if c.label == str(c.step) else c.label  # a label that only repeats the step is not shown
    return CheckpointLink(f"{c.step:,}", label, int(t.members[s].any(axis=0).sum()), href)


def timeline_row(t: Timeline, c: CategoryTimeline) -> TimelineRow:
    """Format one category's timeline for the table."""
    def step(value: int | None) -> str:
        return "–" if value is None else f"{value:,}"

    j, a = c.jump, c.arrivals
    jump = "–" if j is None else f"{j.heads_before:,} → {j.heads_after:,} ({j.before:,} → {j.after:,})"
    forms = "–" if a.phase_change is None else (f"jump (p = {a.p:.2g})" if a.phase_change else f"gradual (p = {a.p:.2g})")
    depth = "–" if c.depth is None else f"{c.depth.start_median:g} → {c.depth.end_median:g}" + (
        f", {c.depth.moved}" if c.depth.moved else "")
    return TimelineRow(c.name, c.color, c.final_heads, step(c.first_step), step(c.reach_step),
                       step(c.settle_step) if c.settle_step is not None else "never", jump, forms,
                       f"{c.stable:,} / {c.come_and_go:,}", depth)

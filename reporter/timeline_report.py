"""Timeline: checkpoints of one model across training -> a page of when each category appears, moves and settles.

The pipeline load_series -> timeline -> observe -> charts -> render, plus the model page of each selected
checkpoint (``step_pages="all"``: every checkpoint), written as one folder like a multi-model site.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from .analysis.timeline import Timeline, timeline
from .charts import Figure
from .charts.timeline import build_timeline_figures
from .errors import UsageError, api_words, listed
from .input.models.model_config import options_of
from .input.models.series import load_series
from .observe.categories import Observation
from .observe.timeline import observe_timeline
from .options import Options
from .output.params import timeline_params
from .output.summary_json import dumps
from .output.timeline_json import step_metrics, timeline_csv, timeline_dict, timeline_headline
from .pages.assets import exporter_for
from .pages.report import Link
from .pages.timeline import render_timeline
from .product import Product, Progress, silent
from .report import Report
from .vega.exporter import Exporter

SHOWN = 6  # checkpoints drawn as small multiples (and given model pages) unless chosen with show_steps
STEP_PAGES = ("selected", "all", "none")


@api_words
def build_timeline(inputs: object, *, steps: Sequence[int] | None = None, show_steps: Sequence[int] | None = None,
                   step_pages: str = "selected", exporter: Exporter | None = None, progress: Progress | None = None,
                   **options: object) -> "TimelineReport":
    """Follow the categories of one model across checkpoints; see Options for the keywords.

    ``inputs``: one table with a step, checkpoint, revision or tokens column, or a list of tables, one per
    checkpoint, whose steps are ``steps`` (in the inputs' order) or read from their file names (step1000.csv).
    ``show_steps``: the steps drawn as small multiples (default: six spread over the series);
    ``step_pages``: which checkpoints get their full model page, "selected" (those), "all" or "none".
    """
    opts = options_of(**options)
    if step_pages not in STEP_PAGES:
        raise UsageError(f"step_pages must be one of {', '.join(STEP_PAGES)}, got {step_pages!r}")
    exporter, say = exporter or exporter_for(opts.formats), progress or silent
    sources = [inputs] if isinstance(inputs, (str, Path, pd.DataFrame)) else inputs
    say("loading the checkpoints")
    series = load_series(sources, opts, steps)
    say(f"following {len(series.checkpoints)} checkpoints")
    t = timeline(series)
    selected = selected_steps(t.steps, show_steps)
    figures = build_timeline_figures(t, selected, on_figure=exporter.sender(opts.formats))
    built = {"all": tuple(range(len(t.steps))), "selected": selected, "none": ()}[step_pages]
    reports = step_reports(t, built, opts, exporter, say)
    return TimelineReport(t, tuple(observe_timeline(t)), figures, opts, selected, reports, exporter=exporter).bundled()


def selected_steps(steps: tuple[int, ...], shown: Sequence[int] | None) -> tuple[int, ...]:
    """Indexes of the checkpoints to draw: those of ``shown`` (steps), else SHOWN spread evenly, first and last in."""
    if shown is None:
        return tuple(sorted({int(round(i)) for i in np.linspace(0, len(steps) - 1, min(SHOWN, len(steps)))}))
    missing = [s for s in shown if s not in steps]
    if missing:
        raise UsageError(f"--show-steps names step {missing[0]}, which no checkpoint has (they are {listed(steps)})")
    return tuple(sorted({steps.index(s) for s in shown}))


def step_folder(t: Timeline, s: int) -> str:
    """The folder of checkpoint ``s``'s model page."""
    return f"steps/{t.series.axis}-{t.steps[s]}"


def step_reports(t: Timeline, indexes: tuple[int, ...], options: Options, exporter: Exporter,
                 say: Progress) -> dict[int, Report]:
    """The full model page of each checkpoint in ``indexes``, linked back to the timeline and to its neighbours."""
    reports = {}
    for n, s in enumerate(indexes):
        c = t.series.checkpoints[s]
        name = f"{c.table.model or 'model'} at {t.series.axis} {c.step:,}"
        table = dataclasses.replace(c.table, model=name)
        report = Report.from_table(table, dataclasses.replace(options, model=name, title=None), exporter, say)
        reports[s] = dataclasses.replace(report, nav=step_nav(t, indexes, n))
    return reports


def step_nav(t: Timeline, indexes: tuple[int, ...], n: int) -> tuple[Link, ...]:
    """From a checkpoint's page: back to the timeline, then the previous and next checkpoints that have pages."""
    links = [Link("← Timeline", "../../index.html")]
    for other, word in ((n - 1, "previous"), (n + 1, "next")):
        if 0 <= other < len(indexes):
            s = indexes[other]
            links.append(Link(f"{word}: {t.series.axis} {t.steps[s]:,}", f"../../{step_folder(t, s)}/index.html"))
    return tuple(links)


@dataclass(frozen=True, eq=False, repr=False)
class TimelineReport(Product):
    """A built timeline, with the model pages of its selected checkpoints, in memory until saved."""

    timeline: Timeline
    observations: tuple[Observation, ...]
    figures: dict[str, Figure]
    options: Options
    selected: tuple[int, ...]
    reports: dict[int, Report]
    exporter: Exporter = dataclasses.field(default_factory=Exporter, repr=False)

    @cached_property
    def page_links(self) -> dict[int, str]:
        """Checkpoint index -> its model page's address, for the checkpoints that have one."""
        return {s: f"{step_folder(self.timeline, s)}/index.html" for s in self.reports}

    @cached_property
    def summary(self) -> dict:
        """The timeline's summary.json document as a dict (docs/timeline.md)."""
        return timeline_dict(self.timeline, list(self.observations), self.page_links)

    def to_html(self, theme: str | None = None) -> str:
        """The timeline page as one self-contained HTML file (no links to checkpoint pages or side files)."""
        return render_timeline(self.timeline, list(self.observations), self.figures, self.options.title,
                               self.options.formats, {}, with_downloads=False, theme=theme)

    def __repr__(self) -> str:
        t = self.timeline
        return (f"<TimelineReport {len(t.steps)} checkpoints ({t.series.axis} {t.steps[0]:,}–{t.steps[-1]:,}), "
                f"{len(t.categories)} categories, {len(self.reports)} checkpoint pages>")

    def pages(self) -> dict[str, bytes]:
        """The timeline at the top, each built checkpoint's page in its folder, each page with the Vega JavaScript inline (it opens alone)."""
        if not self.reports:
            page = render_timeline(self.timeline, list(self.observations), self.figures, self.options.title,
                                   self.options.formats, {})
            return {"index.html": page.encode()}
        page = render_timeline(self.timeline, list(self.observations), self.figures, self.options.title,
                               self.options.formats, self.page_links)
        steps = {f"{step_folder(self.timeline, s)}/{rel}": data for s, r in self.reports.items()
                 for rel, data in r.pages().items()}
        return {**steps, "index.html": page.encode()}

    def documents(self) -> dict[str, bytes]:
        """data/timeline.csv and data/summary.json at the top, each checkpoint page's data files in its folder."""
        steps = {f"{step_folder(self.timeline, s)}/{rel}": data for s, r in self.reports.items()
                 for rel, data in r.documents().items()}
        return {**steps, "data/timeline.csv": timeline_csv(self.timeline).encode(),
                "data/summary.json": dumps(self.summary).encode()}

    def figure_sets(self) -> dict[str, dict[str, Figure]]:
        """The timeline's figures at the top, then each checkpoint page's: the order they went to the export helper."""
        return {"": self.figures, **{step_folder(self.timeline, s): r.figure_sets()[""] for s, r in self.reports.items()}}

    def params(self) -> dict[str, str]:
        """The model, shape and rule of the checkpoints, and their steps (see output.params)."""
        series = self.timeline.series
        return timeline_params(series.first, series.steps, series.axis)

    def headline(self) -> dict[str, float]:
        """Checkpoints, and each category's final heads and the steps it appears, reaches half and settles."""
        return timeline_headline(self.timeline)

    def step_metrics(self) -> dict[int, dict[str, float]]:
        """Per checkpoint step, each category's heads, Jaccard to the final set and median layer (for trackers)."""
        return step_metrics(self.timeline)

    def input_digests(self) -> tuple[str, ...]:
        """Every checkpoint's input SHA-256, each once."""
        return tuple(dict.fromkeys(c.table.source.sha256 for c in self.timeline.series.checkpoints if c.table.source))

    def table_files(self) -> tuple[str, ...]:
        """Every checkpoint's input files, each once."""
        return tuple(dict.fromkeys(f for c in self.timeline.series.checkpoints if c.table.source
                                   for f in c.table.source.files))

    default_folder = "timeline"

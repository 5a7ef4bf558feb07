"""Render the run-to-run diff page: Diff, observations, figures -> HTML.

Template context of templates/diff.html: ``page`` (a DiffPage) and
``vega_bundle`` (the inline JavaScript, already safe for a <script> element),
and ``theme`` (see assets.script_context).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import __version__
from .assets import script_context, script_json
from ..charts import Figure
from ..analysis.diff import STATUS_COLORS, CategoryDiff, Diff
from ..observe.categories import Observation
from .report import FigureView, Link, environment, figure_view, generated_date, page_payload


@dataclass(frozen=True)
class RunFacts:
    """One run as the header shows it."""

    label: str
    model: str | None
    source_name: str | None
    source_sha256: str | None
    memberships: str


@dataclass(frozen=True)
class DiffRow:
    """One row of the per-category diff table, formatted for reading."""

    name: str
    color: str
    heads_a: int
    heads_b: int
    kept: int
    gained: int
    lost: int
    jaccard: str
    window: str


@dataclass(frozen=True)
class DiffPage:
    """The context of templates/diff.html."""

    title: str
    version: str
    generated: str | None
    shape: str
    runs: tuple[RunFacts, ...]
    heads: dict
    status_colors: dict
    observations: tuple[Observation, ...]
    figures: tuple[FigureView, ...]
    rows: tuple[DiffRow, ...]
    downloads: tuple[Link, ...]
    payload: str


def render_diff(diff: Diff, observations: list[Observation], figures: dict[str, Figure], title: str | None,
                formats: tuple[str, ...], with_downloads: bool = True,
                theme: str | None = None) -> str:
    """The diff page as HTML text; ``theme`` as in assets.script_context."""
    page = DiffPage(
        title=title or f"What changed: {diff.label_a} → {diff.label_b}",
        version=__version__,
        generated=generated_date(),
        shape=f"{diff.n_layers} layers × {diff.n_heads} heads",
        runs=(run_facts(diff.label_a, diff.a, diff.totals.memberships_a),
              run_facts(diff.label_b, diff.b, diff.totals.memberships_b)),
        heads={k: f"{v:,}" for k, v in diff.totals.heads.items()},
        status_colors=STATUS_COLORS,
        observations=tuple(observations),
        figures=tuple(figure_view(f, formats if with_downloads else ()) for f in figures.values()),
        rows=tuple(diff_row(c) for c in diff.categories),
        downloads=(Link("changes.csv", "data/changes.csv"), Link("diff.json", "data/diff.json")) if with_downloads else (),
        payload=script_json(page_payload(figures)),
    )
    return environment().get_template("diff.html").render(page=page, **script_context(theme))


def run_facts(label: str, table, memberships: int) -> RunFacts:
    """A run's label, model, file and membership count."""
    return RunFacts(label, table.model, table.source.name if table.source else None,
                    table.source.sha256 if table.source else None, f"{memberships:,}")


def diff_row(c: CategoryDiff) -> DiffRow:
    """Format one category's diff for the table."""
    window = "–" if c.changed_window is None else (
        f"{c.changed_window[0]}–{c.changed_window[1]} ({100 * c.changed_window_share:.0f}%)")
    jaccard = "–" if c.jaccard is None else f"{c.jaccard:.2f}"
    return DiffRow(c.name, c.color, c.heads_a, c.heads_b, c.kept, c.gained, c.lost, jaccard, window)

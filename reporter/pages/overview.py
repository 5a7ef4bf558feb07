"""Render the overview page of a multi-model site: ModelComparison, observations, figures -> HTML.

Template context of templates/overview.html: ``page`` (an OverviewPage) and
``vega_bundle`` (the inline JavaScript, already safe for a <script> element),
and ``theme`` (see assets.script_context). templates/site.html (the single-file site) adds ``model_pages``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .. import __version__
from .assets import script_context, script_json
from ..charts import Figure
from ..analysis.across_models import ModelComparison, ModelCategory
from ..observe.categories import Observation
from .report import (SHAPE_NOTES, FigureView, Link, ReportPage, environment, figure_view, generated_date,
                     page_payload)


@dataclass(frozen=True)
class ModelLine:
    """One row of the models table."""

    name: str
    href: str | None
    shape: str
    shape_note: str
    heads: str
    classified: str
    unclassified: str
    multi: str
    counts: tuple[str, ...]


@dataclass(frozen=True)
class CoreCell:
    """One model's core window of one category, formatted."""

    window: str
    detail: str


@dataclass(frozen=True)
class CoreLine:
    """One category's core windows in every model."""

    name: str
    color: str
    cells: tuple[CoreCell, ...]


@dataclass(frozen=True)
class SitePage:
    """A model's page inside a single-file site: its path in the site folder and its view model."""

    path: str
    page: ReportPage


@dataclass(frozen=True)
class OverviewPage:
    """The context of templates/overview.html."""

    title: str
    version: str
    generated: str | None
    sources: tuple[str, ...]
    categories: tuple[tuple[str, str], ...]
    models: tuple[ModelLine, ...]
    core_lines: tuple[CoreLine, ...]
    observations: tuple[Observation, ...]
    figures: tuple[FigureView, ...]
    downloads: tuple[Link, ...]
    payload: str


def render_overview(cmp: ModelComparison, observations: list[Observation], figures: dict[str, Figure],
                    title: str | None, formats: tuple[str, ...], sources: tuple[str, ...],
                    with_links: bool = True, theme: str | None = None) -> str:
    """The overview page as HTML text; without links it stands alone (no model pages, no downloads).

    ``theme`` as in assets.script_context.
    """
    page = overview_page(cmp, observations, figures, title, formats if with_links else (), sources, with_links)
    return environment().get_template("overview.html").render(page=page, **script_context(theme))


def render_single_site(cmp: ModelComparison, observations: list[Observation], figures: dict[str, Figure],
                       title: str | None, sources: tuple[str, ...], model_pages: tuple[SitePage, ...],
                       theme: str | None = None) -> str:
    """The whole site as one HTML file: the overview, linked to every model page held in the same file
    (templates/site.html), without downloads; ``theme`` as in assets.script_context."""
    page = overview_page(cmp, observations, figures, title, (), sources, with_links=True)
    page = replace(page, downloads=())
    return environment().get_template("site.html").render(page=page, model_pages=model_pages,
                                                          **script_context(theme))


def overview_page(cmp: ModelComparison, observations: list[Observation], figures: dict[str, Figure],
                  title: str | None, formats: tuple[str, ...], sources: tuple[str, ...],
                  with_links: bool) -> OverviewPage:
    """Gather the view model of the overview page; ``formats``: the figure downloads it links to."""
    return OverviewPage(
        title=title or f"Attention-head categories: {len(cmp.models)} models",
        version=__version__,
        generated=generated_date(),
        sources=sources,
        categories=tuple((c, cmp.colors[c]) for c in cmp.categories),
        models=tuple(model_line(cmp, i, with_links) for i in range(len(cmp.models))),
        core_lines=tuple(core_line(cmp, c) for c in cmp.categories),
        observations=tuple(observations),
        figures=tuple(figure_view(f, formats) for f in figures.values()),
        downloads=(Link("comparison.json", "data/comparison.json"),) if with_links else (),
        payload=script_json(page_payload(figures)),
    )


def model_line(cmp: ModelComparison, index: int, with_links: bool) -> ModelLine:
    """A model's name, link, shape and head counts."""
    m = cmp.models[index]
    return ModelLine(
        name=m.name,
        href=f"{m.slug}/index.html" if with_links else None,
        shape=f"{m.n_layers} × {m.n_heads}",
        shape_note=SHAPE_NOTES.get(m.shape_source) or "shape inferred from the table",
        heads=f"{m.heads:,}",
        classified=f"{m.classified:,}",
        unclassified=f"{m.unclassified:,}",
        multi=f"{m.multi_category:,}",
        counts=tuple(f"{cmp.cell(m.slug, c).heads:,}" if cmp.cell(m.slug, c).measured else "not measured"
                     for c in cmp.categories),
    )


def core_line(cmp: ModelComparison, category: str) -> CoreLine:
    """One category's core windows across models."""
    return CoreLine(category, cmp.colors[category], tuple(core_cell(c) for c in cmp.for_category(category)))


def core_cell(c: ModelCategory) -> CoreCell:
    """``layers 16–48`` and ``depth 0.20–0.61 · 81% of 120 heads``, or a dash without heads."""
    if not c.measured:
        return CoreCell("–", "not measured")
    if not c.heads:
        return CoreCell("–", "no heads")
    lo, hi = c.core_layers
    dlo, dhi = c.core_depth
    return CoreCell(f"layers {lo}–{hi}", f"depth {dlo:.2f}–{dhi:.2f} · {100 * c.core_share:.0f}% of {c.heads:,} heads")

"""Site: several models -> an overview page plus one full report per model, written as one folder."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Sequence

from .analysis.across_models import ModelComparison, compare_models
from .charts import Figure
from .charts.overview import build_overview_figures
from .errors import api_words
from .input.load import load_raw
from .input.models.model_config import options_of
from .input.models.multi import input_list, load_models, model_inputs
from .observe.categories import Observation
from .observe.models import observe_models
from .options import BuildOptions, Options
from .output.comparison_json import comparison_dict
from .output.headline import site_metrics
from .output.params import site_params
from .output.summary_json import dumps
from .pages.overview import SitePage, render_overview, render_single_site
from .pages.report import Link
from .product import Product, Progress, silent
from .report import Report, source_name
from .slugs import folder_slugs
from .pages.assets import exporter_for
from .vega.exporter import Exporter

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack from Python 3.11; annotations are never evaluated

log = logging.getLogger(__name__)


@api_words
def build_any(inputs: Sequence[object], *, exporter: Exporter | None = None, progress: Progress | None = None,
              **options: Unpack[BuildOptions]) -> "Report | SiteReport":
    """A single-model Report when the inputs hold one model, else a multi-model SiteReport (see build_site)."""
    opts, inputs = options_of(**options), input_list(inputs)
    exporter, say = exporter or exporter_for(opts.formats), progress or silent
    say(f"loading {', '.join(source_name(i) for i in inputs)}")
    found = model_inputs(inputs, opts.model, opts.category, opts)  # reads each input once
    if len(found) == 1:  # one table of one model, or single-category files of one model
        return Report.from_table(load_raw(found[0].source, opts), opts, exporter, say).bundled()
    return site_from(found, opts, exporter, say).bundled()


@api_words
def build_site(inputs: Sequence[object], *, exporter: Exporter | None = None, progress: Progress | None = None,
               **options: Unpack[BuildOptions]) -> "SiteReport":
    """Build an overview and one report per model from paths or objects; see build for the keywords.

    ``exporter`` draws the figures; without one, the build starts its own
    export helper, which the site keeps for its saves (see Product.close);
    ``progress`` hears of each step.
    """
    opts, inputs = options_of(**options), input_list(inputs)
    exporter, say = exporter or exporter_for(opts.formats), progress or silent
    say(f"loading {', '.join(source_name(i) for i in inputs)}")
    return site_from(model_inputs(inputs, opts.model, opts.category, opts), opts, exporter, say).bundled()


def site_from(found, opts: Options, exporter: Exporter, progress: Progress) -> "SiteReport":
    """The multi-model site of the models model_inputs found."""
    tables = load_models(found, opts)
    slugs = folder_slugs([t.model or "model" for t in tables])
    reports = [Report.from_table(t, dataclasses.replace(opts, model=t.model, title=None), exporter, progress)
               for t in tables]
    reports = [dataclasses.replace(r, nav=nav_links(slugs, i, tables)) for i, r in enumerate(reports)]
    progress(f"comparing {len(reports)} models")
    cmp = compare_models([r.stats for r in reports], slugs)
    sources = tuple(dict.fromkeys(t.source.name for t in tables if t.source))
    # Sent to the export helper as they are made, after the models' figures: parts() stages them last.
    figures = build_overview_figures(cmp, on_figure=exporter.sender(opts.formats))
    return SiteReport(tuple(reports), tuple(slugs), cmp, tuple(observe_models(cmp)), figures, opts, sources,
                      exporter=exporter)


def nav_links(slugs: Sequence[str], index: int, tables) -> tuple[Link, ...]:
    """From a model page: back to the overview, then every other model's page."""
    others = [Link(t.model or s, f"../{s}/index.html") for i, (s, t) in enumerate(zip(slugs, tables)) if i != index]
    return (Link(f"← Overview of {len(slugs)} models", "../index.html"), *others)


@dataclass(frozen=True, eq=False, repr=False)
class SiteReport(Product):
    """A built multi-model site, in memory until saved."""

    reports: tuple[Report, ...]
    slugs: tuple[str, ...]
    comparison: ModelComparison
    observations: tuple[Observation, ...]
    figures: dict[str, Figure]
    options: Options
    sources: tuple[str, ...] = ()
    exporter: Exporter = dataclasses.field(default_factory=Exporter, repr=False)

    @cached_property
    def summary(self) -> dict:
        """The comparison.json document as a dict."""
        return comparison_dict(self.comparison, list(self.observations))

    def to_html(self, theme: str | None = None) -> str:
        """The whole site as one self-contained HTML file: the overview and every model page, switched in place by
        the overview's links and each page's navigation (no links to side files)."""
        pages = tuple(SitePage(f"{slug}/index.html", r.page_view()) for slug, r in zip(self.slugs, self.reports))
        return render_single_site(self.comparison, list(self.observations), self.figures, self.options.title,
                                  self.sources, pages, theme=theme)

    def __repr__(self) -> str:
        names = ", ".join(m.name for m in self.comparison.models)
        return f"<SiteReport of {len(self.reports)} models ({names}), {len(self.comparison.categories)} categories>"

    def pages(self) -> dict[str, bytes]:
        """The overview at the top and each model's page in its slug's folder; each page inlines the Vega
        JavaScript, so that any one of them opens alone (copied, mailed, or a tracker's artifact)."""
        page = render_overview(self.comparison, list(self.observations), self.figures, self.options.title,
                               self.options.formats, self.sources, with_links=True)
        return {**self.per_model(lambda r: r.pages()), "index.html": page.encode()}

    def documents(self) -> dict[str, bytes]:
        """data/comparison.json at the top, each model's data files in its folder."""
        return {**self.per_model(lambda r: r.documents()), "data/comparison.json": dumps(self.summary).encode()}

    def per_model(self, files: Callable[[Report], dict[str, bytes]]) -> dict[str, bytes]:
        """``files`` of every model's report, under its slug's folder."""
        return {f"{slug}/{rel}": data for slug, r in zip(self.slugs, self.reports) for rel, data in files(r).items()}

    def figure_sets(self) -> dict[str, dict[str, Figure]]:
        """Each model's figures in its folder, then the overview's: the order they went to the export helper."""
        return {**dict(zip(self.slugs, (r.figure_sets()[""] for r in self.reports))), "": self.figures}

    def input_digests(self) -> tuple[str, ...]:
        """Every model's input SHA-256, each once, in the models' order."""
        return tuple(dict.fromkeys(d for r in self.reports for d in r.input_digests()))

    def params(self) -> dict[str, str]:
        """The models, then each model's shape and rule under its slug (see output.params)."""
        return site_params(list(self.slugs), [r.table for r in self.reports])

    def table_files(self) -> tuple[str, ...]:
        """Every model's input files, each once."""
        return tuple(dict.fromkeys(f for r in self.reports for f in r.table_files()))

    def headline(self) -> dict[str, float]:
        """How many models, and each model's headline numbers under its slug."""
        return site_metrics(list(self.slugs), [r.summary for r in self.reports])

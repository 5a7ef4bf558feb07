"""Report: the pipeline load -> summarize -> observe -> charts -> render, and its result."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from functools import cached_property


from .analysis.robustness import with_neighbours
from .analysis.summarize import Summary, describe, with_tests
from .charts import Figure, build_figures, in_made_order
from .errors import UsageError, api_words, listed
from .input.load import load_raw
from .input.models.multi import model_inputs
from .input.models.model_config import options_of
from .input.table import HeadTable
from .observe.categories import Observation, observe
from .observe.kv_groups import kv_observations
from .observe.scores import score_observations
from .options import BuildOptions, Options
from .output.csv_tables import heads_csv
from .output.headline import headline_metrics
from .output.params import table_params
from .output.summary_json import dumps, summary_dict
from .pages.assets import exporter_for
from .pages.report import Link, ReportPage, render_report, report_page
from .product import Product, Progress, silent
from .vega.exporter import Exporter

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack from Python 3.11; annotations are never evaluated

log = logging.getLogger(__name__)


@api_words
def build(table: object, *, exporter: Exporter | None = None, progress: Progress | None = None,
          **options: Unpack[BuildOptions]) -> "Report":
    """Build a report from a path, a table, an array or a dict (input/objects.py).

    ``exporter`` draws the figures; without one, the build starts its own
    export helper, which the report keeps for its saves (see Product.close);
    ``progress`` hears of each step (a function taking one message).

    Keywords (as the command's options; a wrong name or type is a UsageError):
      title           the page title (default: "Attention-head categories: MODEL")
      model           the model's name: its shape from the known models; picks one model of a model column
      layers, heads   the model's shape (give both), else Parquet metadata, a known model or the largest index + 1
      n_layers        the same as layers, as TransformerLens and Hugging Face name it
      n_heads         the same as heads
      cfg             a TransformerLens or Hugging Face config giving the shape (and KV heads)
      model_config    a Hugging Face config.json path giving the shape (and KV heads)
      categories      the categories shown, in panel order, "A,B" or a list (default: all, in the input's order)
      category_order  these categories first, in this order, the rest after them
      category        the name of an input's one category (a matrix, a map of head ids)
      category_map    a relation -> category map file for a scores table without a category column
      score_column    the scores table's score column (default "score")
      threshold       a head joins a category when its score is at least this
      top_k           the K best heads of each relation join its categories
      top_percent     the best P% of heads of each relation join its categories
      top_mass        the fewest heads holding P% of each relation's summed score join its categories
      ties            at a rank cut: "keep" (default) every tied head, "drop" them all, or "first" by row order
      normalize       what a threshold reads: the score as given ("none"), or per relation "max", "z" or "rank"
      rank_within     a rank rule ranks within each "relation" (default), or each "layer" or "kv-group" of it
      threshold_map   a file of per-relation thresholds
      aggregate       how repeated score rows combine: "mean" (default), "max" or "median"
      field           which value(s) of each head's list is the category or the score
      one_model_per_file  several single-category files: one model each, not one model's categories
      kv_heads        key/value heads per layer (grouped-query attention): the grouped-query view
      formats         figure exports written by save(): "svg,png,pdf" (default), a list, or "" for none
      engine          how files are read: "auto" (default), "pandas" or "duckdb"
      force           save() may write into a folder reporter did not make, keeping its files
      example         label the report as the bundled synthetic example
      shape_from      where layers/heads came from, for the header: "flag" (default) or "model-config"
    """
    opts = options_of(**options)
    found = one_model_input(table, opts)  # before the export helper starts: a refusal starts nothing
    exporter, say = exporter or exporter_for(opts.formats), progress or silent
    say(f"loading {source_name(table)}")
    return Report.from_table(load_raw(found.source, opts), opts, exporter, say).bundled()


def one_model_input(table: object, opts: Options):
    """The one model ``table`` holds, or a UsageError naming what to call for several."""
    found = model_inputs([table], opts.model, opts.category, opts)
    if len(found) > 1:
        names = listed(m.name for m in found)
        raise UsageError(f"{source_name(table)} holds {len(found)} models ({names}); reporter.build makes one "
                         "model's report: call reporter.build_site(table) for an overview and a page per model, "
                         "or reporter.build(table, model='NAME') for one of them")
    return found[0]


def source_name(table: object) -> str:
    """What the progress line calls an input: its file name, or "the table" for one in memory."""
    return Path(table).name if isinstance(table, (str, Path)) else "the table"


@dataclass(frozen=True, eq=False, repr=False)
class Report(Product):
    """A built report of one model, in memory until saved."""

    table: HeadTable
    stats: Summary
    observations: tuple[Observation, ...]
    figures: dict[str, Figure]
    options: Options
    nav: tuple[Link, ...] = ()  # links to the overview and sibling pages when part of a multi-model site
    exporter: Exporter = field(default_factory=Exporter, repr=False)

    @classmethod
    def from_table(cls, table: HeadTable, options: Options, exporter: Exporter | None = None,
                   progress: Progress = silent) -> "Report":
        """Run summarize, observe and charts on a loaded table; ``exporter`` draws the figures as they are made."""
        exporter = exporter or Exporter()
        name = table.model or "the model"
        kv = kv_heads_for(table, options)
        progress(f"summarizing {name}")
        described = describe(table, kv)
        # Figures need no test results: with an export helper running, each one
        # is drawn there while the next is built and while the tests run here.
        progress(f"making the figures of {name}")
        send = exporter.sender(options.formats)
        early = build_figures(described, kv, on_figure=send, early_only=True)
        progress(f"testing the statistics of {name}")
        stats = with_neighbours(with_tests(described))
        observations = tuple(observe(stats)) + tuple(kv_observations(stats)) + tuple(score_observations(stats))
        figures = build_figures(stats, kv, on_figure=send, observations=observations, made=early)
        return cls(table, stats, observations, figures, options, exporter=exporter)

    @cached_property
    def summary(self) -> dict:
        """The summary.json document as a dict."""
        return summary_dict(self.stats, list(self.observations))

    def to_html(self, theme: str | None = None) -> str:
        """The report as one self-contained HTML file (no links to side files); ``theme`` as in Product.to_html."""
        return render_report(self.stats, list(self.observations), self.figures, self.options.title,
                             self.options.formats, with_downloads=False, theme=theme)

    def page_view(self) -> ReportPage:
        """The page's view model without downloads, with its links to a site's other pages (a single-file site)."""
        page = report_page(self.stats, list(self.observations), self.figures, self.options.title, (), False)
        return dataclasses.replace(page, nav=self.nav)

    def __repr__(self) -> str:
        t, totals = self.table, self.stats.totals
        return (f"<Report {t.model or (t.source.name if t.source else 'model')!r}: {t.n_layers} layers × {t.n_heads} heads, "
                f"{totals.classified:,} of {totals.heads:,} heads classified in {len(t.categories)} categories, "
                f"{len(self.observations)} observations, figures {', '.join(self.figures)}>")

    def pages(self) -> dict[str, bytes]:
        """index.html, with links to the downloads (and to sibling pages in a multi-model site); it opens alone."""
        page = render_report(self.stats, list(self.observations), self.figures, self.options.title,
                             self.options.formats, with_downloads=True, nav=self.nav)
        return {"index.html": page.encode()}

    def documents(self) -> dict[str, bytes]:
        """data/heads.csv and data/summary.json."""
        return {"data/heads.csv": heads_csv(self.stats).encode(), "data/summary.json": dumps(self.summary).encode()}

    def figure_sets(self) -> dict[str, dict[str, Figure]]:
        """The page's drawn figures (not those replaced by a sentence) in the order they were made, at the top."""
        return {"": {slug: f for slug, f in in_made_order(self.figures).items() if f.drawn}}

    def headline(self) -> dict[str, float]:
        """Totals, classified share and heads per category."""
        return headline_metrics(self.summary)

    def params(self) -> dict[str, str]:
        """The model, its shape and the rule that made the categories (see output.params)."""
        return table_params(self.table)

    def input_digests(self) -> tuple[str, ...]:
        """The input file's SHA-256, when the table came from a file."""
        return (self.table.source.sha256,) if self.table.source else ()

    def table_files(self) -> tuple[str, ...]:
        """The local files the table was read from."""
        return self.table.source.files if self.table.source else ()



def kv_heads_for(table: HeadTable, options: Options) -> int | None:
    """--kv-heads, else the known model's KV heads when it uses grouped-query attention and the shape matches."""
    if table.kv_granular:  # the heads are the KV heads already: no groups to draw
        return None
    if options.kv_heads is not None:
        return options.kv_heads
    from .input.models.known_models import lookup

    known = lookup(table.model)
    if known is None or (known.n_layers, known.n_heads) != (table.n_layers, table.n_heads):
        return None
    return known.n_kv_heads if known.n_kv_heads < known.n_heads else None

"""Diff report: load two runs, compare them, and write the diff page with its data and figures."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .analysis.diff import Diff, diff_tables
from .charts import Figure
from .charts.diff import build_diff_figures
from .errors import UsageError, api_words, listed
from .input.load import load_raw
from .input.models.model_config import options_of
from .input.models.multi import input_list, model_inputs, shared_categories, with_categories
from .input.table import HeadTable
from .observe.categories import Observation
from .observe.diff import observe_diff
from .options import BuildOptions, Options
from .output.csv_tables import changes_csv
from .output.diff_json import diff_dict
from .output.headline import diff_metrics
from .output.params import diff_params
from .output.summary_json import dumps
from .pages.assets import exporter_for
from .pages.diff import render_diff
from .product import Product, Progress, silent
from .vega.exporter import Exporter

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack from Python 3.11; annotations are never evaluated


@api_words
def build_diff(a: object, b: object, *, exporter: Exporter | None = None, progress: Progress | None = None,
               **options: Unpack[BuildOptions]) -> "DiffReport":
    """Compare run ``a`` with run ``b`` (paths or DataFrames of one model shape); see build for the keywords.

    ``exporter`` draws the figures; without one, the build starts its own
    export helper, which the diff keeps for its saves (see Product.close);
    ``progress`` hears of each step.
    """
    opts = options_of(**options)
    exporter, say = exporter or exporter_for(opts.formats), progress or silent
    label_a, label_b = labels(a, b)
    say(f"loading {label_a} and {label_b}")
    ta, tb = load_run(a, label_a, opts), load_run(b, label_b, opts)
    order = shared_categories([ta, tb], opts.categories, opts.category_order)
    say(f"comparing {label_a} with {label_b}")
    diff = diff_tables(with_categories(ta, order), with_categories(tb, order), label_a, label_b)
    figures = build_diff_figures(diff, on_figure=exporter.sender(opts.formats))
    return DiffReport(diff, tuple(observe_diff(diff)), figures, opts, exporter=exporter).bundled()


def labels(a: object, b: object) -> tuple[str, str]:
    """File names of the two runs; the paths as given when the names match; A and B for in-memory tables."""
    if not isinstance(a, (str, Path)) or not isinstance(b, (str, Path)) or str(a) == str(b):
        return "A", "B"
    if Path(a).name == Path(b).name:
        return str(a), str(b)
    return Path(a).name, Path(b).name


def load_run(source: object, label: str, options: Options) -> HeadTable:
    """Load one run, read as build reads it; a table holding several models needs --model to say which."""
    found = model_inputs(input_list(source), options.model, options.category, options)
    if len(found) > 1:
        raise UsageError(f"{label} holds {len(found)} models ({listed(m.name for m in found)}); "
                         "pick one with --model NAME")
    return load_raw(found[0].source, dataclasses.replace(options, categories=None))


@dataclass(frozen=True, eq=False, repr=False)
class DiffReport(Product):
    """A built diff page, in memory until saved."""

    diff: Diff
    observations: tuple[Observation, ...]
    figures: dict[str, Figure]
    options: Options
    exporter: Exporter = dataclasses.field(default_factory=Exporter, repr=False)

    @cached_property
    def summary(self) -> dict:
        """The diff.json document as a dict."""
        return diff_dict(self.diff, list(self.observations))

    def to_html(self, theme: str | None = None) -> str:
        """The diff as one self-contained HTML file (no links to side files)."""
        return render_diff(self.diff, list(self.observations), self.figures, self.options.title, self.options.formats,
                           with_downloads=False, theme=theme)

    def __repr__(self) -> str:
        return f"<DiffReport {self.diff.label_a!r} → {self.diff.label_b!r}: {self.diff.n_layers} layers × {self.diff.n_heads} heads>"

    def pages(self) -> dict[str, bytes]:
        """index.html, with links to the downloads."""
        page = render_diff(self.diff, list(self.observations), self.figures, self.options.title, self.options.formats)
        return {"index.html": page.encode()}

    def documents(self) -> dict[str, bytes]:
        """data/changes.csv and data/diff.json."""
        return {"data/changes.csv": changes_csv(self.diff).encode(), "data/diff.json": dumps(self.summary).encode()}

    def figure_sets(self) -> dict[str, dict[str, Figure]]:
        """The page's figures, at the top of its folder."""
        return {"": self.figures}

    def params(self) -> dict[str, str]:
        """The shape, then each run's model and rule (see output.params)."""
        return diff_params(self.diff.a, self.diff.b)

    def headline(self) -> dict[str, float]:
        """Memberships kept, gained and lost, overall and per category, and the Jaccard between the runs."""
        return diff_metrics(self.summary)

    def input_digests(self) -> tuple[str, ...]:
        """Both runs' SHA-256, when they came from files."""
        return tuple(t.source.sha256 for t in (self.diff.a, self.diff.b) if t.source)

    def table_files(self) -> tuple[str, ...]:
        """Both runs' input files."""
        return tuple(f for t in (self.diff.a, self.diff.b) if t.source for f in t.source.files)

    default_folder = "diff"  # where save() writes when no folder is given

"""Report: the pipeline load -> summarize -> observe -> charts -> render, and its result."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from .vega.exporter import Exporter
from .charts import Figure, build_figures
from .input.load import load
from .observe.categories import Observation, observe
from .observe.kv_groups import kv_observations
from .options import Options
from .pages.assets import exporter_for
from .pages.report import Link, render_report
from .analysis.summarize import Summary, describe, with_tests
from .output.headline import headline_metrics
from .output.summary_json import dumps, summary_dict
from .product import Product, Progress, silent
from .input.table import HeadTable

log = logging.getLogger(__name__)


def build(table: object, *, exporter: Exporter | None = None, progress: Progress | None = None,
          **options: object) -> "Report":
    """Build a report from a path or a DataFrame; see Options for the keyword arguments.

    ``exporter`` draws the figures; without one, the build starts its own
    export helper, which the report keeps for its saves (see Product.close).
    """
    opts = Options.from_kwargs(**options)
    exporter = exporter or exporter_for(opts.formats)
    say = progress or silent
    say(f"loading {source_name(table)}")
    return Report.from_table(load(table, opts), opts, exporter, say).bundled()


def source_name(table: object) -> str:
    """What the progress line calls an input: its file name, or "the table" for one in memory."""
    return Path(table).name if isinstance(table, (str, Path)) else "the table"


@dataclass(frozen=True, eq=False)
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
        described = describe(table)
        # Figures need no test results: with an export helper running, each one
        # is drawn there while the next is built and while the tests run here.
        progress(f"making the figures of {name}")
        figures = build_figures(described, kv, on_figure=exporter.sender(options.formats))
        progress(f"testing the statistics of {name}")
        stats = with_tests(described)
        observations = tuple(observe(stats)) + tuple(kv_observations(stats, kv))
        return cls(table, stats, observations, figures, options, exporter=exporter)

    @cached_property
    def summary(self) -> dict:
        """The summary.json document as a dict."""
        return summary_dict(self.stats, list(self.observations))

    def to_html(self) -> str:
        """The report as one self-contained HTML file (no links to side files)."""
        return render_report(self.stats, list(self.observations), self.figures, self.options.title,
                             self.options.formats, with_downloads=False)

    def pages(self) -> dict[str, bytes]:
        """index.html, with links to the downloads (and to sibling pages in a multi-model site)."""
        page = render_report(self.stats, list(self.observations), self.figures, self.options.title,
                             self.options.formats, with_downloads=True, nav=self.nav)
        return {"index.html": page.encode()}

    def documents(self) -> dict[str, bytes]:
        """data/heads.csv and data/summary.json."""
        return {"data/heads.csv": heads_csv(self.stats).encode(), "data/summary.json": dumps(self.summary).encode()}

    def figure_sets(self) -> dict[str, dict[str, Figure]]:
        """The page's figures, at the top of its folder."""
        return {"": self.figures}

    def headline(self) -> dict[str, float]:
        """Totals, classified share and heads per category."""
        return headline_metrics(self.summary)

    default_folder = "site"

    def input_digests(self) -> tuple[str, ...]:
        """The input file's SHA-256, when the table came from a file."""
        return (self.table.source.sha256,) if self.table.source else ()

    def _repr_html_(self) -> str:
        """The report in a srcdoc iframe, for notebooks.

        A srcdoc iframe needs no server, so it shows in Jupyter, VS Code and
        Colab alike; ``sandbox="allow-scripts"`` runs the charts without giving
        the page the notebook's origin.
        """
        from .pages.report import render_notebook_frame

        return render_notebook_frame(self.to_html())


def kv_heads_for(table: HeadTable, options: Options) -> int | None:
    """--kv-heads, else the known model's KV heads when it uses grouped-query attention and the shape matches."""
    if options.kv_heads is not None:
        return options.kv_heads
    from .input.known_models import lookup

    known = lookup(table.model)
    if known is None or (known.n_layers, known.n_heads) != (table.n_layers, table.n_heads):
        return None
    return known.n_kv_heads if known.n_kv_heads < known.n_heads else None


def heads_csv(stats: Summary) -> str:
    """Every head of the model, classified or not: layer, head, categories, n_categories, label."""
    t = stats.table
    grid = pd.DataFrame(
        {
            "layer": np.repeat(np.arange(t.n_layers, dtype="int64"), t.n_heads),
            "head": np.tile(np.arange(t.n_heads, dtype="int64"), t.n_layers),
        }
    )
    merged = grid.merge(stats.heads, on=["layer", "head"], how="left")
    merged["categories"] = merged["categories"].fillna("")
    merged["n_categories"] = merged["n_categories"].fillna(0).astype("int64")
    merged["label"] = merged["label"].fillna("Unclassified")
    return merged[["layer", "head", "categories", "n_categories", "label"]].to_csv(index=False, lineterminator="\n")

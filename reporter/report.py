"""Report: the pipeline load -> summarize -> observe -> charts -> render, and its result."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from .vega import exporter
from .charts import Figure, build_figures
from .input.load import load
from .observe.categories import Observation, observe
from .observe.kv_groups import kv_observations
from .options import Options
from .pages.report import Link, render_report
from .analysis.summarize import Summary, describe, with_tests
from .output.csv_text import csv_text
from .output.headline import headline_metrics
from .output.summary_json import dumps, summary_dict
from .product import Product
from .input.table import HeadTable

log = logging.getLogger(__name__)


def build(table: object, **options: object) -> "Report":
    """Build a report from a path or a DataFrame; see Options for the keyword arguments."""
    opts = Options.from_kwargs(**options)
    return Report.from_table(load(table, opts), opts)


@dataclass(frozen=True, eq=False)
class Report(Product):
    """A built report of one model, in memory until saved."""

    table: HeadTable
    stats: Summary
    observations: tuple[Observation, ...]
    figures: dict[str, Figure]
    options: Options
    nav: tuple[Link, ...] = ()  # links to the overview and sibling pages when part of a multi-model site

    @classmethod
    def from_table(cls, table: HeadTable, options: Options) -> "Report":
        """Run summarize, observe and charts on a loaded table."""
        kv = kv_heads_for(table, options)
        described = describe(table)
        # Figures need no test results: with an export helper running (the CLI), each one
        # is drawn there while the next is built and while the tests run here.
        figures = build_figures(described, kv, on_figure=exporter.sender(options.formats))
        stats = with_tests(described)
        observations = tuple(observe(stats)) + tuple(kv_observations(stats, kv))
        return cls(table, stats, observations, figures, options)

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

    @property
    def force(self) -> bool:
        """--force: write beside files reporter did not write."""
        return self.options.force

    @property
    def formats(self) -> tuple[str, ...]:
        """The static formats of the figure exports."""
        return self.options.formats

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
    return csv_text(merged[["layer", "head", "categories", "n_categories", "label"]])

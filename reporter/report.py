"""Report: the pipeline load -> summarize -> observe -> charts -> render, and its result."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from . import exporter
from .charts import Figure, build_figures
from .load import load
from .observe import Observation, observe
from .observe_kv import kv_observations
from .options import Options
from .render import Link, render_report
from .summarize import Summary, describe, with_tests
from .summary_json import dumps, summary_dict
from .table import HeadTable

log = logging.getLogger(__name__)


def build(table: object, **options: object) -> "Report":
    """Build a report from a path or a DataFrame; see Options for the keyword arguments."""
    opts = Options.from_kwargs(**options)
    return Report.from_table(load(table, opts), opts)


@dataclass(frozen=True, eq=False)
class Report:
    """A built report, in memory until saved."""

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

    def files(self) -> dict[str, bytes]:
        """Every file of the site except figure exports, keyed by relative path."""
        page = render_report(self.stats, list(self.observations), self.figures, self.options.title,
                             self.options.formats, with_downloads=True, nav=self.nav)
        return {
            "index.html": page.encode(),
            ".nojekyll": b"",
            "data/heads.csv": heads_csv(self.stats).encode(),
            "data/summary.json": dumps(self.summary).encode(),
        }

    def save(self, out: str | Path = "site", progress: Callable[[str], None] | None = None) -> Path:
        """Write the site into ``out`` atomically and return its path."""
        from .write import write_site

        return write_site(Path(out), self.files(), self.figures, self.options.formats, progress, force=self.options.force)

    def save_html(self, path: str | Path) -> Path:
        """Write only the one self-contained HTML file (``--single-file``), atomically."""
        from .single_file import write_single_file

        source = self.table.source
        return write_single_file(path, self.to_html(), force=self.options.force,
                                 input_sha256=source.sha256 if source else None)

    def _repr_html_(self) -> str:
        """The report in a srcdoc iframe, for notebooks.

        A srcdoc iframe needs no server, so it shows in Jupyter, VS Code and
        Colab alike; ``sandbox="allow-scripts"`` runs the charts without giving
        the page the notebook's origin.
        """
        from .render import render_notebook_frame

        return render_notebook_frame(self.to_html())


def kv_heads_for(table: HeadTable, options: Options) -> int | None:
    """--kv-heads, else the known model's KV heads when it uses grouped-query attention and the shape matches."""
    if options.kv_heads is not None:
        return options.kv_heads
    from .known_models import lookup

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

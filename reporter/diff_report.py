"""Diff report: load two runs, compare them, and write the diff page with its data and figures."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable

from . import __version__
from .vega import exporter
from .charts import Figure
from .charts.diff import build_diff_figures
from .analysis.diff import Diff, diff_tables
from .errors import UsageError
from .input.load import load_raw
from .input.read import read
from .input.multi import model_names, shared_categories, with_categories
from .observe.categories import Observation
from .observe.diff import observe_diff
from .options import Options
from .pages.diff import render_diff
from .output.csv_text import csv_text
from .output.headline import diff_metrics
from .output.summary_json import dumps, observation_dict
from .product import Product
from .input.table import HeadTable

SCHEMA_VERSION = 1


def build_diff(a: object, b: object, **options: object) -> "DiffReport":
    """Compare run ``a`` with run ``b`` (paths or DataFrames of one model shape); see Options for keywords."""
    opts = Options.from_kwargs(**options)
    label_a, label_b = labels(a, b)
    ta, tb = load_run(a, label_a, opts), load_run(b, label_b, opts)
    order = shared_categories([ta, tb], opts.categories)
    diff = diff_tables(with_categories(ta, order), with_categories(tb, order), label_a, label_b)
    figures = build_diff_figures(diff, on_figure=exporter.sender(opts.formats))
    return DiffReport(diff, tuple(observe_diff(diff)), figures, opts)


def labels(a: object, b: object) -> tuple[str, str]:
    """File names of the two runs; the paths as given when the names match; A and B for in-memory tables."""
    if not isinstance(a, (str, Path)) or not isinstance(b, (str, Path)) or str(a) == str(b):
        return "A", "B"
    if Path(a).name == Path(b).name:
        return str(a), str(b)
    return Path(a).name, Path(b).name


def load_run(source: object, label: str, options: Options) -> HeadTable:
    """Load one run; a table holding several models needs --model to say which."""
    raw = read(source)
    names = model_names(raw)
    if options.model is None and names is not None and len(names) > 1:
        raise UsageError(f"{label} holds {len(names)} models ({', '.join(names[:4])}"
                         f"{', …' if len(names) > 4 else ''}); pick one with --model NAME")
    return load_raw(raw, dataclasses.replace(options, categories=None))


@dataclass(frozen=True, eq=False)
class DiffReport(Product):
    """A built diff page, in memory until saved."""

    diff: Diff
    observations: tuple[Observation, ...]
    figures: dict[str, Figure]
    options: Options

    @cached_property
    def summary(self) -> dict:
        """The diff.json document as a dict."""
        return diff_dict(self.diff, list(self.observations))

    def to_html(self) -> str:
        """The diff as one self-contained HTML file (no links to side files)."""
        return render_diff(self.diff, list(self.observations), self.figures, self.options.title, self.options.formats,
                           with_downloads=False)

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

    def headline(self) -> dict[str, float]:
        """Memberships kept, gained and lost, overall and per category, and the Jaccard between the runs."""
        return diff_metrics(self.summary)

    def input_digests(self) -> tuple[str, ...]:
        """Both runs' SHA-256, when they came from files."""
        return tuple(t.source.sha256 for t in (self.diff.a, self.diff.b) if t.source)

    default_folder = "diff"

    @property
    def force(self) -> bool:
        """--force: write beside files reporter did not write."""
        return self.options.force

    @property
    def formats(self) -> tuple[str, ...]:
        """The static formats of the figure exports."""
        return self.options.formats


def changes_csv(diff: Diff) -> str:
    """Every (layer, head, category) in either run with its status: gained, lost or kept."""
    return csv_text(diff.memberships[["layer", "head", "category", "status"]])


def diff_dict(diff: Diff, observations: list[Observation]) -> dict:
    """The diff.json document: both runs, totals, per-category changes and observations."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "reporter", "version": __version__},
        "runs": [run_dict(diff.label_a, diff.a), run_dict(diff.label_b, diff.b)],
        "model": {"n_layers": diff.n_layers, "n_heads": diff.n_heads},
        "totals": {**asdict(diff.totals), "jaccard": rounded(diff.totals.jaccard)},
        "categories": [
            {"name": c.name, "color": c.color, "heads_a": c.heads_a, "heads_b": c.heads_b, "kept": c.kept,
             "gained": c.gained, "lost": c.lost, "jaccard": rounded(c.jaccard),
             "changed_layers": list(c.changed_window) if c.changed_window else None,
             "changed_layers_share": rounded(c.changed_window_share)}
            for c in diff.categories
        ],
        "observations": [observation_dict(o) for o in observations],
    }


def run_dict(label: str, t: HeadTable) -> dict:
    """One run's label, model and source."""
    return {"label": label, "model": t.model, "shape_source": t.shape_source,
            "source": {"name": t.source.name, "sha256": t.source.sha256} if t.source else None}


def rounded(value: float | None) -> float | None:
    """Four decimals, or None."""
    return None if value is None else round(value, 4)

"""Compare: statistics of several models on normalized depth -> ModelComparison (pure pandas/numpy).

Depth is ``layer / (n_layers - 1)``: 0 is the first layer and 1 the last, so
models of different depth line up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from ..palette import colors_for
from .stats import binomial_lower, binomial_sum, binomial_upper  # noqa: F401  (observe.models reads them here)
from .summarize import Summary

THIRDS = ("first", "middle", "last")


@dataclass(frozen=True)
class ModelRow:
    """One model of the comparison: its name, page folder, shape and head totals."""

    name: str
    slug: str
    n_layers: int
    n_heads: int
    shape_source: str
    heads: int
    classified: int
    unclassified: int
    multi_category: int


@dataclass(frozen=True)
class ModelCategory:
    """Where one category's heads sit in one model, in layers and in normalized depth."""

    model: str
    slug: str
    category: str
    heads: int
    share_of_heads: float
    median_depth: float | None
    q1_depth: float | None
    q3_depth: float | None
    core_layers: tuple[int, int] | None
    core_depth: tuple[float, float] | None
    core_share: float | None
    thirds: tuple[int, int, int]
    third_layers: tuple[tuple[int, int], ...]
    measured: bool = True  # False: the model scored no relation of this category


@dataclass(frozen=True, eq=False)
class ModelComparison:
    """Everything the overview page, its figures and observations are made from.

    ``cells`` holds one ModelCategory per (model, category), model-major;
    ``profile`` holds heads per (model, category, layer), zeros included, with
    ``depth`` and ``share_of_layer`` (the layer's heads in that category).
    """

    models: tuple[ModelRow, ...]
    categories: tuple[str, ...]
    colors: dict[str, str]
    cells: tuple[ModelCategory, ...]
    profile: pd.DataFrame
    summaries: tuple[Summary, ...]

    def cell(self, slug: str, category: str) -> ModelCategory:
        """The statistics of one category in one model."""
        return next(c for c in self.cells if c.slug == slug and c.category == category)

    def for_category(self, category: str) -> list[ModelCategory]:
        """One category's statistics in every model, in model order."""
        return [c for c in self.cells if c.category == category]


def compare_models(summaries: Sequence[Summary], slugs: Sequence[str]) -> ModelComparison:
    """Line up several models' summaries (which share one category order) on normalized depth."""
    categories = summaries[0].table.categories if summaries else ()
    models = tuple(model_row(s, slug) for s, slug in zip(summaries, slugs))
    cells = tuple(model_category(s, m, name) for s, m in zip(summaries, models) for name in categories)
    return ModelComparison(
        models=models,
        categories=categories,
        colors=colors_for(categories, {n for s in summaries for n, heads in s.by_n_categories if heads}),
        cells=cells,
        profile=depth_profile(summaries),
        summaries=tuple(summaries),
    )


def depth(layer: float, n_layers: int) -> float:
    """Normalized depth of a layer: 0 for the first, 1 for the last (0 in a one-layer model)."""
    return float(layer) / (n_layers - 1) if n_layers > 1 else 0.0


def third_of(layers: np.ndarray, n_layers: int) -> np.ndarray:
    """0, 1 or 2: the third of normalized depth each layer falls in."""
    if n_layers <= 1:
        return np.zeros(len(layers), dtype="int64")
    return np.minimum(2, (3 * np.asarray(layers, dtype="int64")) // (n_layers - 1))


def third_layers(n_layers: int) -> tuple[tuple[int, int], ...]:
    """The first and last layer of each third of depth (empty thirds give (-1, -1))."""
    index = third_of(np.arange(n_layers), n_layers)
    out = []
    for k in range(3):
        inside = np.flatnonzero(index == k)
        out.append((int(inside[0]), int(inside[-1])) if len(inside) else (-1, -1))
    return tuple(out)


def model_row(summary: Summary, slug: str) -> ModelRow:
    """A model's name, shape and head totals."""
    t, tot = summary.table, summary.totals
    return ModelRow(
        name=t.model or slug,
        slug=slug,
        n_layers=t.n_layers,
        n_heads=t.n_heads,
        shape_source=t.shape_source,
        heads=tot.heads,
        classified=tot.classified,
        unclassified=tot.unclassified,
        multi_category=tot.multi_category,
    )


def model_category(summary: Summary, model: ModelRow, name: str) -> ModelCategory:
    """One category in one model, its layer statistics turned into depths."""
    c = summary.category(name)
    n = model.n_layers
    layers = summary.table.memberships.loc[summary.table.memberships["category"] == name, "layer"].to_numpy()
    thirds = np.bincount(third_of(layers, n), minlength=3) if len(layers) else np.zeros(3, dtype="int64")
    as_depth = (lambda v: None if v is None else round(depth(v, n), 4))
    return ModelCategory(
        model=model.name,
        slug=model.slug,
        category=name,
        heads=c.heads,
        share_of_heads=c.share_of_heads,
        median_depth=as_depth(c.layer_median),
        q1_depth=as_depth(c.layer_q1),
        q3_depth=as_depth(c.layer_q3),
        core_layers=c.core_layers,
        core_depth=(as_depth(c.core_layers[0]), as_depth(c.core_layers[1])) if c.core_layers else None,
        core_share=c.core_share,
        thirds=tuple(int(v) for v in thirds),
        third_layers=third_layers(n),
        measured=c.measured,
    )


def depth_profile(summaries: Sequence[Summary]) -> pd.DataFrame:
    """Heads per (model, category, layer) with normalized depth and the share of the layer's heads."""
    frames = []
    for m, s in enumerate(summaries):
        t = s.table
        p = s.profile.assign(model=m, depth=[depth(v, t.n_layers) for v in s.profile["layer"]])
        frames.append(p.assign(share_of_layer=p["heads"] / t.n_heads))
    if not frames:
        return pd.DataFrame(columns=["model", "category", "layer", "depth", "heads", "share_of_layer"])
    return pd.concat(frames, ignore_index=True)[["model", "category", "layer", "depth", "heads", "share_of_layer"]]


def mann_whitney_p(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided p-value of the Mann-Whitney U test (normal approximation, tie-corrected)."""
    a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    n1, n2 = len(a), len(b)
    if n1 == 0 or n2 == 0:
        return 1.0
    both = np.concatenate([a, b])
    ranks = pd.Series(both).rank(method="average").to_numpy()
    u = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    _, counts = np.unique(both, return_counts=True)
    n = n1 + n2
    variance = n1 * n2 / 12 * ((n + 1) - float((counts**3 - counts).sum()) / (n * (n - 1)))
    if variance <= 0:
        return 1.0
    z = (abs(u - n1 * n2 / 2) - 0.5) / math.sqrt(variance)
    return min(1.0, math.erfc(max(z, 0.0) / math.sqrt(2)))


THIRDS_SEED = 20261201
THIRDS_PERMUTATIONS = 1999


def thirds_differ_p(cells: Sequence[ModelCategory]) -> float:
    """Do the models put a category's heads in different thirds of depth? Permutation p-value, fixed seed.

    The statistic is Pearson's chi-square of the models x thirds table; the null
    shuffles which model each head belongs to, keeping every model's head count
    and the pooled thirds. (The thirds' shares of layers differ by at most one
    layer between models, which the test ignores.)
    """
    table = np.array([c.thirds for c in cells], dtype=np.int64)
    model = np.repeat(np.arange(len(cells)), table.sum(axis=1))
    third = np.concatenate([np.repeat(np.arange(3), row) for row in table])
    rng = np.random.default_rng(THIRDS_SEED)
    shuffled = rng.permuted(np.tile(model, (THIRDS_PERMUTATIONS, 1)), axis=1)
    null = np.stack([np.bincount(row * 3 + third, minlength=3 * len(cells)) for row in shuffled])
    observed = contingency_chi2(table.reshape(1, -1), len(cells))[0]
    extreme = np.count_nonzero(contingency_chi2(null, len(cells)) >= observed - 1e-9)
    return (1 + extreme) / (1 + THIRDS_PERMUTATIONS)


def contingency_chi2(flat: np.ndarray, n_models: int) -> np.ndarray:
    """Pearson's chi-square of each row's models x thirds table (given flat, model-major), row-wise."""
    tables = flat.reshape(len(flat), n_models, 3).astype(float)
    expected = tables.sum(axis=2, keepdims=True) * tables.sum(axis=1, keepdims=True) / tables.sum(axis=(1, 2), keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(expected > 0, (tables - expected) ** 2 / expected, 0.0)
    return terms.sum(axis=(1, 2))


def two_proportion_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test."""
    pooled = (k1 + k2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return 1.0
    z = abs(k1 / n1 - k2 / n2) / math.sqrt(variance)
    return math.erfc(z / math.sqrt(2))

"""Summarize: per-category statistics of a HeadTable -> Summary (pure pandas/numpy)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from .palette import UNCLASSIFIED, colors_for, legend_order, multi_label
from .table import HeadTable

CORE_SHARE = 0.8


@dataclass(frozen=True)
class CategoryStats:
    """Where one category's heads sit in the depth of the model."""

    name: str
    color: str
    heads: int
    share_of_heads: float
    layer_median: float | None
    layer_q1: float | None
    layer_q3: float | None
    core_layers: tuple[int, int] | None
    core_share: float | None
    shared_heads: int


@dataclass(frozen=True)
class Overlap:
    """Heads shared by a pair of categories."""

    categories: tuple[str, str]
    heads: int
    jaccard: float


@dataclass(frozen=True)
class Intersection:
    """Heads whose categories are exactly ``categories`` (an UpSet column)."""

    categories: tuple[str, ...]
    heads: int


@dataclass(frozen=True)
class Totals:
    """Head counts over the whole model."""

    heads: int
    classified: int
    unclassified: int
    multi_category: int


@dataclass(frozen=True, eq=False)
class Summary:
    """Everything the observations, charts and pages are made from.

    ``heads`` holds the classified heads only (layer, head, categories,
    n_categories, label); ``profile`` holds heads per (layer, category) for
    every layer, zeros included.
    """

    table: HeadTable
    totals: Totals
    categories: tuple[CategoryStats, ...]
    overlaps: tuple[Overlap, ...]
    heads: pd.DataFrame
    profile: pd.DataFrame
    colors: dict[str, str]
    legend: tuple[str, ...]
    intersections: tuple[Intersection, ...] = ()

    def category(self, name: str) -> CategoryStats:
        """The statistics of one category by name."""
        return next(c for c in self.categories if c.name == name)


def summarize(table: HeadTable) -> Summary:
    """Compute every statistic the report shows from a HeadTable."""
    colors = colors_for(table.categories)
    heads = classified_heads(table)
    multi = heads[heads["n_categories"] >= 2]
    shared = multi.explode("category_list")["category_list"].value_counts()
    stats = tuple(
        category_stats(table, name, colors[name], int(shared.get(name, 0))) for name in table.categories
    )
    totals = Totals(
        heads=table.n_total,
        classified=len(heads),
        unclassified=table.n_total - len(heads),
        multi_category=len(multi),
    )
    return Summary(
        table=table,
        totals=totals,
        categories=stats,
        overlaps=pair_overlaps(table),
        heads=heads.drop(columns="category_list"),
        profile=layer_profile(table),
        colors=colors,
        legend=tuple(legend_order(table.categories)),
        intersections=exact_intersections(heads, table.categories),
    )


def classified_heads(table: HeadTable) -> pd.DataFrame:
    """One row per classified head with its categories in panel order and its legend label."""
    rank = {name: i for i, name in enumerate(table.categories)}
    m = table.memberships.assign(rank=table.memberships["category"].map(rank))
    m = m.sort_values(["layer", "head", "rank"], kind="stable")
    grouped = m.groupby(["layer", "head"], sort=True)["category"].agg(tuple).reset_index(name="category_list")
    n = grouped["category_list"].map(len)
    return pd.DataFrame(
        {
            "layer": grouped["layer"].astype("int64"),
            "head": grouped["head"].astype("int64"),
            "categories": grouped["category_list"].map(", ".join),
            "n_categories": n.astype("int64"),
            "label": [c[0] if len(c) == 1 else multi_label(len(c)) for c in grouped["category_list"]],
            "category_list": grouped["category_list"],
        }
    )


def category_stats(table: HeadTable, name: str, color: str, shared: int) -> CategoryStats:
    """Count, quartiles and core window of one category's layers."""
    layers = table.memberships.loc[table.memberships["category"] == name, "layer"].to_numpy()
    if len(layers) == 0:
        return CategoryStats(name, color, 0, 0.0, None, None, None, None, None, 0)
    q1, median, q3 = (float(v) for v in np.quantile(layers, [0.25, 0.5, 0.75]))
    counts = np.bincount(layers, minlength=table.n_layers)
    lo, hi = core_window(counts)
    return CategoryStats(
        name=name,
        color=color,
        heads=len(layers),
        share_of_heads=len(layers) / table.n_total,
        layer_median=median,
        layer_q1=q1,
        layer_q3=q3,
        core_layers=(lo, hi),
        core_share=float(counts[lo : hi + 1].sum() / len(layers)),
        shared_heads=shared,
    )


def core_window(counts: np.ndarray, share: float = CORE_SHARE) -> tuple[int, int]:
    """Shortest contiguous layer window holding >= ``share`` of the heads.

    Ties go to the window holding more heads, then to the earlier one.
    """
    total = int(counts.sum())
    need = math.ceil(share * total - 1e-9)
    cum = np.concatenate([[0], np.cumsum(counts)])
    lo = np.arange(len(counts))
    # For each start, the first end whose window reaches `need` heads.
    end = np.searchsorted(cum, cum[lo] + need, side="left")
    valid = end <= len(counts)
    lo, end = lo[valid], end[valid]
    width = end - lo
    held = cum[end] - cum[lo]
    best = np.lexsort((lo, -held, width))[0]
    return int(lo[best]), int(end[best] - 1)


def pair_overlaps(table: HeadTable) -> tuple[Overlap, ...]:
    """Shared heads and Jaccard index for every pair of categories."""
    members = {
        name: set(zip(group["layer"], group["head"]))
        for name, group in table.memberships.groupby("category", sort=False)
    }
    out = []
    for a, b in combinations(table.categories, 2):
        sa, sb = members.get(a, set()), members.get(b, set())
        union = len(sa | sb)
        both = len(sa & sb)
        out.append(Overlap((a, b), both, both / union if union else 0.0))
    return tuple(out)


def exact_intersections(heads: pd.DataFrame, categories: tuple[str, ...]) -> tuple[Intersection, ...]:
    """Heads per exact combination of two or more categories, largest first.

    Ties go to fewer categories, then to panel order of the combination.
    """
    multi = heads.loc[heads["n_categories"] >= 2, "category_list"]
    counts = multi.value_counts(sort=False)
    rank = {name: i for i, name in enumerate(categories)}
    items = sorted(counts.items(), key=lambda kv: (-kv[1], len(kv[0]), [rank[c] for c in kv[0]]))
    return tuple(Intersection(tuple(combo), int(n)) for combo, n in items)


def layer_profile(table: HeadTable) -> pd.DataFrame:
    """Heads per layer for each category, every layer present (zeros included)."""
    counts = (
        table.memberships.groupby(["category", "layer"]).size().rename("heads")
    )
    index = pd.MultiIndex.from_product([list(table.categories), range(table.n_layers)], names=["category", "layer"])
    return counts.reindex(index, fill_value=0).reset_index().astype({"heads": "int64", "layer": "int64"})


__all__ = ["Summary", "CategoryStats", "Overlap", "Intersection", "Totals", "summarize", "core_window", "UNCLASSIFIED"]

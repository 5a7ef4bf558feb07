"""Summarize: per-category statistics of a HeadTable -> Summary (pure pandas/numpy)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from itertools import combinations

import numpy as np
import pandas as pd

from ..palette import UNCLASSIFIED, colors_for, legend_order, multi_label
from .clusters import Cluster, clusters
from .kv_groups import GroupClustering, clustering
from .clusters import side_minimum
from .relation_scores import RelationScores, relation_scores
from .regions import (Block, EmptyRegion, FarGroup, HeldBlock, depth_blocks, empty_region, empty_runs, far_group,
                      held_blocks, within_p)
from .stats import binomial_upper, pair_test, uniform_test
from .top_heads import CategoryTop, RelationTop, head_best_scores, relation_tops, top_heads
from ..input.table import HeadTable
from ..rules import ALPHA, CORE_SHARE, DELTA_MIN, HALF_SHARE, MIN_HEADS, WIDTH_RATIO_MIN

THIRDS = ("early", "middle", "late")


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
    measured: bool = True  # False: no relation of the category was scored for this model (not zero heads)
    # Position and spread relative to the depth of the model, and tests against uniform;
    # None when the category has no heads (p-values also when the model has one layer).
    depth_position: float | None = None  # median layer / (n_layers - 1): 0 first layer, 1 last
    depth_third: str | None = None  # early / middle / late, by depth_position
    core_width: int | None = None  # layers in the core window
    spread: float | None = None  # core_width / n_layers (a uniform spread gives about 0.8)
    half_layers: tuple[int, int] | None = None  # shortest window holding half the heads
    half_share: float | None = None
    uniform_p: float | None = None
    ks_p: float | None = None
    chi2_p: float | None = None
    core_p: float | None = None
    first_layer: int | None = None  # the category's first and last layer holding one of its heads
    last_layer: int | None = None
    clusters: tuple[Cluster, ...] = ()  # one cluster, or several separated by empty layers (analysis/clusters.py)
    # Shapes read from exact counts (analysis/regions.py), each with the chance an even spread gives it.
    range_p: float | None = None  # all heads inside first..last layer: within_p over the layers
    range_flat_p: float | None = None  # inside first..last, the smaller of the uniform and core-window p-values
    peak: tuple[int, int] | None = None  # (layer, heads) of the one layer holding the most, when one does
    head_range: tuple[int, int] | None = None  # the smallest and largest head index of its heads
    head_range_p: float | None = None  # all heads inside that range of head indices: within_p over head indices
    per_layer: int | None = None  # k when every layer holds exactly k of its heads
    far: FarGroup | None = None  # a lone head or two far from the rest (regions.far_group)

    @property
    def clustered(self) -> bool:
        """Whether the heads form two or more clusters, so one median or window would mislead."""
        return len(self.clusters) > 1


@dataclass(frozen=True)
class Overlap:
    """Heads shared by a pair of categories."""

    categories: tuple[str, str]
    heads: int
    jaccard: float


@dataclass(frozen=True)
class PairComparison:
    """Category ``second`` against ``first``: position and spread, with bootstrap intervals.

    Statistics are None unless both categories have at least MIN_HEADS heads and
    neither forms separate clusters (``reason`` says which).
    ``later`` / ``wider`` name the category that is clearly later / more
    spread out, or are None when the difference is not clear.
    """

    first: str
    second: str
    median_difference: float | None = None  # second's median layer - first's
    median_difference_share: float | None = None  # the same as a share of the depth
    cliffs_delta: float | None = None  # > 0: second's heads sit later
    cliffs_delta_ci: tuple[float, float] | None = None
    later: str | None = None
    width_ratio: float | None = None  # second's core width / first's
    width_ratio_ci: tuple[float, float] | None = None
    wider: str | None = None
    reason: str | None = None  # why there are no statistics: "too few heads", "clusters" or "one layer"


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
    comparisons: tuple[PairComparison, ...] = ()
    by_n_categories: tuple[tuple[int, int], ...] = ()  # (number of categories, heads), 1..max
    intersections: tuple[Intersection, ...] = ()
    # Results the page shows beside the statistics, computed once here rather than by charts and templates.
    kv_heads: int | None = None  # KV heads per layer when the model uses grouped-query attention
    kv_groups: tuple[GroupClustering, ...] = ()  # one clustering test per category, with kv_heads
    top_heads: tuple[CategoryTop, ...] = ()  # best-scoring heads per category, with scores
    relation_tops: tuple[RelationTop, ...] = ()  # best-scoring heads per relation, with scores
    best_scores: pd.DataFrame | None = None  # each classified head's best score (head_best_scores)
    empty_region: EmptyRegion | None = None  # the longest run of layers no classified head reaches
    empty_runs: tuple[EmptyRegion, ...] = ()  # every run of layers no classified head reaches, in layer order
    held_blocks: tuple[HeldBlock, ...] = ()  # runs of layers one category holds (regions.held_blocks)
    same_layers: tuple[tuple[str, str], ...] = ()  # pairs of categories with the same heads in every layer
    per_layer: int | None = None  # k when every layer holds exactly k classified heads
    depth_blocks: tuple[Block, ...] = ()  # categories in depth order, overlapping ones grouped
    neighbours: tuple = ()  # robustness.Neighbour per neighbouring rule, for a scores input (with_neighbours)
    relation_scores: tuple[RelationScores, ...] = ()  # rule-free facts of each relation's scores

    def category(self, name: str) -> CategoryStats:
        """The statistics of one category by name."""
        return next(c for c in self.categories if c.name == name)


def summarize(table: HeadTable, kv_heads: int | None = None) -> Summary:
    """Compute every statistic the report shows from a HeadTable (KV-group tests with ``kv_heads``)."""
    return with_tests(describe(table, kv_heads))


def describe(table: HeadTable, kv_heads: int | None = None) -> Summary:
    """Counts, quartiles, windows and overlaps: every statistic but the tests, and all the figures need.

    The tests (``with_tests``) are most of the time summarize takes; a build
    draws its figures from this Summary while they run.
    """
    heads = classified_heads(table)
    per_layer = np.bincount(heads["layer"], minlength=table.n_layers)
    profile = layer_profile(table)
    counts = profile["heads"].to_numpy().reshape(len(table.categories), table.n_layers)
    present = set(heads["n_categories"].tolist())
    colors = colors_for(table.categories, present)
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
        profile=profile,
        colors=colors,
        legend=tuple(legend_order(table.categories, present)),
        by_n_categories=heads_by_n_categories(heads),
        intersections=exact_intersections(heads, table.categories),
        kv_heads=kv_heads or None,
        kv_groups=clustering(table, kv_heads) if kv_heads else (),
        top_heads=top_heads(table),
        relation_tops=relation_tops(table),
        best_scores=head_best_scores(table),
        relation_scores=relation_scores(table),
        empty_region=empty_region(per_layer, table.n_heads),
        empty_runs=empty_runs(per_layer, table.n_heads),
        held_blocks=held_blocks(dict(zip(table.categories, counts)), table.n_heads),
        same_layers=same_layers(table.categories, counts),
        per_layer=exactly_per_layer(per_layer),
        depth_blocks=depth_blocks({c.name: (c.first_layer, c.last_layer) for c in stats if c.heads}),
    )


def exactly_per_layer(per_layer: np.ndarray) -> int | None:
    """k when every one of two or more layers holds exactly k >= 1 heads, else None."""
    per_layer = np.asarray(per_layer)
    if len(per_layer) < 2 or per_layer[0] == 0 or (per_layer != per_layer[0]).any():
        return None
    return int(per_layer[0])


def same_layers(categories: tuple[str, ...], counts: np.ndarray) -> tuple[tuple[str, str], ...]:
    """Pairs of categories (with heads) whose heads per layer are equal in every layer."""
    return tuple((categories[i], categories[j]) for i, j in combinations(range(len(categories)), 2)
                 if counts[i].sum() and (counts[i] == counts[j]).all())


def with_tests(summary: Summary) -> Summary:
    """The summary with each category tested against a uniform spread and every pair compared."""
    table = summary.table
    counts = layer_counts(summary)
    stats = tuple(tested(table, c, counts[c.name]) for c in summary.categories)
    return replace(summary, categories=stats, comparisons=comparisons(table, stats, counts))


def classified_heads(table: HeadTable) -> pd.DataFrame:
    """One row per classified head with its categories in panel order and its legend label."""
    rank = {name: i for i, name in enumerate(table.categories)}
    m = table.memberships.assign(rank=table.memberships["category"].map(rank))
    m = m.sort_values(["layer", "head", "rank"], kind="stable")
    layer, head = m["layer"].to_numpy(dtype=np.int64), m["head"].to_numpy(dtype=np.int64)
    # Each head's rows are consecutive once sorted: cut the category column where (layer, head) changes
    # (a pandas groupby with agg(tuple) calls Python once per head, 0.2 s at 126 x 128).
    starts = np.flatnonzero(np.r_[len(m) > 0, (layer[1:] != layer[:-1]) | (head[1:] != head[:-1])])
    names = m["category"].to_numpy(dtype=object)
    lists = pd.Series([tuple(c) for c in np.split(names, starts[1:])] if len(m) else [], dtype=object)
    return pd.DataFrame(
        {
            "layer": layer[starts],
            "head": head[starts],
            "categories": lists.map(", ".join).astype("str"),
            "n_categories": lists.map(len).astype("int64"),
            "label": [c[0] if len(c) == 1 else multi_label(len(c)) for c in lists],
            "category_list": lists,
        }
    )


def category_stats(table: HeadTable, name: str, color: str, shared: int) -> CategoryStats:
    """Count, quartiles and core window of one category's layers."""
    layers = table.memberships.loc[table.memberships["category"] == name, "layer"].to_numpy()
    if len(layers) == 0:
        return CategoryStats(name, color, 0, 0.0, None, None, None, None, None, 0, name not in table.unmeasured)
    q1, median, q3 = (float(v) for v in np.quantile(layers, [0.25, 0.5, 0.75]))
    counts = np.bincount(layers, minlength=table.n_layers)
    lo, hi = core_window(counts)
    half_lo, half_hi = core_window(counts, HALF_SHARE)
    position = median / (table.n_layers - 1) if table.n_layers > 1 else 0.5
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
        depth_position=position,
        depth_third=third(position),
        core_width=hi - lo + 1,
        spread=(hi - lo + 1) / table.n_layers,
        half_layers=(half_lo, half_hi),
        half_share=float(counts[half_lo : half_hi + 1].sum() / len(layers)),
        first_layer=int(layers.min()),
        last_layer=int(layers.max()),
        clusters=clusters(counts) if len(layers) >= MIN_HEADS else (Cluster(int(layers.min()), int(layers.max()), len(layers)),),
        **count_shapes(table, name, counts),
    )


def peak_p(top: int, n: int, n_layers: int) -> float:
    """The chance an even spread of ``n`` heads puts ``top`` or more in some one layer (union bound)."""
    return min(1.0, n_layers * binomial_upper(top, n, 1 / n_layers)) if n_layers > 1 else 1.0


def count_shapes(table: HeadTable, name: str, counts: np.ndarray) -> dict:
    """The shapes of one category read from exact counts: its range, peak, head indices, heads per layer."""
    n, occupied = int(counts.sum()), np.flatnonzero(counts)
    lo, hi = int(occupied[0]), int(occupied[-1])
    top = int(counts.max())
    peaks = np.flatnonzero(counts == top)
    head_index = table.memberships.loc[table.memberships["category"] == name, "head"].to_numpy()
    h_lo, h_hi = int(head_index.min()), int(head_index.max())
    return {
        "range_p": within_p(table.n_layers, table.n_heads, hi - lo + 1, n),
        "peak": (int(peaks[0]), top) if len(peaks) == 1 and peak_p(top, n, table.n_layers) < ALPHA else None,
        "head_range": (h_lo, h_hi),
        "head_range_p": within_p(table.n_heads, table.n_layers, h_hi - h_lo + 1, n),
        "per_layer": exactly_per_layer(counts),
        "far": far_group(counts, side_minimum(n)) if n >= MIN_HEADS else None,
    }


def tested(table: HeadTable, stats: CategoryStats, counts: np.ndarray) -> CategoryStats:
    """A category's statistics with its Monte Carlo tests of ``counts`` (heads per layer) against a uniform spread."""
    if stats.heads == 0:
        return stats
    test = uniform_test(counts, table.n_heads, CORE_SHARE)
    if test is None:
        return stats
    inside = uniform_test(counts[stats.first_layer:stats.last_layer + 1], table.n_heads, CORE_SHARE)
    flat = None if inside is None else min(inside.uniform_p, inside.core_p)
    return replace(stats, uniform_p=test.uniform_p, ks_p=test.ks_p, chi2_p=test.chi2_p, core_p=test.core_p,
                   range_flat_p=flat)


def third(position: float) -> str:
    """Which third of the depth a relative position falls in."""
    return THIRDS[min(int(position * 3), 2)]


def layer_counts(summary: Summary) -> dict[str, np.ndarray]:
    """Heads per layer of each category, read off the profile (category by category, every layer present)."""
    t = summary.table
    heads = summary.profile["heads"].to_numpy().reshape(len(t.categories), t.n_layers)
    return dict(zip(t.categories, heads))


def comparisons(table: HeadTable, stats: tuple[CategoryStats, ...],
                counts: dict[str, np.ndarray]) -> tuple[PairComparison, ...]:
    """Every pair of categories, in panel order, compared where both have enough heads."""
    return tuple(compare_pair(table, a, b, counts) for a, b in combinations(stats, 2))


def compare_pair(table: HeadTable, a: CategoryStats, b: CategoryStats, counts: dict[str, np.ndarray]) -> PairComparison:
    """Position (Cliff's delta) and spread (core-width ratio) of ``b`` against ``a``; ``counts``: heads per layer."""
    if min(a.heads, b.heads) < MIN_HEADS:
        return PairComparison(a.name, b.name, reason="too few heads")
    if table.n_layers < 2:
        return PairComparison(a.name, b.name, reason="one layer")
    if a.clustered or b.clustered:  # a median or a window between two clusters describes neither
        return PairComparison(a.name, b.name, reason="clusters")
    test = pair_test(counts[a.name], counts[b.name], CORE_SHARE)
    delta, ratio = test.delta, test.width_ratio
    clear_shift = abs(delta.value) >= DELTA_MIN and delta.excludes(0.0)
    clear_spread = max(ratio.value, 1 / ratio.value) >= WIDTH_RATIO_MIN and ratio.excludes(1.0)
    difference = b.layer_median - a.layer_median
    return PairComparison(
        first=a.name,
        second=b.name,
        median_difference=difference,
        median_difference_share=difference / (table.n_layers - 1),
        cliffs_delta=delta.value,
        cliffs_delta_ci=(delta.low, delta.high),
        later=(b.name if delta.value > 0 else a.name) if clear_shift else None,
        width_ratio=ratio.value,
        width_ratio_ci=(ratio.low, ratio.high),
        wider=(b.name if ratio.value > 1 else a.name) if clear_spread else None,
    )


def heads_by_n_categories(heads: pd.DataFrame) -> tuple[tuple[int, int], ...]:
    """Classified heads by how many categories they are in, from 1 to the largest, zeros kept."""
    if heads.empty:
        return ()
    counts = heads["n_categories"].value_counts()
    return tuple((k, int(counts.get(k, 0))) for k in range(1, int(counts.index.max()) + 1))


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


__all__ = ["Summary", "CategoryStats", "PairComparison", "Overlap", "Intersection", "Totals", "summarize", "core_window",
           "UNCLASSIFIED"]

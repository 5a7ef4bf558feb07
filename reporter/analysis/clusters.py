"""Clusters: does a category's layer histogram split into separate groups of layers? (numpy only).

Method (a gap test against every unimodal shape). A candidate split is a run
of g empty layers with at least ``MIN_CLUSTER_SHARE`` of the category's heads
(and at least ``MIN_CLUSTER_HEADS``) on each side. If the category were
unimodal, its density could not rise again after a dip, so on the side away
from the mode the density never exceeds the density at the gap: each of that
side's m heads (but the two at its ends, which the gap and the side's width are read from) would fall in the gap
with probability at least g / (w + g), w the side's width in layers. The
chance that all of them miss it is at most (w / (w + g)) ** (m - 2). Not
knowing where the mode is, the split's p-value takes the larger of the two
sides' bounds, times the number of layers where a gap could start inside the
category's range (Bonferroni: the gap was picked after looking at every place). A split with
p < ALPHA is applied and each side tested again, up to ``MAX_CLUSTERS``
clusters. tests/test_clusters.py counts false alarms on simulated uniform,
normal, skewed and triangular categories.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..rules import ALPHA, MAX_CLUSTERS, MIN_CLUSTER_HEADS, MIN_CLUSTER_SHARE


@dataclass(frozen=True)
class Cluster:
    """A run of layers holding some of a category's heads, set apart from the rest by empty layers."""

    lo: int
    hi: int
    heads: int


def side_minimum(n: int) -> int:
    """Heads each side of a split needs."""
    return max(MIN_CLUSTER_HEADS, math.ceil(MIN_CLUSTER_SHARE * n - 1e-9))


def candidate_gaps(counts: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Every run of empty layers between two occupied ones: (gap first, gap last, heads before, heads after)."""
    occupied = np.flatnonzero(counts)
    cum = np.cumsum(counts)
    total = int(cum[-1]) if len(cum) else 0
    need = side_minimum(total)
    return [(int(a + 1), int(b - 1), int(cum[a]), total - int(cum[a]))
            for a, b in zip(occupied[:-1], occupied[1:]) if b - a > 1 and min(cum[a], total - cum[a]) >= need]


def gap_p(width_side: int, heads_side: int, gap: int) -> float:
    """The most a unimodal shape allows: all of a side's heads but two (its ends) missing the gap beside it."""
    return (width_side / (width_side + gap)) ** max(heads_side - 2, 0)


def split_p(counts: np.ndarray, gap: tuple[int, int, int, int], candidates: int) -> float:
    """A gap's p-value: the larger side bound, Bonferroni-corrected over the places a gap could be."""
    lo, hi, before, after = gap
    occupied = np.flatnonzero(counts)
    left, right = lo - int(occupied[0]), int(occupied[-1]) - hi
    g = hi - lo + 1
    return min(1.0, candidates * max(gap_p(left, before, g), gap_p(right, after, g)))


def best_split(counts: np.ndarray) -> tuple[tuple[int, int], float] | None:
    """The candidate gap with the smallest p-value (the earliest of equals) and that p-value; None without one."""
    gaps = candidate_gaps(counts)
    if not gaps:
        return None
    occupied = np.flatnonzero(counts)
    positions = int(occupied[-1] - occupied[0]) - 1  # layers where an empty run could start, inside the range
    scored = [(split_p(counts, gap, positions), gap[0], gap) for gap in gaps]
    p, _, gap = min(scored)
    return (gap[0], gap[1]), p


def clusters(counts: np.ndarray) -> tuple[Cluster, ...]:
    """The clusters of a layer histogram: one when no gap is significant (p < ALPHA), else each side's own."""
    counts = np.asarray(counts, dtype=np.int64)
    occupied = np.flatnonzero(counts)
    if len(occupied) == 0:
        return ()
    parts = [(int(occupied[0]), int(occupied[-1]))]
    while len(parts) < MAX_CLUSTERS:
        split = next((s for s in (part_split(counts, p) for p in parts) if s is not None), None)
        if split is None:
            break
        part, (g_lo, g_hi) = split
        i = parts.index(part)
        parts[i : i + 1] = [(part[0], g_lo - 1), (g_hi + 1, part[1])]
    return tuple(Cluster(lo, hi, int(counts[lo : hi + 1].sum())) for lo, hi in parts)


def part_split(counts: np.ndarray, part: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """A significant gap inside one part of the histogram, in whole-model layers; None when there is none."""
    lo, hi = part
    found = best_split(counts[lo : hi + 1])
    if found is None or found[1] >= ALPHA:
        return None
    (g_lo, g_hi), _ = found
    return part, (g_lo + lo, g_hi + lo)


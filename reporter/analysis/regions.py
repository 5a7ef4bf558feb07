"""Regions of depth: the layers no classified head reaches, and the order in which categories stack in depth."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..rules import ALPHA, EMPTY_MIN_SHARE
from .stats import binomial_upper


@dataclass(frozen=True)
class EmptyRegion:
    """The longest run of layers holding no classified head, and how unlikely it is under an even spread.

    ``p_value``: the chance that ``classified`` heads drawn uniformly from the
    model leave some run this long empty (a union bound over its positions).
    """

    lo: int
    hi: int
    n_layers: int
    classified: int
    expected: float  # classified heads an even spread would put in these layers
    p_value: float

    @property
    def clear(self) -> bool:
        """Large (two layers and EMPTY_MIN_SHARE of the depth) and emptier than an even spread allows (p < ALPHA)."""
        width = self.hi - self.lo + 1
        return width >= 2 and width >= EMPTY_MIN_SHARE * self.n_layers and self.p_value < ALPHA


@dataclass(frozen=True)
class Block:
    """Categories whose layer ranges (first to last head) overlap, and the range they cover together."""

    categories: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]  # each category's first and last layer, as ``categories``

    @property
    def lo(self) -> int:
        """The block's first layer."""
        return min(lo for lo, _ in self.spans)

    @property
    def hi(self) -> int:
        """The block's last layer."""
        return max(hi for _, hi in self.spans)


def longest_empty_run(occupied: np.ndarray) -> tuple[int, int] | None:
    """The first and last layer of the longest run where ``occupied`` is False (the earliest of equals)."""
    best, start = None, None
    for i, full in enumerate(list(occupied) + [True]):
        if not full and start is None:
            start = i
        elif full and start is not None:
            if best is None or i - start > best[1] - best[0] + 1:
                best = (start, i - 1)
            start = None
    return best


def empty_probability(n_layers: int, n_heads: int, width: int, classified: int) -> float:
    """P(``width`` given layers hold none of ``classified`` heads drawn uniformly without replacement)."""
    free = (n_layers - width) * n_heads
    if classified > free:
        return 0.0
    total = n_layers * n_heads
    log_p = (math.lgamma(free + 1) - math.lgamma(free - classified + 1)
             - math.lgamma(total + 1) + math.lgamma(total - classified + 1))
    return math.exp(log_p)


def empty_region(layer_heads: np.ndarray, n_heads: int) -> EmptyRegion | None:
    """The longest run of layers with no classified head (``layer_heads``: classified heads per layer)."""
    layer_heads = np.asarray(layer_heads)
    n = int(layer_heads.sum())
    run = longest_empty_run(layer_heads > 0)
    if run is None or n == 0:
        return None
    lo, hi = run
    width, n_layers = hi - lo + 1, len(layer_heads)
    positions = n_layers - width + 1
    p_value = min(1.0, positions * empty_probability(n_layers, n_heads, width, n))
    return EmptyRegion(lo, hi, n_layers, n, n * width / n_layers, p_value)


def depth_blocks(spans: dict[str, tuple[int, int]]) -> tuple[Block, ...]:
    """Categories in order of depth, those whose ranges overlap grouped into one block."""
    blocks: list[list[tuple[str, tuple[int, int]]]] = []
    for name, span in sorted(spans.items(), key=lambda item: (item[1], list(spans).index(item[0]))):
        if blocks and span[0] <= max(hi for _, (_, hi) in blocks[-1]):
            blocks[-1].append((name, span))
        else:
            blocks.append([(name, span)])
    return tuple(Block(tuple(n for n, _ in b), tuple(s for _, s in b)) for b in blocks)


def empty_runs(layer_heads: np.ndarray, n_heads: int) -> tuple[EmptyRegion, ...]:
    """Every maximal run of layers with no classified head, in layer order, each with its own p-value.

    Each run is tested like the longest one (``empty_region``): the chance that an even spread leaves
    some run this long empty. Runs of equal length and runs at both ends are all kept.
    """
    layer_heads = np.asarray(layer_heads)
    n, n_layers = int(layer_heads.sum()), len(layer_heads)
    if n == 0:
        return ()
    out = []
    for lo, hi in runs(layer_heads == 0):
        width = hi - lo + 1
        p_value = min(1.0, (n_layers - width + 1) * empty_probability(n_layers, n_heads, width, n))
        out.append(EmptyRegion(lo, hi, n_layers, n, n * width / n_layers, p_value))
    return tuple(out)


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """The first and last index of every maximal run where ``mask`` is True."""
    edges = np.flatnonzero(np.diff(np.r_[0, np.asarray(mask, dtype=np.int8), 0]))
    return [(int(lo), int(hi) - 1) for lo, hi in zip(edges[::2], edges[1::2])]


def within_p(n_cells: int, per_cell: int, width: int, n: int) -> float:
    """The chance that ``n`` heads drawn evenly from ``n_cells`` x ``per_cell`` all fall inside some run of
    ``width`` cells (layers, or head indices): a union bound over the run's positions."""
    if width >= n_cells:
        return 1.0
    return min(1.0, (n_cells - width + 1) * empty_probability(n_cells, per_cell, n_cells - width, n))


@dataclass(frozen=True)
class HeldBlock:
    """A run of layers in which one category holds more than half of every layer's heads.

    ``p_value``: one-sided binomial chance of holding this many of the run's heads at the category's
    share of the whole model, Bonferroni-corrected over every layer and category where a run could start.
    """

    category: str
    lo: int
    hi: int
    held: int
    heads: int  # all heads of the run's layers
    overall: float  # the category's share of all heads
    p_value: float


def held_blocks(counts: dict[str, np.ndarray], n_heads: int) -> tuple[HeldBlock, ...]:
    """Runs of two or more layers held by one category (a majority of each layer's heads), clearly more than
    its share of the model gives (p < ALPHA); none that covers every layer (that is the category's size)."""
    n_layers = len(next(iter(counts.values()), []))
    total = n_layers * n_heads
    tests = max(1, n_layers * len(counts))
    out = []
    for name, per_layer in counts.items():
        overall = int(per_layer.sum()) / total if total else 0.0
        for lo, hi in runs(2 * np.asarray(per_layer) > n_heads):
            if hi == lo or hi - lo + 1 == n_layers:
                continue
            held, heads = int(per_layer[lo:hi + 1].sum()), (hi - lo + 1) * n_heads
            p_value = min(1.0, tests * binomial_upper(held, heads, overall))
            if p_value < ALPHA:
                out.append(HeldBlock(name, lo, hi, held, heads, overall, p_value))
    return tuple(sorted(out, key=lambda b: (b.lo, b.category)))


@dataclass(frozen=True)
class FarGroup:
    """A few heads of a category set apart from the rest by a long run of layers without any of its heads."""

    lo: int
    hi: int
    heads: int
    rest: tuple[int, int]  # the first and last layer of the other heads
    gap: int  # layers between the two holding none of the category's heads


def far_group(per_layer: np.ndarray, side_minimum: int) -> FarGroup | None:
    """The heads before (or after) the category's longest empty run, when they are too few to be a cluster
    (under ``side_minimum``) yet clearly apart: a lone head or two that a range from first to last head hides.

    "Clearly apart" is the bound of analysis/clusters.py read on the small side: were the category unimodal
    with its mode among the rest, the empty run would be at least as dense as the small group's layers, so each
    of the group's m heads would land in the run with probability at least g / (w + g) (g the run's layers, w
    the group's); all m missing it has probability at most (w / (w + g)) ** m, times the places such a run
    could start (Bonferroni), below ALPHA.
    """
    occupied = np.flatnonzero(per_layer)
    if len(occupied) < 2:
        return None
    gaps = np.diff(occupied) - 1
    i = int(np.argmax(gaps))
    gap = int(gaps[i])
    before = int(per_layer[: occupied[i] + 1].sum())
    after = int(per_layer.sum()) - before
    if min(before, after) >= side_minimum or gap == 0:
        return None
    if before < after:
        group, rest = (int(occupied[0]), int(occupied[i])), (int(occupied[i + 1]), int(occupied[-1]))
    else:
        group, rest = (int(occupied[i + 1]), int(occupied[-1])), (int(occupied[0]), int(occupied[i]))
    width, places = group[1] - group[0] + 1, int(occupied[-1] - occupied[0]) - 1
    if places * (width / (width + gap)) ** min(before, after) >= ALPHA:
        return None
    return FarGroup(group[0], group[1], min(before, after), rest, gap)

"""Regions of depth: the layers no classified head reaches, and the order in which categories stack in depth."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..rules import ALPHA, EMPTY_MIN_SHARE


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

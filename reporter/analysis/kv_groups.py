"""Grouped-query attention: do a category's heads cluster inside KV groups? (numpy only).

In grouped-query attention the query heads of a layer share ``kv_heads`` key/value
heads; query head h reads KV head ``h // (n_heads // kv_heads)`` (consecutive
heads share a group, as in Llama's ``repeat_kv``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..input.table import HeadTable
from ..input.checks.validate import check_kv_heads
from ..rules import ALPHA
from ..rules import MIN_HEADS

SEED = 20250101
PERMUTATIONS = 2000


@dataclass(frozen=True)
class GroupClustering:
    """Same-layer, same-group pairs of one category's heads against shuffles within layers."""

    category: str
    heads: int
    pairs: int  # observed pairs of this category's heads in the same layer and KV group
    expected: float  # mean pairs over the shuffles
    p_value: float | None  # one-sided: as many pairs or more by chance; None when too few heads
    tested: bool

    @property
    def clusters(self) -> bool:
        """True when the category shares KV groups more than chance (p < ALPHA)."""
        return self.tested and self.p_value is not None and self.p_value < ALPHA


def group_size(n_heads: int, kv_heads: int) -> int:
    """Query heads per KV group; a UsageError when ``kv_heads`` does not divide ``n_heads``."""
    check_kv_heads(n_heads, kv_heads)
    return n_heads // kv_heads


def same_group_pairs(groups_per_layer: list[np.ndarray], kv_heads: int) -> int:
    """Pairs of heads that share a layer and a KV group."""
    total = 0
    for groups in groups_per_layer:
        counts = np.bincount(groups, minlength=kv_heads)
        total += int((counts * (counts - 1) // 2).sum())
    return total


def shuffled_pairs(per_layer: np.ndarray, n_heads: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """Same-group pair counts after placing each layer's heads at random heads of that layer."""
    kv_heads = n_heads // size
    totals = np.zeros(PERMUTATIONS, dtype=np.int64)
    for k in per_layer[per_layer > 1]:  # a layer with one head adds no pair
        # k heads put at random among the layer's heads land in the KV groups as a multivariate
        # hypergeometric draw: drawn directly, not by shuffling every head (5x faster).
        counts = rng.multivariate_hypergeometric([size] * kv_heads, int(k), size=PERMUTATIONS, method="count")
        totals += (counts * (counts - 1) // 2).sum(axis=1)
    return totals


def clustering(t: HeadTable, kv_heads: int) -> tuple[GroupClustering, ...]:
    """One permutation test per category of ``t``, fixed seed, shuffling heads within each layer."""
    size = group_size(t.n_heads, kv_heads)
    rng = np.random.default_rng(SEED)
    out = []
    for name in t.categories:
        m = t.memberships[t.memberships["category"] == name]
        layers = m["layer"].to_numpy()
        groups = [(m["head"].to_numpy()[layers == layer] // size) for layer in np.unique(layers)]
        observed = same_group_pairs(groups, kv_heads)
        if len(m) < MIN_HEADS or size < 2:
            out.append(GroupClustering(name, len(m), observed, float("nan"), None, False))
            continue
        per_layer = np.bincount(layers, minlength=t.n_layers)
        null = shuffled_pairs(per_layer, t.n_heads, size, rng)
        p = float((1 + (null >= observed).sum()) / (1 + PERMUTATIONS))
        out.append(GroupClustering(name, len(m), observed, float(null.mean()), p, True))
    return tuple(out)

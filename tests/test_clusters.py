"""The cluster test (analysis/clusters.py): finds separated groups of layers, and rarely cries wolf on unimodal data."""

from __future__ import annotations

import numpy as np
import pytest

from reporter.analysis.across_models import ModelCategory, thirds_differ_p
from reporter.analysis.clusters import Cluster, best_split, candidate_gaps, clusters
from reporter.rules import ALPHA

BOUND = 0.01  # the false-alarm rate the test promises: ALPHA, whatever the unimodal shape


def histogram(layers, n_layers: int) -> np.ndarray:
    return np.bincount(np.asarray(layers, dtype=int), minlength=n_layers)


def unimodal(rng, kind: str, n: int, n_layers: int, n_heads: int) -> np.ndarray:
    """n distinct heads drawn from a unimodal layer distribution (uniform, normal, skewed or triangular)."""
    picked: dict[tuple[int, int], None] = {}
    while len(picked) < n:
        if kind == "uniform":
            layer = rng.integers(n_layers)
        elif kind == "normal":
            layer = round(rng.normal(0.6 * n_layers, 0.12 * n_layers))
        elif kind == "wide normal":  # redrawn outside the model, not clipped (clipping piles heads on the ends)
            layer = round(rng.normal(0.5 * n_layers, 0.3 * n_layers))
        elif kind == "skewed":
            layer = n_layers - 1 - int(rng.exponential(0.15 * n_layers))
        else:
            layer = int(rng.triangular(0, 0.7 * n_layers, n_layers))
        if 0 <= layer < n_layers:
            picked[(int(layer), int(rng.integers(n_heads)))] = None
    return histogram([layer for layer, _ in picked], n_layers)


SHAPES = [(10, 12, 12), (12, 32, 32), (20, 48, 25), (40, 32, 32), (100, 80, 64), (300, 126, 128)]


@pytest.mark.parametrize("kind", ["uniform", "normal", "wide normal", "skewed", "triangular"])
def test_false_alarms_on_unimodal_data_stay_under_the_bound(kind):
    rng = np.random.default_rng(20261201)
    runs = 100
    alarms = sum(len(clusters(unimodal(rng, kind, n, layers, heads))) > 1
                 for n, layers, heads in SHAPES for _ in range(runs))
    # 600 simulated categories per shape; at the promised rate 0.01, 6 alarms are expected at most.
    assert alarms / (runs * len(SHAPES)) <= BOUND, alarms


def test_two_separated_groups_are_found_with_their_layers_and_heads():
    counts = histogram([4] * 5 + [5] * 5 + [30] * 6 + [31] * 6, 40)
    assert clusters(counts) == (Cluster(4, 5, 10), Cluster(30, 31, 12))
    (gap, p_value) = best_split(counts)
    assert gap == (6, 29) and p_value < ALPHA


def test_three_groups_are_split_twice():
    counts = histogram([2] * 8 + [20] * 8 + [38] * 8, 40)
    assert clusters(counts) == (Cluster(2, 2, 8), Cluster(20, 20, 8), Cluster(38, 38, 8))


def test_a_split_needs_a_tenth_of_the_heads_and_three_on_each_side():
    # Two stray heads far from 40 others: too few to be a cluster of their own.
    counts = histogram([0, 1] + [30] * 20 + [31] * 20, 40)
    assert candidate_gaps(counts) == []
    assert clusters(counts) == (Cluster(0, 31, 42),)


def test_a_one_layer_gap_in_a_dense_uniform_category_is_no_split():
    # 600 heads over 126 layers leave an empty layer somewhere by chance; the test knows it looked everywhere.
    rng = np.random.default_rng(3)
    counts = histogram(rng.choice(126 * 128, 600, replace=False) // 128, 126)
    counts[17] = 0
    assert len(clusters(counts)) == 1


def cell(thirds: tuple[int, int, int]) -> ModelCategory:
    return ModelCategory("m", "m", "X", sum(thirds), 0.0, None, None, None, None, None, None, thirds,
                         ((0, 9), (10, 19), (20, 29)))


def test_models_that_share_one_distribution_are_rarely_called_different():
    rng = np.random.default_rng(5)
    p_values = [thirds_differ_p([cell(tuple(rng.multinomial(30, [0.2, 0.5, 0.3]))) for _ in range(4)])
                for _ in range(100)]
    assert sum(p < ALPHA for p in p_values) <= 2  # at most twice the promised rate in 100 runs
    assert thirds_differ_p([cell((14, 7, 1)), cell((1, 7, 14))]) < ALPHA
    assert thirds_differ_p([cell((2, 14, 6)), cell((3, 14, 5))]) > 0.5  # 63.6% vs 60.9% in the middle: alike

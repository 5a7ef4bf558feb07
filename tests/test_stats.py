"""Tests and bootstrap intervals of reporter.analysis.stats on histograms whose answer is known."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.analysis.stats import (
    N_NULL,
    chi2_statistic,
    cliffs_delta,
    core_widths,
    ks_statistic,
    monte_carlo_p,
    pair_test,
    uniform_test,
)
from reporter.analysis.summarize import core_window


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 9), min_size=1, max_size=60).filter(lambda c: sum(c) > 0),
       st.sampled_from([0.5, 0.8]))
def test_core_widths_agree_with_core_window(counts, share):
    lo, hi = core_window(np.array(counts), share)
    assert core_widths(np.array([counts, counts]), share).tolist() == [hi - lo + 1] * 2


def test_ks_and_chi2_are_zero_for_equal_counts_and_large_for_one_layer():
    assert ks_statistic(np.full(10, 3))[0] == 0.0
    assert chi2_statistic(np.full(10, 3))[0] == 0.0
    one = np.zeros(10, dtype=int)
    one[0] = 30
    assert ks_statistic(one)[0] == 0.9  # all mass at layer 0 against a uniform CDF of 0.1
    assert chi2_statistic(one)[0] == 270.0  # (30-3)^2/3 + 9 * 3


def test_monte_carlo_p_counts_the_observation_itself():
    null = np.arange(10.0)
    assert monte_carlo_p(null, 100.0) == 1 / 11
    assert monte_carlo_p(null, 5.0) == 6 / 11
    assert monte_carlo_p(null, -1.0, larger=False) == 1 / 11


def test_uniform_test_rejects_a_block_and_keeps_an_even_spread():
    block = np.zeros(40, dtype=int)
    block[10:15] = 6
    t = uniform_test(block, n_heads=16, core_share=0.8)
    assert t.ks_p == t.chi2_p == t.core_p == 1 / (N_NULL + 1)
    assert t.uniform_p == 2 / (N_NULL + 1)
    even = uniform_test(np.full(40, 5), n_heads=16, core_share=0.8)
    assert even.ks_p == even.chi2_p == even.uniform_p == 1.0
    assert uniform_test(np.zeros(40, dtype=int), n_heads=16, core_share=0.8) is None


def test_uniform_test_is_deterministic():
    rng = np.random.default_rng(11)
    counts = rng.multinomial(50, np.ones(30) / 30)
    assert uniform_test(counts, 8, 0.8) == uniform_test(counts, 8, 0.8)


def test_cliffs_delta_of_separated_identical_and_interleaved_histograms():
    a = np.array([2, 2, 0, 0, 0, 0])
    b = np.array([0, 0, 0, 0, 3, 1])
    assert cliffs_delta(a, b)[0] == 1.0
    assert cliffs_delta(b, a)[0] == -1.0
    assert cliffs_delta(a, a)[0] == 0.0
    # A at layers {0, 2}, B at {1}: one pair later, one earlier
    assert cliffs_delta(np.array([1, 0, 1]), np.array([0, 1, 0]))[0] == 0.0
    # A at {0}, B at {0, 1}: one tie, one later -> 1/2
    assert cliffs_delta(np.array([1, 0]), np.array([1, 1]))[0] == 0.5


def test_pair_test_intervals_bracket_their_estimates():
    a = np.zeros(40, dtype=int)
    a[10:20] = 4
    b = np.zeros(40, dtype=int)
    b[12:16] = 10
    test = pair_test(a, b, 0.8)
    assert test.width_ratio.value == 4 / 8
    assert test.width_ratio.low <= test.width_ratio.value <= test.width_ratio.high
    assert test.width_ratio.excludes(1.0)
    assert test.delta.low <= test.delta.value <= test.delta.high
    assert not test.delta.excludes(0.0)

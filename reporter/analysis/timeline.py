"""Timeline: when each category's heads appear, move and settle across checkpoints -> Timeline (numpy only).

Everything starts from one boolean array, ``members[step, category, head]`` (head = layer * n_heads + head).
Claims rest on exact counts (a step, a jump, heads that stay) or on a test read at ALPHA:

- Phase change: a head of the final set *arrives* at the first checkpoint where it is in the category.
  Under a gradual ramp the arrivals fall evenly over the intervals between checkpoints that the rise spans
  (from the interval before the first arrival to the one after the last, so the quiet intervals around a
  jump count). The test asks whether the busiest interval holds more arrivals than that even pace would put
  in any interval: Bonferroni over the k intervals of the binomial tail P(Binomial(n, 1/k) >= busiest).
- Movement in depth: the layers of the first checkpoint with MIN_HEADS heads against the last checkpoint's,
  by Cliff's delta and its bootstrap interval, the rule one model's page uses to say "later".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..input.models.series import Series
from ..palette import colors_for, legend_order
from ..rules import ALPHA, CORE_SHARE, DELTA_MIN, HALF_SHARE, MIN_HEADS
from .stats import pair_test
from .summarize import core_window


@dataclass(frozen=True)
class StepStats:
    """One category at one checkpoint."""

    step: int
    heads: int
    of_final: int  # heads of the final set already in the category
    jaccard_to_final: float | None  # None when both sets are empty
    layer_median: float | None
    core_layers: tuple[int, int] | None


@dataclass(frozen=True)
class Jump:
    """The largest change in head count between two adjacent checkpoints."""

    before: int  # step of the earlier checkpoint
    after: int
    heads_before: int
    heads_after: int

    @property
    def change(self) -> int:
        """Heads gained (negative: lost) between the two checkpoints."""
        return self.heads_after - self.heads_before


@dataclass(frozen=True)
class Arrivals:
    """The phase-change test: when the heads of the final set arrive to stay."""

    arrived: int  # heads of the final set that first appear after the first checkpoint
    at_start: int  # heads of the final set present at the first checkpoint
    busiest: tuple[int, int] | None  # steps around the interval with the most arrivals
    busiest_heads: int
    span: tuple[int, int] | None  # steps bounding the intervals of the even-pace null
    intervals: int  # how many intervals the null spreads the arrivals over
    p: float | None  # None: too few arrivals or a single interval, no test
    phase_change: bool | None  # None without a test


@dataclass(frozen=True)
class DepthShift:
    """Where the category sits at its first well-populated checkpoint against the last one."""

    start: int  # step of the first checkpoint with MIN_HEADS heads
    start_median: float
    end_median: float
    delta: float  # Cliff's delta of the last checkpoint's layers against the start's (> 0: later)
    delta_ci: tuple[float, float]
    moved: str | None  # "later", "earlier" or None when the shift is not clear


@dataclass(frozen=True)
class CategoryTimeline:
    """One category across the checkpoints."""

    name: str
    color: str
    steps: tuple[StepStats, ...]
    final_heads: int
    first_step: int | None  # first checkpoint holding any head of the category
    reach_step: int | None  # first checkpoint holding HALF_SHARE of the final set
    settle_step: int | None  # from this checkpoint on the set equals the final one; None: it changes at the end
    last_jaccard: float | None  # Jaccard between the last two checkpoints
    near_step: int | None  # unsettled: first checkpoint as close to the final set as the one before the last is
    jump: Jump | None
    arrivals: Arrivals
    depth: DepthShift | None
    ever: int  # heads in the category at some checkpoint
    stable: int  # heads that, once in, stay to the last checkpoint
    come_and_go: int  # heads that leave at least once after joining


@dataclass(frozen=True, eq=False)
class Timeline:
    """Every category's timeline, the membership array and the colours the pages share."""

    series: Series
    categories: tuple[CategoryTimeline, ...]
    members: np.ndarray  # bool [step, category, layer * n_heads + head]
    colors: dict[str, str]
    legend: tuple[str, ...]
    reach_share: float = HALF_SHARE

    @property
    def steps(self) -> tuple[int, ...]:
        """The checkpoints' steps, ascending."""
        return self.series.steps

    def category(self, name: str) -> CategoryTimeline:
        """One category's timeline by name."""
        return next(c for c in self.categories if c.name == name)

    @property
    def log_axis(self) -> bool:
        """Whether the steps span decades (positive, largest at least 100 times the smallest)."""
        positive = [s for s in self.steps if s > 0]
        return len(positive) >= 2 and positive[-1] >= 100 * positive[0]


def timeline(series: Series) -> Timeline:
    """Every statistic of the timeline page from a series of checkpoints."""
    members = membership_array(series)
    present = {int(k) for k in np.unique(members.sum(axis=1)) if k >= 2}
    categories = series.first.categories
    colors = colors_for(categories, present)
    stats = tuple(category_timeline(series, members[:, i, :], name, colors[name]) for i, name in enumerate(categories))
    return Timeline(series, stats, members, colors, tuple(legend_order(categories, present)))


def membership_array(series: Series) -> np.ndarray:
    """bool [step, category, head]: whether each head is in each category at each checkpoint."""
    t = series.first
    members = np.zeros((len(series.checkpoints), len(t.categories), t.n_total), dtype=bool)
    rank = {name: i for i, name in enumerate(t.categories)}
    for s, checkpoint in enumerate(series.checkpoints):
        m = checkpoint.table.memberships
        members[s, m["category"].map(rank).to_numpy(), (m["layer"] * t.n_heads + m["head"]).to_numpy()] = True
    return members


def category_timeline(series: Series, member: np.ndarray, name: str, color: str) -> CategoryTimeline:
    """One category's timeline from ``member`` (bool [step, head])."""
    steps, n_heads = series.steps, series.first.n_heads
    counts = member.sum(axis=1)
    final = member[-1]
    per_step = tuple(step_stats(steps[s], member[s], final, series.first.n_layers, n_heads) for s in range(len(steps)))
    of_final = np.array([p.of_final for p in per_step])
    ever, stable = head_fates(member)
    return CategoryTimeline(
        name=name, color=color, steps=per_step, final_heads=int(final.sum()),
        first_step=first_at(steps, counts > 0),
        reach_step=first_at(steps, of_final >= math.ceil(HALF_SHARE * final.sum() - 1e-9)) if final.any() else None,
        settle_step=settle_step(steps, member), last_jaccard=jaccard(member[-2], member[-1]),
        near_step=near_step(steps, per_step),
        jump=largest_jump(steps, counts), arrivals=arrivals(steps, member), depth=depth_shift(steps, member, series),
        ever=ever, stable=stable, come_and_go=ever - stable,
    )


def step_stats(step: int, heads: np.ndarray, final: np.ndarray, n_layers: int, n_heads: int) -> StepStats:
    """Counts, Jaccard to the final set, median layer and core window of one category at one checkpoint."""
    layers = np.flatnonzero(heads) // n_heads
    if len(layers) == 0:
        return StepStats(step, 0, 0, jaccard(heads, final), None, None)
    return StepStats(step, len(layers), int((heads & final).sum()), jaccard(heads, final),
                     float(np.median(layers)), core_window(np.bincount(layers, minlength=n_layers)))


def jaccard(a: np.ndarray, b: np.ndarray) -> float | None:
    """|a ∩ b| / |a ∪ b| of two boolean head sets; None when both are empty."""
    union = int((a | b).sum())
    return int((a & b).sum()) / union if union else None


def first_at(steps: tuple[int, ...], hit: np.ndarray) -> int | None:
    """The step of the first checkpoint where ``hit`` holds, or None."""
    found = np.flatnonzero(hit)
    return steps[int(found[0])] if len(found) else None


def settle_step(steps: tuple[int, ...], member: np.ndarray) -> int | None:
    """The first checkpoint from which the set no longer changes; None when it still changes at the last one."""
    same = (member == member[-1]).all(axis=1)
    changed = np.flatnonzero(~same)
    start = int(changed[-1]) + 1 if len(changed) else 0
    return steps[start] if start < len(steps) - 1 else None


def near_step(steps: tuple[int, ...], per_step: tuple[StepStats, ...]) -> int | None:
    """For a set that still changes at the end: the first checkpoint whose Jaccard to the final set reaches the
    second-to-last checkpoint's, the change between checkpoints at the end of training (None when that is 0 or 1)."""
    floor = per_step[-2].jaccard_to_final
    if floor is None or floor in (0.0, 1.0):
        return None
    return next(p.step for p in per_step if p.jaccard_to_final is not None and p.jaccard_to_final >= floor)


def largest_jump(steps: tuple[int, ...], counts: np.ndarray) -> Jump | None:
    """The adjacent pair of checkpoints whose head counts differ most (the earliest of equals); None when flat."""
    change = np.abs(np.diff(counts))
    if not change.any():
        return None
    i = int(np.argmax(change))
    return Jump(steps[i], steps[i + 1], int(counts[i]), int(counts[i + 1]))


def head_fates(member: np.ndarray) -> tuple[int, int]:
    """Heads ever in the category, and those that stay from their first checkpoint to the last."""
    ever = member.any(axis=0)
    first = np.argmax(member, axis=0)
    # A head stays when it is present at every checkpoint from its first one on: count them per head.
    held = member[::-1].cumprod(axis=0)[::-1].sum(axis=0)  # checkpoints in the unbroken run up to the end
    stays = ever & (held == member.shape[0] - first)
    return int(ever.sum()), int(stays.sum())


def arrival_bins(member: np.ndarray) -> tuple[np.ndarray, int]:
    """First appearances of the final set's heads per interval between checkpoints, and those there from the start.

    A head's first checkpoint in the category, not the start of its last unbroken run: a head that drops out
    for one checkpoint (noise near a rule's threshold) would otherwise seem to arrive late, and heads that
    flicker would seem to arrive in a crowd at the last intervals, where staying to the end is easy.
    """
    first = np.argmax(member[:, member[-1]], axis=0)  # the final set's heads are all present somewhere
    return np.bincount(first[first > 0] - 1, minlength=member.shape[0] - 1), int((first == 0).sum())


def arrivals(steps: tuple[int, ...], member: np.ndarray) -> Arrivals:
    """The busiest interval of arrivals and whether it is busier than an even pace over the rise (see module doc)."""
    bins, at_start = arrival_bins(member)
    n = int(bins.sum())
    if n == 0:
        return Arrivals(0, at_start, None, 0, None, 0, None, None)
    busiest = int(np.argmax(bins))
    used = np.flatnonzero(bins)
    lo, hi = max(0, int(used[0]) - 1), min(len(bins) - 1, int(used[-1]) + 1)
    k = hi - lo + 1
    p = min(1.0, k * binomial_tail(n, 1 / k, int(bins[busiest]))) if k > 1 and n >= MIN_HEADS else None
    return Arrivals(n, at_start, (steps[busiest], steps[busiest + 1]), int(bins[busiest]), (steps[lo], steps[hi + 1]),
                    k, p, None if p is None else p < ALPHA)


def binomial_tail(n: int, p: float, m: int) -> float:
    """P(Binomial(n, p) >= m), summed in log space (exact enough for any n a model has heads)."""
    log_p, log_q = math.log(p), math.log1p(-p)
    terms = [math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1) + j * log_p + (n - j) * log_q
             for j in range(m, n + 1)]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def depth_shift(steps: tuple[int, ...], member: np.ndarray, series: Series) -> DepthShift | None:
    """The first checkpoint with MIN_HEADS heads against the last, when both have them and they differ."""
    n_layers, n_heads = series.first.n_layers, series.first.n_heads
    counts = member.sum(axis=1)
    ready = np.flatnonzero(counts >= MIN_HEADS)
    if len(ready) == 0 or counts[-1] < MIN_HEADS or ready[0] == len(steps) - 1:
        return None
    start = int(ready[0])
    a, b = (np.bincount(np.flatnonzero(member[i]) // n_heads, minlength=n_layers) for i in (start, -1))
    delta = pair_test(a, b, CORE_SHARE).delta
    clear = abs(delta.value) >= DELTA_MIN and delta.excludes(0.0)
    return DepthShift(steps[start], median_of(a), median_of(b), delta.value, (delta.low, delta.high),
                      ("later" if delta.value > 0 else "earlier") if clear else None)


def median_of(counts: np.ndarray) -> float:
    """The median layer of a layer histogram."""
    return float(np.median(np.repeat(np.arange(len(counts)), counts)))


__all__ = ["Timeline", "CategoryTimeline", "StepStats", "Jump", "Arrivals", "DepthShift", "timeline"]

"""Suggest: help choosing a rule for a scores table (the distribution and what candidate rules keep).

Works on the aggregated scores (one per layer, head and relation code, as
``scores.aggregate`` returns them); candidates come from the data's own
quantiles, never from fixed numbers.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ...options import Options
from ...rules import MIN_HEADS, MIN_KEPT_SHARE, SCALE_RATIO
from .ranking import MASS_PERCENTS, heads_for_mass
from .scores import apply_rule

QUANTILES = (0.5, 0.9, 0.99)
CANDIDATE_QUANTILES = (0.9, 0.95, 0.99)
CANDIDATE_SHARES = (0.01, 0.05, 0.1)  # top-k as a share of a relation's heads
# The suggested rules keep MIN_KEPT_SHARE of each relation's heads, so inspect never calls them too strict.
SUGGESTED_QUANTILE = 1 - MIN_KEPT_SHARE
MAX_RELATION_LINES = 10


def round_down(value: float) -> float:
    """``value`` to two significant digits, rounded down, so the quantile's own heads still pass."""
    if value == 0 or not math.isfinite(value):
        return float(value)
    digits = 1 - int(math.floor(math.log10(abs(value))))
    return math.floor(value * 10**digits) / 10**digits


def heads_kept(scores: pd.DataFrame, **rule: object) -> int:
    """Distinct heads a rule keeps in at least one relation."""
    kept = apply_rule(scores, Options.from_kwargs(**rule))
    return len(kept[["layer", "head"]].drop_duplicates())


def n_heads_scored(scores: pd.DataFrame) -> int:
    """Distinct heads with a score."""
    return len(scores[["layer", "head"]].drop_duplicates())


def candidate_thresholds(scores: pd.DataFrame) -> list[float]:
    """Thresholds at high quantiles of every aggregated score, rounded to two digits, distinct."""
    values = np.quantile(scores["score"].to_numpy(), CANDIDATE_QUANTILES)
    return sorted({round_down(float(v)) for v in values})


def candidate_top_k(scores: pd.DataFrame) -> list[int]:
    """Top-k values at a few shares of the heads each relation scores."""
    return sorted({top_k_for(scores, share) for share in CANDIDATE_SHARES})


def top_k_for(scores: pd.DataFrame, share: float) -> int:
    """The k that keeps ``share`` of the heads of the relation scoring the most heads (at least 1)."""
    per_relation = int(np.bincount(scores["relation"].to_numpy()).max())
    return max(1, math.ceil(round(per_relation * share, 9)))


def suggested_rules(scores: pd.DataFrame) -> str:
    """Two concrete rules with what each keeps, for a message: each keeps about MIN_KEPT_SHARE of the heads."""
    total = n_heads_scored(scores)
    k = top_k_for(scores, MIN_KEPT_SHARE)
    threshold = round_down(float(np.quantile(scores["score"].to_numpy(), SUGGESTED_QUANTILE)))
    return (f"--top-k {k} (the {k} highest-scoring heads of each relation: {heads_kept(scores, top_k=k):,} of "
            f"{total:,} heads) or --threshold {threshold:g} (about the {100 * SUGGESTED_QUANTILE:g}th percentile "
            f"of the scores: {heads_kept(scores, threshold=threshold):,} heads)")


def distribution_lines(scores: pd.DataFrame, names: pd.Index) -> list[str]:
    """Quantiles per relation, then the heads kept by candidate thresholds and top-k values."""
    total = n_heads_scored(scores)
    out = ["scores per relation (one per head, aggregated): median, 90th percentile, 99th percentile, max"]
    codes = scores["relation"].to_numpy()
    values = scores["score"].to_numpy()
    width = max(len(str(n)) for n in names)
    present = np.unique(codes)
    for code in present[:MAX_RELATION_LINES]:
        mine = values[codes == code]
        q = np.quantile(mine, QUANTILES)
        out.append(f"  {str(names[code]):<{width}}  " + "  ".join(f"{v:.3g}" for v in (*q, mine.max())))
    if len(present) > MAX_RELATION_LINES:
        out.append(f"  and {len(present) - MAX_RELATION_LINES} more relations")
    out += mass_lines(codes, values, names, present, width)
    kept = [f"--threshold {t:g}: {heads_kept(scores, threshold=t):,}" for t in candidate_thresholds(scores)]
    kept += [f"--top-k {k}: {heads_kept(scores, top_k=k):,}" for k in candidate_top_k(scores)]
    out.append(f"heads kept (of {total:,} scored): " + "; ".join(kept))
    return out


def mass_lines(codes: np.ndarray, values: np.ndarray, names: pd.Index, present: np.ndarray, width: int) -> list[str]:
    """Rule-free: per relation, how many of its highest-scoring heads hold 50%, 80% and 90% of its summed score."""
    if len(values) == 0 or values.min() < 0:
        return []  # a share of a sum means nothing with negative scores
    out = ["heads holding " + ", ".join(f"{p}%" for p in MASS_PERCENTS) + " of each relation's summed score (highest first)"]
    for code in present[:MAX_RELATION_LINES]:
        mine = -np.sort(-values[codes == code])
        if mine.sum() > 0:
            counts = [heads_for_mass(mine, p) for p in MASS_PERCENTS]
            out.append(f"  {str(names[code]):<{width}}  " + "  ".join(f"{n:,}" for n in counts) + f"  of {len(mine):,}")
    return out


def per_relation(per_head: pd.DataFrame) -> pd.DataFrame:
    """Aggregated scores (layer, head, relation code, score) back from a Parsed's per-head scores."""
    rows = per_head.drop(columns="category").drop_duplicates(["layer", "head", "relation"])
    codes, _ = pd.factorize(rows["relation"], sort=True)
    return rows.assign(relation=codes).reset_index(drop=True)


def too_little_kept(counts: dict[str, int], classified: int, n_total: int, per_head: pd.DataFrame | None,
                    rule: str | None) -> list[str]:
    """A problem when a rule keeps almost nothing: under MIN_HEADS per category and under MIN_KEPT_SHARE of all heads."""
    needed = MIN_HEADS * max(len(counts), 1)
    if rule is None or per_head is None or n_total == 0 or classified >= MIN_KEPT_SHARE * n_total or classified >= needed:
        return []
    scores = per_relation(per_head)
    return [f"the rule keeps {classified:,} of {n_total:,} heads ({100 * classified / n_total:.1f}%), fewer than "
            f"{needed:,} ({MIN_HEADS} per category, the least a claim about where a category sits needs); "
            f"try {suggested_rules(scores)}"]


def scale_warnings(per_head: pd.DataFrame | None, options: Options) -> list[str]:
    """A warning when one threshold reads relations whose highest scores differ by SCALE_RATIO or more."""
    if options.threshold is None or options.normalize != "none" or options.threshold_map or per_head is None:
        return []
    scores = per_head.drop_duplicates(["layer", "head", "relation"])
    tops = scores.groupby("relation")["score"].max().sort_values(ascending=False, kind="stable")
    if len(tops) < 2 or tops.iloc[-1] <= 0 or tops.iloc[0] < SCALE_RATIO * tops.iloc[-1]:
        return []
    kept = scores[scores["score"] >= options.threshold].groupby("relation").size()
    counts = " / ".join(f"{int(kept.get(r, 0)):,}" for r in tops.index[:MAX_RELATION_LINES])
    return [f"the relations' scores run on different scales: {tops.index[0]!r} up to {tops.iloc[0]:.3g}, "
            f"{tops.index[-1]!r} up to {tops.iloc[-1]:.3g} ({tops.iloc[0] / tops.iloc[-1]:.1f}x); --threshold "
            f"{options.threshold:g} keeps {counts} heads of {listed_names(tops.index[:MAX_RELATION_LINES])}; "
            "try a rule per relation: --normalize max (a share of each relation's maximum), --threshold-map FILE, "
            "or a rank rule (--top-k, --top-mass)"]


def listed_names(names) -> str:
    """Relation names quoted, in the given order."""
    return ", ".join(repr(str(n)) for n in names)

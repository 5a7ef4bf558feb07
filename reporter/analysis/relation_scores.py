"""Relation scores: per relation, rule-free facts of its scores (its best heads, how its summed score spreads).

The mass counts are HeadKV's reading: how many of the highest-scoring heads it
takes to hold 50%, 80% and 90% of the relation's summed score. They need scores
of at least 0 (a share of a sum); a relation with a negative score gets none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..input.scores.ranking import MASS_PERCENTS, heads_for_mass
from ..input.table import HeadTable


@dataclass(frozen=True)
class ScoredHead:
    """One head and its score on a relation."""

    layer: int
    head: int
    score: float


@dataclass(frozen=True)
class RelationScores:
    """The rule-free facts of one relation's scores."""

    relation: str
    categories: tuple[str, ...]
    heads: int  # heads scored
    top: tuple[ScoredHead, ...]  # the highest-scoring heads, best first (ties: lower layer, then head)
    at_top: int  # heads sharing the highest score
    mass: dict[int, int] | None  # percent -> heads holding it; None with a negative score or a zero sum
    kept: int | None  # heads the rule kept for this relation


def relation_scores(table: HeadTable, n_top: int = 3) -> tuple[RelationScores, ...]:
    """The facts of every scored relation, by relation name; nothing for a table without relations."""
    s = table.scores
    if s is None or s.empty or "relation" not in s.columns:
        return ()
    categories = s.groupby("relation", sort=True, observed=True)["category"].agg(lambda c: tuple(sorted(set(c))))
    distinct = s.drop_duplicates(["layer", "head", "relation"])
    out = []
    for relation, rows in distinct.groupby("relation", sort=True, observed=True):
        out.append(one_relation(str(relation), categories[relation], rows, n_top))
    return tuple(out)


def one_relation(relation: str, categories: tuple[str, ...], rows: pd.DataFrame, n_top: int) -> RelationScores:
    """The facts of one relation from its rows (one per head)."""
    ordered = rows.sort_values(["score", "layer", "head"], ascending=[False, True, True], kind="stable")
    score = ordered["score"].to_numpy(dtype="float64")
    top = tuple(ScoredHead(int(l), int(h), float(v)) for l, h, v in
                ordered[["layer", "head", "score"]].head(n_top).itertuples(index=False))
    kept = int(rows["kept"].sum()) if "kept" in rows.columns else None
    return RelationScores(relation, categories, len(rows), top, int((score == score[0]).sum()),
                          mass_counts(score), kept)


def mass_counts(descending: np.ndarray) -> dict[int, int] | None:
    """Heads holding each of MASS_PERCENTS of the summed score; None when a score is negative or they sum to 0."""
    if descending.min() < 0 or descending.sum() <= 0:
        return None
    return {p: heads_for_mass(descending, p) for p in MASS_PERCENTS}

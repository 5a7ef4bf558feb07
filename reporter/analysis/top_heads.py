"""Top heads: the highest-scoring heads per category and per relation, when the input has scores."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..input.table import HeadTable

TOP_N = 10  # heads listed per category
TOP_PER_RELATION = 5  # heads listed per relation


@dataclass(frozen=True)
class TopHead:
    """One head's best score, and the relations in whose top list it sits."""

    layer: int
    head: int
    score: float
    relations: tuple[str, ...] = ()
    in_category: bool = True  # False: the head scores high on a relation of the category but the rule left it out


@dataclass(frozen=True)
class CategoryTop:
    """The best-scoring heads of one category."""

    category: str
    heads: tuple[TopHead, ...]


@dataclass(frozen=True)
class RelationTop:
    """The best-scoring heads of one relation."""

    relation: str
    category: str
    heads: tuple[TopHead, ...]


def best_scores(scores: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The highest score per ``keys`` (repeated rows, e.g. prompts, keep their maximum), best first.

    Ties go to the earlier layer, then head, so the order is stable.
    """
    best = scores.groupby(keys, sort=False, observed=True)["score"].max().reset_index()
    return best.sort_values(["score", "layer", "head"], ascending=[False, True, True], kind="stable")


def relation_tops(table: HeadTable, n: int = TOP_PER_RELATION) -> tuple[RelationTop, ...]:
    """Top ``n`` heads of every relation, relations in category panel order then by name."""
    s = table.scores
    if s is None or s.empty or "relation" not in s.columns:
        return ()
    rank = {c: i for i, c in enumerate(table.categories)}
    best = best_scores(s, ["category", "relation", "layer", "head"])
    out = []
    for (category, relation), group in best.groupby(["category", "relation"], sort=False):
        top = group.head(n)
        heads = tuple(TopHead(int(l), int(h), float(v)) for l, h, v in zip(top["layer"], top["head"], top["score"]))
        out.append(RelationTop(str(relation), str(category), heads))
    return tuple(sorted(out, key=lambda r: (rank.get(r.category, len(rank)), r.category, r.relation)))


def top_heads(table: HeadTable, n: int = TOP_N) -> tuple[CategoryTop, ...]:
    """Top ``n`` heads of every category with scores, in panel order."""
    s = table.scores
    if s is None or s.empty:
        return ()
    in_top: dict[tuple[str, int, int], list[str]] = {}
    for r in relation_tops(table, n):
        for h in r.heads:
            in_top.setdefault((r.category, h.layer, h.head), []).append(r.relation)
    best = best_scores(s, ["category", "layer", "head"])
    members = set(table.memberships[["layer", "head", "category"]].itertuples(index=False, name=None))
    out = []
    for name in table.categories:
        top = best[best["category"] == name].head(n)
        if top.empty:
            continue
        heads = tuple(
            TopHead(int(l), int(h), float(v), tuple(in_top.get((name, int(l), int(h)), ())),
                    (int(l), int(h), name) in members)
            for l, h, v in zip(top["layer"], top["head"], top["score"])
        )
        out.append(CategoryTop(name, heads))
    return tuple(out)


def head_best_scores(table: HeadTable) -> pd.DataFrame | None:
    """Each classified head's best score within its categories, with that relation when known; None without scores.

    Columns: layer, head, score (and relation). Ties go to the relation first in name order.
    """
    s = table.scores
    if s is None or s.empty:
        return None
    m = table.memberships
    # Keep only classified heads' rows before the join: a scores table can hold every head x relation.
    keys = s["layer"].to_numpy() * table.n_heads + s["head"].to_numpy()
    s = s[np.isin(keys, m["layer"].to_numpy() * table.n_heads + m["head"].to_numpy())]
    joined = s.merge(m[["layer", "head", "category"]], on=["layer", "head", "category"], how="inner")
    order = ["layer", "head", "score"] + (["relation"] if "relation" in joined.columns else [])
    ascending = [True, True, False] + ([True] if "relation" in joined.columns else [])
    best = joined.sort_values(order, ascending=ascending, kind="stable").drop_duplicates(["layer", "head"])
    return best[[c for c in ("layer", "head", "score", "relation") if c in best.columns]].reset_index(drop=True)

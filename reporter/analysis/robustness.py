"""Robustness: the memberships rebuilt under neighbouring rules, each summarized like the report's own.

For a scores input the rule is one choice among many. Its neighbours here: a
threshold halved and doubled, a top-k or top-percent rule halved and doubled
(each kept inside its valid range). The memberships are rebuilt from the
aggregated scores the table already carries, with input/scores.py's own rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pandas as pd

from ..input.scores.scores import apply_rule
from ..input.table import HeadTable
from ..options import Options
from .summarize import Summary, summarize

RULE_KEYS = ("threshold", "top_k", "top_percent", "top_mass")
# Carried unchanged into every neighbour, so it ranks, normalises and treats ties as the rule did.
KEPT_KEYS = ("ties", "normalize", "rank_within", "kv_heads")


@dataclass(frozen=True, eq=False)
class Neighbour:
    """One neighbouring rule, its memberships summarized."""

    label: str  # "threshold 0.1"
    rule: dict  # the rule's parameters: threshold, top_k, top_percent
    summary: Summary


def neighbour_rules(spec: dict) -> list[tuple[str, dict]]:
    """The rule with its threshold halved and doubled, else its top-k or top-percent halved and doubled."""
    rule = {k: spec.get(k) for k in RULE_KEYS}
    key = next((k for k in RULE_KEYS if rule[k] is not None), "threshold")
    value = rule[key]
    if value is None or spec.get("thresholds"):  # a per-relation threshold map has no single value to scale
        return []
    out = []
    for factor in (0.5, 2.0):
        changed = scaled(key, value, factor)
        if changed is not None and changed != value:
            out.append((f"{key.replace('_', '-')} {changed:g}", {**rule, key: changed}))
    return out


def scaled(key: str, value: float, factor: float) -> float | None:
    """A rule parameter times ``factor``, kept valid: whole top-k of at least 1, top-percent at most 100."""
    if key == "top_k":
        return max(1, math.floor(value * factor))
    if key in ("top_percent", "top_mass"):
        return min(100.0, value * factor)
    return value * factor if value else None  # a zero threshold has no neighbour by scaling


def neighbours(table: HeadTable) -> tuple[Neighbour, ...]:
    """The table summarized under each neighbouring rule; nothing unless it came from scores with relations."""
    spec, scores = table.rule_spec or {}, table.scores
    if spec.get("kind") != "scores" or scores is None or "relation" not in scores.columns:
        return ()
    return tuple(Neighbour(label, rule, summarize(rebuilt(table, rule))) for label, rule in neighbour_rules(spec))


def rebuilt(table: HeadTable, rule: dict) -> HeadTable:
    """The table with its memberships made by ``rule`` from its aggregated scores (no scores kept: no top heads)."""
    s, spec = table.scores, table.rule_spec or {}
    distinct = s.drop_duplicates(["layer", "head", "relation"])[["layer", "head", "relation", "score"]]
    distinct = distinct.reset_index(drop=True)
    codes, _ = pd.factorize(distinct["relation"], sort=True)
    kept = {k: spec[k] for k in KEPT_KEYS if spec.get(k) is not None}
    passing = apply_rule(distinct.assign(relation=codes), Options(**rule, **kept), n_heads=table.n_heads)
    keys = distinct.loc[passing.index, ["layer", "head", "relation"]]
    members = s.merge(keys, on=["layer", "head", "relation"])[["layer", "head", "category"]].drop_duplicates()
    members = members[members["category"].isin(table.categories)]
    members = members.sort_values(["layer", "head", "category"], kind="stable").reset_index(drop=True)
    return replace(table, memberships=members, scores=None, rule_spec={**(table.rule_spec or {}), **rule})


def with_neighbours(summary: Summary) -> Summary:
    """The summary carrying its table's neighbouring rules, for the robustness observation and summary.json."""
    return replace(summary, neighbours=neighbours(summary.table))

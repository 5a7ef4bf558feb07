"""The grouped-query observation: whether categories cluster inside KV groups (with --kv-heads)."""

from __future__ import annotations

from ..analysis.kv_groups import ALPHA, MIN_HEADS, PERMUTATIONS, group_size
from .categories import Observation
from .wording import join
from ..analysis.summarize import Summary


def kv_observations(summary: Summary) -> list[Observation]:
    """One sentence on KV-group clustering (summary.kv_groups), or nothing without KV heads."""
    kv_heads = summary.kv_heads
    if not kv_heads:
        return []
    size = group_size(summary.table.n_heads, kv_heads)
    results = summary.kv_groups
    tested = [r for r in results if r.tested]
    clustered = [r for r in tested if r.clusters]
    setup = f"With {kv_heads} KV groups of {size} heads"
    if not tested:
        text = f"{setup}, no category has the {MIN_HEADS} heads needed to test whether it clusters within KV groups."
    elif clustered:
        parts = join([f"{r.category} ({r.pairs} same-group pairs vs {r.expected:.1f} by chance, {p_text(r.p_value)})"
                      for r in clustered])
        text = f"{setup}, heads cluster within KV groups for {parts}; permutation test, {PERMUTATIONS:,} shuffles within layers."
    else:
        worst = min(tested, key=lambda r: r.p_value)
        text = (
            f"{setup}, no category clusters within KV groups (p ≥ {ALPHA} for each; lowest: {worst.category}, "
            f"{worst.pairs} same-group pairs vs {worst.expected:.1f} by chance, p = {worst.p_value:.2f}; "
            f"permutation test, {PERMUTATIONS:,} shuffles within layers)."
        )
    evidence = {
        "kv_heads": kv_heads,
        "group_size": size,
        "permutations": PERMUTATIONS,
        "categories": {
            r.category: {"pairs": r.pairs, "expected": None if not r.tested else round(r.expected, 3),
                         "p_value": None if r.p_value is None else round(r.p_value, 4)}
            for r in results
        },
    }
    return [Observation(id="kv-groups", kind="concentration", text=text, figure="kv-groups", evidence=evidence)]


def p_text(p: float) -> str:
    """A permutation p-value; at its floor 1/(N+1) no shuffle reached the observed count, so say "≤"."""
    floor = 1 / (PERMUTATIONS + 1)
    return f"p ≤ {floor:.2g}" if p <= floor else f"p = {p:.2g}"

"""summary.json: the Summary and observations as a plain, stable dict."""

from __future__ import annotations

import json
from dataclasses import asdict

from .. import __version__, rules
from ..analysis import stats
from ..analysis.summarize import Summary
from ..observe.categories import Observation

SCHEMA_VERSION = 1


def summary_dict(summary: Summary, observations: list[Observation]) -> dict:
    """The summary.json document (DESIGN §4) as a dict."""
    t = summary.table
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "reporter", "version": __version__},
        "source": {"name": t.source.name, "sha256": t.source.sha256} if t.source else None,
        "rule": rule_dict(t),
        "model": {
            "name": t.model,
            "n_layers": t.n_layers,
            "n_heads": t.n_heads,
            "shape_source": t.shape_source,
            **({"head_granularity": "key/value", "query_heads": t.query_heads} if t.kv_granular else {}),
        },
        "totals": totals_dict(summary),
        "categories": [category_dict(c) for c in summary.categories],
        "overlaps": [
            {"categories": list(o.categories), "heads": o.heads, "jaccard": round(o.jaccard, 4)}
            for o in summary.overlaps
        ],
        "comparisons": [pair_comparison_dict(c) for c in summary.comparisons],
        "empty_region": empty_dict(summary.empty_region),
        "depth_order": [{"categories": list(b.categories), "spans": [list(s) for s in b.spans]}
                        for b in summary.depth_blocks],
        "robustness": robustness_dict(summary, observations),
        "kv_groups": kv_groups_dict(summary),
        "top_heads": [top_dict(top) for top in summary.top_heads],
        "relation_scores": [relation_scores_dict(r) for r in summary.relation_scores],
        "method": method_dict(),
        "observations": [observation_dict(o) for o in observations],
    }


def r4(value: float | None) -> float | None:
    """Round a share or statistic to 4 decimals; None stays None."""
    return None if value is None else round(float(value), 4)


def totals_dict(summary: Summary) -> dict:
    """DESIGN §4 totals, plus the unclassified share and heads by number of categories."""
    t = summary.totals
    return {
        **asdict(t),
        "unclassified_share": r4(t.unclassified / t.heads) if t.heads else None,
        "by_n_categories": [{"n_categories": k, "heads": n} for k, n in summary.by_n_categories],
    }


def method_dict() -> dict:
    """The thresholds and test settings behind the statistics and the sentences."""
    return {
        "alpha": rules.ALPHA,
        "min_heads": rules.MIN_HEADS,
        "cluster_test": "gap test against any unimodal shape, Bonferroni over gap positions (analysis/clusters.py)",
        "min_cluster_share": rules.MIN_CLUSTER_SHARE,
        "core_share": rules.CORE_SHARE,
        "half_share": rules.HALF_SHARE,
        "delta_min": rules.DELTA_MIN,
        "width_ratio_min": rules.WIDTH_RATIO_MIN,
        "uniform_test": "Monte Carlo, heads drawn uniformly from the model: Kolmogorov-Smirnov and chi-square "
                        "(uniform_p, Bonferroni), core-window width (core_p)",
        "null_draws": stats.N_NULL,
        "bootstrap_resamples": stats.N_BOOT,
        "confidence": rules.CONFIDENCE,
        "seed": stats.SEED,
    }


def pair_comparison_dict(c) -> dict:
    """A pair of categories compared (statistics null when either has too few heads)."""
    return {
        "categories": [c.first, c.second],
        "median_difference": c.median_difference,
        "median_difference_share": r4(c.median_difference_share),
        "cliffs_delta": r4(c.cliffs_delta),
        "cliffs_delta_ci": [r4(v) for v in c.cliffs_delta_ci] if c.cliffs_delta_ci else None,
        "later": c.later,
        "width_ratio": r4(c.width_ratio),
        "width_ratio_ci": [r4(v) for v in c.width_ratio_ci] if c.width_ratio_ci else None,
        "wider": c.wider,
        "reason": c.reason,
    }


def empty_dict(region) -> dict | None:
    """The longest run of layers holding no classified head; None when every layer holds one."""
    if region is None:
        return None
    return {"layers": [region.lo, region.hi], "classified": region.classified,
            "expected": round(region.expected, 1), "p_value": float(f"{region.p_value:.3g}"), "clear": region.clear}


def robustness_dict(summary: Summary, observations: list[Observation]) -> dict | None:
    """The neighbouring rules, their classified heads and which readings hold; None unless the input had scores."""
    found = next((o for o in observations if o.id == "robustness"), None)
    if not summary.neighbours or found is None:
        return None
    return {"rules": [{"label": n.label, **{k: v for k, v in n.rule.items() if v is not None},
                       "classified": n.summary.totals.classified,
                       "heads": {c.name: c.heads for c in n.summary.categories}} for n in summary.neighbours],
            "readings": found.evidence["readings"]}


def kv_groups_dict(summary: Summary) -> dict | None:
    """The grouped-query clustering tests the page shows; None without KV heads."""
    if not summary.kv_heads:
        return None
    return {
        "kv_heads": summary.kv_heads,
        "categories": [
            {"category": r.category, "heads": r.heads, "pairs": r.pairs,
             "expected": round(r.expected, 3) if r.tested else None, "p_value": r4(r.p_value), "tested": r.tested}
            for r in summary.kv_groups
        ],
    }


def relation_scores_dict(r) -> dict:
    """One relation's rule-free score facts: its best heads, heads at the top score, heads holding 50/80/90% of its sum."""
    return {
        "relation": r.relation, "categories": list(r.categories), "heads": r.heads, "kept": r.kept,
        "top": [{"layer": h.layer, "head": h.head, "score": h.score} for h in r.top], "at_top": r.at_top,
        "mass_heads": None if r.mass is None else {str(p): n for p, n in r.mass.items()},
    }


def top_dict(top) -> dict:
    """One category's best-scoring heads, each marked in the category or below the rule."""
    return {
        "category": top.category,
        "heads": [{"layer": h.layer, "head": h.head, "score": r4(h.score), "in_category": h.in_category,
                   "relations": list(h.relations)} for h in top.heads],
    }


def rule_dict(t) -> dict:
    """How the categories were made: the header sentence plus the rule's parameters."""
    spec = dict(t.rule_spec or {"kind": "given"})
    spec["text"] = t.rule or "categories as given in the table"
    return spec


def category_dict(c) -> dict:
    """One category's statistics; nulls where a category has no heads."""
    return {
        "name": c.name,
        "color": c.color,
        "measured": c.measured,
        "heads": c.heads,
        "share_of_heads": round(c.share_of_heads, 4),
        "layer_median": c.layer_median,
        "layer_q1": c.layer_q1,
        "layer_q3": c.layer_q3,
        "core_layers": list(c.core_layers) if c.core_layers else None,
        "core_share": round(c.core_share, 4) if c.core_share is not None else None,
        "shared_heads": c.shared_heads,
        "depth_position": r4(c.depth_position),
        "depth_third": c.depth_third,
        "core_width": c.core_width,
        "spread": r4(c.spread),
        "half_layers": list(c.half_layers) if c.half_layers else None,
        "half_share": r4(c.half_share),
        "uniform_p": r4(c.uniform_p),
        "ks_p": r4(c.ks_p),
        "chi2_p": r4(c.chi2_p),
        "core_p": r4(c.core_p),
        "first_layer": c.first_layer,
        "last_layer": c.last_layer,
        "clusters": [{"layers": [k.lo, k.hi], "heads": k.heads, "share": r4(k.heads / c.heads)} for k in c.clusters]
                    if c.heads else None,
    }


def observation_dict(o: Observation) -> dict:
    """One observation as DESIGN §4 lays it out."""
    return {
        "id": o.id,
        "kind": o.kind,
        "category": o.category,
        "layers": list(o.layers) if o.layers else None,
        "figure": o.figure,
        "text": o.text,
        "evidence": o.evidence,
    }


def dumps(document: dict) -> str:
    """Serialize deterministically: sorted keys, two-space indent, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

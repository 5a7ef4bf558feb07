"""summary.json: the Summary and observations as a plain, stable dict."""

from __future__ import annotations

import json
from dataclasses import asdict

from .. import __version__
from ..observe.categories import Observation
from ..analysis import stats
from ..analysis import summarize
from ..analysis.summarize import Summary

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
        "comparisons": [comparison_dict(c) for c in summary.comparisons],
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
        "alpha": summarize.ALPHA,
        "min_heads": summarize.MIN_HEADS,
        "core_share": summarize.CORE_SHARE,
        "half_share": summarize.HALF_SHARE,
        "delta_min": summarize.DELTA_MIN,
        "width_ratio_min": summarize.WIDTH_RATIO_MIN,
        "uniform_test": "Monte Carlo, heads drawn uniformly from the model: Kolmogorov-Smirnov and chi-square "
                        "(uniform_p, Bonferroni), core-window width (core_p)",
        "null_draws": stats.N_NULL,
        "bootstrap_resamples": stats.N_BOOT,
        "confidence": stats.CONFIDENCE,
        "seed": stats.SEED,
    }


def comparison_dict(c) -> dict:
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

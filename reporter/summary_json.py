"""summary.json: the Summary and observations as a plain, stable dict."""

from __future__ import annotations

import json
from dataclasses import asdict

from . import __version__
from .observe import Observation
from .summarize import Summary

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
        },
        "totals": asdict(summary.totals),
        "categories": [category_dict(c) for c in summary.categories],
        "overlaps": [
            {"categories": list(o.categories), "heads": o.heads, "jaccard": round(o.jaccard, 4)}
            for o in summary.overlaps
        ],
        "observations": [observation_dict(o) for o in observations],
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
        "heads": c.heads,
        "share_of_heads": round(c.share_of_heads, 4),
        "layer_median": c.layer_median,
        "layer_q1": c.layer_q1,
        "layer_q3": c.layer_q3,
        "core_layers": list(c.core_layers) if c.core_layers else None,
        "core_share": round(c.core_share, 4) if c.core_share is not None else None,
        "shared_heads": c.shared_heads,
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

"""comparison.json: several models' statistics on normalized depth and the cross-model observations."""

from __future__ import annotations

from .. import __version__
from ..analysis.across_models import ModelComparison
from ..observe.categories import Observation
from .summary_json import SCHEMA_VERSION, observation_dict


def comparison_dict(cmp: ModelComparison, observations: list[Observation]) -> dict:
    """The comparison.json document: models, their per-category statistics in depth, observations."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "reporter", "version": __version__},
        "categories": list(cmp.categories),
        "models": [
            {
                "name": m.name,
                "slug": m.slug,
                "href": f"{m.slug}/index.html",
                "n_layers": m.n_layers,
                "n_heads": m.n_heads,
                "shape_source": m.shape_source,
                "totals": {"heads": m.heads, "classified": m.classified, "unclassified": m.unclassified,
                           "multi_category": m.multi_category},
                "categories": [cell_dict(c) for c in cmp.cells if c.slug == m.slug],
            }
            for m in cmp.models
        ],
        "observations": [observation_dict(o) for o in observations],
    }


def cell_dict(c) -> dict:
    """One category in one model; nulls where it has no heads."""
    return {
        "name": c.category,
        "measured": c.measured,
        "heads": c.heads,
        "share_of_heads": round(c.share_of_heads, 4),
        "median_depth": c.median_depth,
        "q1_depth": c.q1_depth,
        "q3_depth": c.q3_depth,
        "core_layers": list(c.core_layers) if c.core_layers else None,
        "core_depth": list(c.core_depth) if c.core_depth else None,
        "core_share": round(c.core_share, 4) if c.core_share is not None else None,
        "heads_by_third": list(c.thirds),
    }

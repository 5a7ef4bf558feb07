"""diff.json: both runs, their totals, per-category changes and the diff's observations."""

from __future__ import annotations

from dataclasses import asdict

from .. import __version__
from ..analysis.diff import Diff
from ..input.table import HeadTable
from ..observe.categories import Observation
from .summary_json import SCHEMA_VERSION, observation_dict


def diff_dict(diff: Diff, observations: list[Observation]) -> dict:
    """The diff.json document: both runs, totals, per-category changes and observations."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "reporter", "version": __version__},
        "runs": [run_dict(diff.label_a, diff.a), run_dict(diff.label_b, diff.b)],
        "model": {"n_layers": diff.n_layers, "n_heads": diff.n_heads},
        "totals": {**asdict(diff.totals), "jaccard": rounded(diff.totals.jaccard)},
        "categories": [
            {"name": c.name, "color": c.color, "heads_a": c.heads_a, "heads_b": c.heads_b, "kept": c.kept,
             "gained": c.gained, "lost": c.lost, "jaccard": rounded(c.jaccard),
             "changed_layers": list(c.changed_window) if c.changed_window else None,
             "changed_layers_share": rounded(c.changed_window_share)}
            for c in diff.categories
        ],
        "observations": [observation_dict(o) for o in observations],
    }


def run_dict(label: str, t: HeadTable) -> dict:
    """One run's label, model and source."""
    return {"label": label, "model": t.model, "shape_source": t.shape_source,
            "source": {"name": t.source.name, "sha256": t.source.sha256} if t.source else None}


def rounded(value: float | None) -> float | None:
    """Four decimals, or None."""
    return None if value is None else round(value, 4)

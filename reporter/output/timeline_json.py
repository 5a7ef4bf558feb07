"""The timeline's summary.json (docs/timeline.md), its per-step CSV and the per-step metrics trackers log."""

from __future__ import annotations

from dataclasses import asdict

from .. import __version__
from ..analysis.timeline import CategoryTimeline, Timeline
from ..observe.categories import Observation
from ..rules import ALPHA, DELTA_MIN, MIN_HEADS
from .csv_text import csv_text
from .headline import metric_name, unique_key
from .summary_json import SCHEMA_VERSION, observation_dict, r4


def timeline_dict(t: Timeline, observations: list[Observation], pages: dict[int, str]) -> dict:
    """The document: model, checkpoints (with their page when built), per-category timelines, observations."""
    first = t.series.first
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "timeline",
        "generator": {"name": "reporter", "version": __version__},
        "model": {"name": first.model, "n_layers": first.n_layers, "n_heads": first.n_heads,
                  "shape_source": first.shape_source},
        "axis": t.series.axis,
        "log_axis": t.log_axis,
        "rule": first.rule or "categories as given in the table",
        "method": {"reach_share": t.reach_share, "alpha": ALPHA, "min_heads": MIN_HEADS, "delta_min": DELTA_MIN},
        "checkpoints": [checkpoint_dict(t, s, pages.get(s)) for s in range(len(t.steps))],
        "categories": [category_dict(c) for c in t.categories],
        "observations": [observation_dict(o) for o in observations],
    }


def checkpoint_dict(t: Timeline, s: int, page: str | None) -> dict:
    """One checkpoint: step, label, source file, classified heads and its model page (None when not built)."""
    c = t.series.checkpoints[s]
    source = c.table.source
    return {"step": c.step, "label": c.label, "classified": int(t.members[s].any(axis=0).sum()), "page": page,
            "source": {"name": source.name, "sha256": source.sha256} if source else None}


def category_dict(c: CategoryTimeline) -> dict:
    """One category across the checkpoints: its steps, tests and per-checkpoint series (lists in checkpoint order)."""
    a = c.arrivals
    return {
        "name": c.name, "color": c.color, "final_heads": c.final_heads, "first_step": c.first_step,
        "reach_step": c.reach_step, "settle_step": c.settle_step, "last_jaccard": r4(c.last_jaccard),
        "largest_jump": None if c.jump is None else {**asdict(c.jump), "change": c.jump.change},
        "arrivals": {**asdict(a), "busiest": list(a.busiest) if a.busiest else None,
                     "span": list(a.span) if a.span else None, "p": None if a.p is None else float(f"{a.p:.4g}")},
        "depth": None if c.depth is None else {**asdict(c.depth), "delta": r4(c.depth.delta),
                                               "delta_ci": [r4(v) for v in c.depth.delta_ci]},
        "near_step": c.near_step, "ever": c.ever, "stable": c.stable, "come_and_go": c.come_and_go,
        "per_step": {
            "heads": [p.heads for p in c.steps],
            "of_final": [p.of_final for p in c.steps],
            "jaccard_to_final": [r4(p.jaccard_to_final) for p in c.steps],
            "layer_median": [p.layer_median for p in c.steps],
            "core_layers": [list(p.core_layers) if p.core_layers else None for p in c.steps],
        },
    }


def timeline_csv(t: Timeline) -> str:
    """data/timeline.csv: one row per (checkpoint, category) with heads, share of the final set, Jaccard, depth."""
    import pandas as pd

    rows = [
        {t.series.axis: p.step, "checkpoint": t.series.checkpoints[s].label, "category": c.name, "heads": p.heads,
         "of_final_set": p.of_final, "jaccard_to_final": r4(p.jaccard_to_final), "layer_median": p.layer_median,
         "core_lo": p.core_layers[0] if p.core_layers else None, "core_hi": p.core_layers[1] if p.core_layers else None}
        for s in range(len(t.steps)) for c in t.categories for p in (c.steps[s],)
    ]
    return csv_text(pd.DataFrame(rows).astype({"core_lo": "Int64", "core_hi": "Int64"}))


def step_metrics(t: Timeline) -> dict[int, dict[str, float]]:
    """Per checkpoint step: heads, Jaccard to the final set and median layer of each category, as tracker metrics."""
    keys, used = {}, set()
    for c in t.categories:
        keys[c.name] = unique_key(metric_name(c.name), used)
    out: dict[int, dict[str, float]] = {}
    for s, step in enumerate(t.steps):
        metrics: dict[str, float] = {"timeline/classified": int(t.members[s].any(axis=0).sum())}
        for c in t.categories:
            p = c.steps[s]
            metrics[f"timeline/heads/{keys[c.name]}"] = p.heads
            if p.jaccard_to_final is not None:
                metrics[f"timeline/jaccard_to_final/{keys[c.name]}"] = p.jaccard_to_final
            if p.layer_median is not None:
                metrics[f"timeline/median_layer/{keys[c.name]}"] = p.layer_median
        out[step] = metrics
    return out


def timeline_headline(t: Timeline) -> dict[str, float]:
    """Checkpoints, and per category its final heads and the steps it first has heads, reaches half and settles."""
    metrics: dict[str, float] = {"checkpoints": len(t.steps)}
    used: set[str] = set()
    for c in t.categories:
        key = unique_key(metric_name(c.name), used)
        metrics[f"final_heads/{key}"] = c.final_heads
        for name, value in (("first_step", c.first_step), ("reach_step", c.reach_step), ("settle_step", c.settle_step)):
            if value is not None:
                metrics[f"{name}/{key}"] = value
    return metrics

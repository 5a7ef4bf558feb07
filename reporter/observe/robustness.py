"""Observe robustness: which headline readings of the page hold under the rule's neighbours."""

from __future__ import annotations

from ..analysis.summarize import Summary
from .observation import Observation
from .wording import join

# Suffixes of the reading ids, and how a sentence names each reading.
READINGS = {"-core": "{}'s concentration", "-lean": "{}'s uneven spread", "-spread": "{}'s even spread",
            "-clusters": "{}'s clusters", "-later": "{} sitting later"}


def is_reading(o: Observation) -> bool:
    """A claim of the page a different rule could overturn (facts about small categories are not)."""
    return o.id in ("depth-order", "empty-layers") or "-wider-than-" in o.id or (
        o.category is not None and any(o.id.endswith(s) for s in READINGS))


def reading_name(o: Observation) -> str:
    """A reading as a sentence names it: "Knowledge's concentration", "the order in depth"."""
    if o.id == "depth-order":
        return "the order in depth"
    if o.id == "empty-layers":
        return "the empty range of layers"
    if "-wider-than-" in o.id:
        return f"{o.category} being more spread out"
    suffix = next(s for s in READINGS if o.id.endswith(s))
    return READINGS[suffix].format(o.category)


def robustness(summary: Summary, found: list[Observation], observe) -> Observation | None:
    """One sentence: the readings that hold under every neighbouring rule, under some, under none."""
    if not summary.neighbours:
        return None
    readings = [o for o in found if is_reading(o)]
    if not readings:
        return None
    kept = {n.label: {o.id for o in observe(n.summary)} for n in summary.neighbours}
    labels = [n.label for n in summary.neighbours]
    holds = {o.id: [label for label in labels if o.id in kept[label]] for o in readings}
    text = f"Against neighbouring rules ({rules_text(summary)}): {groups_text(readings, holds, labels)}."
    evidence = {"classified": summary.totals.classified,
                "rules": {n.label: {**{k: v for k, v in n.rule.items() if v is not None},
                                    "classified": n.summary.totals.classified} for n in summary.neighbours},
                "readings": {o.id: {label: label in holds[o.id] for label in labels} for o in readings}}
    return Observation(id="robustness", kind="comparison", text=text, figure="heatmaps", evidence=evidence)


def rules_text(summary: Summary) -> str:
    """'threshold 0.1: 212 classified heads; threshold 0.4: 31; this rule: 98'."""
    parts = [f"{n.label}: {n.summary.totals.classified:,}" + (" classified heads" if i == 0 else "")
             for i, n in enumerate(summary.neighbours)]
    return "; ".join(parts + [f"this rule: {summary.totals.classified:,}"])


def groups_text(readings: list[Observation], holds: dict[str, list[str]], labels: list[str]) -> str:
    """The readings grouped by the neighbours that keep them."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for o in readings:
        groups.setdefault(tuple(holds[o.id]), []).append(reading_name(o))
    parts = []
    for kept, names in sorted(groups.items(), key=lambda item: -len(item[0])):
        verb = "holds" if len(names) == 1 else "hold"
        if len(kept) == len(labels):
            where = "under both" if len(labels) == 2 else "under all"
        elif not kept:
            where = "under neither" if len(labels) == 2 else "under none"
        else:
            where = f"under {join(list(kept))} only"
        parts.append(f"{join(names)} {verb} {where}")
    return "; ".join(parts)

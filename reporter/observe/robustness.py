"""Observe robustness: whether each headline reading of the page says the same under the rule's neighbours.

A reading is compared by its content, not its id: under a neighbouring rule the same reading of the same
category (or of the whole model) must name the same layers, each end within ROBUST_TOLERANCE of the depth,
and the same direction. Each reading gets one of four outcomes under each neighbour:

- "holds": the same reading, the same layers (within the tolerance), the same categories;
- "changes": a different reading or other layers, said as what it becomes ("shrinks to layers 10–14");
- "not found": the neighbour makes no such reading at all;
- "not tested": the neighbour leaves the category (or the model) under MIN_HEADS, where no reading is made.
"""

from __future__ import annotations

import math

from ..analysis.summarize import Summary
from ..rules import MIN_HEADS, ROBUST_TOLERANCE
from .observation import Observation
from .wording import join, spans_text, span

# Suffixes of a category's position readings, and how a sentence names each one.
POSITIONS = {"-core": "concentration", "-range": "range", "-lean": "uneven spread", "-spread": "even spread", "-clusters": "clusters",
             "-per-layer": "same count per layer"}
OUTCOMES = ("holds", "changes", "not found", "not tested")
# Readings that say the same thing, where the heads sit: a core window, or the whole range an even block fills.
LOCATED = {"concentration", "range"}


def slot(o: Observation) -> tuple | None:
    """What a reading is about, the same under every rule: ("position", A), ("later", A), ("empty",), …"""
    if o.id == "depth-order":
        return ("order",)
    if o.id == "empty-layers":
        return ("empty",)
    if o.category is None:
        return None
    if "-wider-than-" in o.id:
        return ("wider", o.category, tuple(sorted(o.evidence["core_width"].keys() - {o.category})))
    if o.id.endswith("-later"):
        return ("later", o.category)
    if any(o.id.endswith(s) for s in POSITIONS):
        return ("position", o.category)
    return None


def is_reading(o: Observation) -> bool:
    """A claim of the page a different rule could overturn (facts about small categories are not)."""
    return slot(o) is not None


def kind_of(o: Observation) -> str:
    """The reading's name without its category: "concentration", "uneven spread", …"""
    return next((name for s, name in POSITIONS.items() if o.id.endswith(s)), "")


def reading_name(o: Observation) -> str:
    """A reading as a sentence names it: "Knowledge's concentration in layers 16–27", "the empty range of layers"."""
    s = slot(o)
    if s[0] == "order":
        return "the order in depth"
    if s[0] == "empty":
        return f"the empty range ({spans_text([tuple(r) for r in o.evidence['runs']])})"
    if s[0] == "wider":
        return f"{o.category} being more spread out"
    if s[0] == "later":
        return f"{o.category} sitting later"
    where = f" in {span(*o.layers)}" if o.layers else ""
    return f"{o.category}'s {kind_of(o)}{where}"


def tolerance(summary: Summary) -> int:
    """Layers each end of a reading may move and still hold: ROBUST_TOLERANCE of the depth, at least one."""
    return max(1, math.floor(ROBUST_TOLERANCE * summary.table.n_layers))


def close(a, b, tol: int) -> bool:
    """Two (lo, hi) spans whose ends are each within ``tol`` layers."""
    return abs(a[0] - b[0]) <= tol and abs(a[1] - b[1]) <= tol


def outcome(o: Observation, other: Observation | None, neighbour: Summary, tol: int) -> tuple[str, str]:
    """(outcome, how it changed) of reading ``o`` against the neighbour's reading of the same slot."""
    s = slot(o)
    if s[0] in ("position", "later", "wider") and neighbour.category(o.category).heads < MIN_HEADS:
        return "not tested", f"{o.category} has {neighbour.category(o.category).heads} heads there"
    if s[0] in ("order", "empty") and neighbour.totals.classified < MIN_HEADS:
        return "not tested", f"{neighbour.totals.classified} classified heads there"
    if other is None:
        return "not found", ""
    if s[0] == "empty":
        return empty_outcome(o, other, tol)
    if s[0] == "order":
        same = [b["categories"] for b in o.evidence["order"]] == [b["categories"] for b in other.evidence["order"]]
        return ("holds", "") if same else ("changes", "the order in depth differs")
    if s[0] == "later":
        mine = {p["category"] for p in o.evidence["pairs"]}
        theirs = {p["category"] for p in other.evidence["pairs"]}
        return ("holds", "") if mine == theirs else (
            "changes", f"{o.category} sits clearly later than {join(sorted(theirs))} only")
    if s[0] == "wider":
        return "holds", ""
    return position_outcome(o, other, tol)


def empty_outcome(o: Observation, other: Observation, tol: int) -> tuple[str, str]:
    """The empty runs must be the same runs, each end within ``tol`` layers."""
    mine, theirs = o.evidence["runs"], other.evidence["runs"]
    if len(mine) == len(theirs) and all(close(a, b, tol) for a, b in zip(mine, theirs)):
        return "holds", ""
    width = lambda runs: sum(hi - lo + 1 for lo, hi in runs)  # noqa: E731
    verb = "shrinks to" if width(theirs) < width(mine) else "grows to" if width(theirs) > width(mine) else "moves to"
    return "changes", f"the empty range {verb} {spans_text([tuple(r) for r in theirs])}"


def position_outcome(o: Observation, other: Observation, tol: int) -> tuple[str, str]:
    """The same kind of position reading over the same layers (within ``tol``), else what it becomes."""
    same_kind = kind_of(o) == kind_of(other) or {kind_of(o), kind_of(other)} <= LOCATED
    if same_kind and (o.layers is None or (other.layers is not None and close(o.layers, other.layers, tol))):
        return "holds", ""
    if kind_of(o) == kind_of(other):
        return "changes", f"{o.category}'s {kind_of(o)} moves to {span(*other.layers)}"
    where = {"uneven spread": ", densest in ", "clusters": " in "}.get(kind_of(other), " in ")
    where = f"{where}{span(*other.layers)}" if other.layers else ""
    return "changes", f"{o.category}'s {kind_of(o)} becomes {article(kind_of(other))}{where}"


def article(name: str) -> str:
    """'an uneven spread', 'a concentration', 'clusters'."""
    if name == "clusters":
        return name
    return ("an " if name[0] in "aeiou" else "a ") + name


def robustness(summary: Summary, found: list[Observation], observe) -> Observation | None:
    """One sentence: the readings that hold under every neighbouring rule, and how the others change."""
    if not summary.neighbours:
        return None
    readings = [o for o in found if is_reading(o)]
    if not readings:
        return None
    tol, labels = tolerance(summary), [n.label for n in summary.neighbours]
    results = {}
    for n in summary.neighbours:
        theirs = {slot(o): o for o in observe(n.summary) if is_reading(o)}
        results[n.label] = {o.id: outcome(o, theirs.get(slot(o)), n.summary, tol) for o in readings}
    text = f"Against neighbouring rules ({rules_text(summary)}): {groups_text(summary, readings, results, tol)}."
    evidence = {"classified": summary.totals.classified, "tolerance_layers": tol, "min_heads": MIN_HEADS,
                "rules": {n.label: {**{k: v for k, v in n.rule.items() if v is not None},
                                    "classified": n.summary.totals.classified,
                                    "heads": {c.name: c.heads for c in n.summary.categories}}
                          for n in summary.neighbours},
                "layers": {o.id: [list(r) for r in o.evidence.get("runs", [])] or list(o.layers or [])
                           for o in readings},
                "readings": {o.id: {label: results[label][o.id][0] for label in labels} for o in readings}}
    return Observation(id="robustness", kind="comparison", text=text, figure="heatmaps", evidence=evidence)


def rules_text(summary: Summary) -> str:
    """'threshold 0.1: 212 classified heads; threshold 0.4: 31; this rule: 98'."""
    parts = [f"{n.label}: {n.summary.totals.classified:,}" + (" classified heads" if i == 0 else "")
             for i, n in enumerate(summary.neighbours)]
    return "; ".join(parts + [f"this rule: {summary.totals.classified:,}"])


def groups_text(summary: Summary, readings: list[Observation], results: dict, tol: int) -> str:
    """Readings holding under every neighbour first, then per neighbour what changes, is not found or not tested."""
    labels = [n.label for n in summary.neighbours]
    every = [reading_name(o) for o in readings if all(results[label][o.id][0] == "holds" for label in labels)]
    parts = []
    if every:
        where = "under both" if len(labels) == 2 else "under all"
        parts.append(f"{join(every)} {'holds' if len(every) == 1 else 'hold'} {where} "
                     f"(each end within {tol} layer{'s' if tol > 1 else ''})")
    for n in summary.neighbours:
        if n.summary.totals.classified < MIN_HEADS:  # nothing can be read there: one clause, not one per reading
            parts.append(f"under {n.label}, nothing is tested ({n.summary.totals.classified} classified heads, "
                         f"under the minimum of {MIN_HEADS})")
            continue
        held = [reading_name(o) for o in readings
                if results[n.label][o.id][0] == "holds" and reading_name(o) not in every]
        said = [f"{join(held)} {'holds' if len(held) == 1 else 'hold'}"] if held else []
        said += [neighbour_text(o, *results[n.label][o.id]) for o in readings if results[n.label][o.id][0] != "holds"]
        if said:
            parts.append(f"under {n.label}, {join(said)}")
    return "; ".join(parts)


def neighbour_text(o: Observation, result: str, how: str) -> str:
    """What one neighbour makes of one reading that does not hold there."""
    if result == "changes":
        return how
    if result == "not tested":
        return f"{reading_name(o)} is not tested ({how}, under the minimum of {MIN_HEADS})"
    return f"{reading_name(o)} is not found"

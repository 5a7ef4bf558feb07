"""Observe scores: sentences read from the scores themselves, with no rule (summary.relation_scores).

- A dominant head: a relation's single highest score at least DOMINANT_RATIO times the next head's.
- Mass concentration: how many heads hold half and 80% of each relation's summed score (HeadKV's reading).
- Coinciding top heads: one head that is the single highest of two or more relations.
"""

from __future__ import annotations

from ..analysis.relation_scores import RelationScores
from ..analysis.summarize import Summary
from ..rules import DOMINANT_RATIO
from .observation import Observation
from .wording import head_id, join

FIGURE = "score-maps"
MOST_LISTED = 5  # relations named in one sentence before "and N more"


def score_observations(summary: Summary) -> list[Observation]:
    """The rule-free sentences of a scores input (none for memberships given as such)."""
    relations = summary.relation_scores
    found = [dominant(relations), concentration(relations), coinciding(relations)]
    return [o for o in found if o is not None]


def clear_top(r: RelationScores) -> bool:
    """One head holds the highest score, at least DOMINANT_RATIO times the next (scores above 0)."""
    return (r.at_top == 1 and len(r.top) > 1 and r.top[1].score > 0
            and r.top[0].score >= DOMINANT_RATIO * r.top[1].score)


def dominant(relations: tuple[RelationScores, ...]) -> Observation | None:
    """The relations whose highest-scoring head stands clear of the next one."""
    clear = sorted((r for r in relations if clear_top(r)), key=lambda r: (-r.top[0].score / r.top[1].score, r.relation))
    if not clear:
        return None
    parts = [f"{head_id(r.top[0].layer, r.top[0].head)} on {r.relation} ({r.top[0].score:.3g} against "
             f"{r.top[1].score:.3g} for {head_id(r.top[1].layer, r.top[1].head)}, "
             f"{r.top[0].score / r.top[1].score:.1f} times as high)" for r in clear[:MOST_LISTED]]
    more = f", and {len(clear) - MOST_LISTED:,} more relations" if len(clear) > MOST_LISTED else ""
    verb = "stands" if len(clear) == 1 else "stand"
    text = (f"{join(parts)}{more} {verb} clear of every other head, with no rule "
            f"(a single top score at least {DOMINANT_RATIO:g} times the next).")
    evidence = {r.relation: {"top": [r.top[0].layer, r.top[0].head, r.top[0].score],
                             "next": [r.top[1].layer, r.top[1].head, r.top[1].score]} for r in clear}
    return Observation(id="scores-dominant", kind="concentration", text=text, figure=FIGURE,
                       evidence={"ratio": DOMINANT_RATIO, "relations": evidence})


def concentration(relations: tuple[RelationScores, ...]) -> Observation | None:
    """How many heads hold 50% and 80% of each relation's summed score; the extremes when there are many."""
    massed = sorted((r for r in relations if r.mass), key=lambda r: (r.mass[80], r.relation))
    if not massed:
        return None
    shown = massed if len(massed) <= MOST_LISTED else [massed[0], massed[-1]]
    parts = [f"{r.relation} {r.mass[50]:,} and {r.mass[80]:,} of {r.heads:,}" for r in shown]
    lead = "With no rule, the fewest highest-scoring heads holding half and 80% of each relation's summed score"
    if len(shown) < len(massed):
        lead += f", for the most and the least concentrated of {len(massed):,} relations"
    text = f"{lead}: {'; '.join(parts)}."
    evidence = {r.relation: {"heads": r.heads, **{f"mass_{p}": n for p, n in r.mass.items()}} for r in massed}
    return Observation(id="scores-mass", kind="concentration", text=text, figure=FIGURE, evidence=evidence)


def coinciding(relations: tuple[RelationScores, ...]) -> Observation | None:
    """Heads that are the single highest of two or more relations."""
    tops: dict[tuple[int, int], list[str]] = {}
    for r in relations:
        if r.at_top == 1 and r.top:
            tops.setdefault((r.top[0].layer, r.top[0].head), []).append(r.relation)
    shared = sorted(((h, names) for h, names in tops.items() if len(names) > 1), key=lambda x: (-len(x[1]), x[0]))
    if not shared:
        return None
    parts = [f"{head_id(*h)} of {join(names)}" for h, names in shared[:MOST_LISTED]]
    more = f", and {len(shared) - MOST_LISTED:,} more heads" if len(shared) > MOST_LISTED else ""
    text = f"One head is the highest-scoring of several relations: {'; '.join(parts)}{more}."
    evidence = {head_id(*h): names for h, names in shared}
    return Observation(id="scores-shared-top", kind="overlap", text=text, figure=FIGURE, evidence=evidence)

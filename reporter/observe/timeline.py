"""Observe a timeline: when each category appears, how it forms, when it settles, where it moves -> list[Observation].

Rules (analysis/timeline.py computes every number; constants in reporter/rules.py):

- emergence: the first checkpoint with a head of the category and the first holding HALF_SHARE of its
  final set (exact counts), or that it has no heads at the end.
- phase (a head of the final set *arrives* at its first checkpoint in the category): "forms in a jump" only when the busiest interval holds more arrivals than an even pace over the rise
  would put in any interval (p < ALPHA, at least MIN_HEADS arrivals); "forms gradually" when that test is
  run and does not reject; below MIN_HEADS arrivals the busiest interval as a count. The largest change in
  head count between adjacent checkpoints is said as counts and shares of the final set.
- stability: the step from which the set equals the final one, or that it still changes at the last
  checkpoint (the last Jaccard) and the first step as close to the final set as the one before the last; heads that stay once in against heads that come and go, counted.
- movement: "moves later/earlier in depth" only when Cliff's delta between the first checkpoint with
  MIN_HEADS heads and the last reaches DELTA_MIN and its 99% interval excludes 0, as on a model's page.
- order: the categories by the step they reach HALF_SHARE of their final set.
"""

from __future__ import annotations

from ..analysis.timeline import CategoryTimeline, Timeline
from ..rules import ALPHA, HALF_SHARE, MIN_HEADS
from .categories import percent_level
from .observation import Observation, r2, r4, slug
from .wording import heads, join, layer, percent

COUNTS, JACCARD, DEPTH = "timeline-counts", "timeline-jaccard", "timeline-depth"
KINDS = ("emergence", "phase", "jump", "stability", "movement", "order")


def observe_timeline(t: Timeline) -> list[Observation]:
    """Per category (panel order): emergence, how it forms, its largest jump, stability, depth; then the order."""
    found: list[Observation | None] = []
    for c in t.categories:
        found += [emergence(t, c), phase(t, c), jump(t, c), stability(t, c), movement(t, c)]
    found.append(order(t))
    return [o for o in found if o is not None]


def at(t: Timeline, step: int) -> str:
    """A checkpoint as the sentences name it: "step 1,000" (or "tokens 2,000,000")."""
    return f"{t.series.axis} {step:,}"


def about(c: CategoryTimeline, kind: str, text: str, figure: str, evidence: dict) -> Observation:
    """An observation of one category, its id the category's slug and the kind."""
    return Observation(id=f"{slug(c.name)}-{kind}", kind=kind, text=text, figure=figure, category=c.name,
                       evidence=evidence)


def emergence(t: Timeline, c: CategoryTimeline) -> Observation:
    """When the category first has heads and when it holds half of its final set."""
    evidence = {"first_step": c.first_step, "reach_step": c.reach_step, "final_heads": c.final_heads,
                "reach_share": HALF_SHARE}
    if c.first_step is None:
        text = f"{c.name} has no heads at any of the {len(t.steps)} checkpoints."
    elif not c.final_heads:
        most = max(c.steps, key=lambda s: s.heads)
        text = (f"{c.name} has no heads at the last checkpoint ({at(t, t.steps[-1])}); it first has heads at "
                f"{at(t, c.first_step)} and holds the most, {heads(most.heads)}, at {at(t, most.step)}.")
        evidence.update(most_heads=most.heads, most_step=most.step)
    else:
        first = c.steps[t.steps.index(c.first_step)]
        start = "from the first checkpoint" if c.first_step == t.steps[0] else "first"
        text = (f"{c.name} has heads {start} at {at(t, c.first_step)} ({heads(first.heads)}) and reaches "
                f"{percent(HALF_SHARE)} of its final {heads(c.final_heads)} at {at(t, c.reach_step)}.")
        evidence["first_heads"] = first.heads
    return about(c, "emergence", text, COUNTS, evidence)


def phase(t: Timeline, c: CategoryTimeline) -> Observation | None:
    """A jump or a gradual ramp, by the arrivals test; the busiest interval as a count below MIN_HEADS arrivals."""
    a = c.arrivals
    if not a.arrived:
        return None
    evidence = {"arrived": a.arrived, "at_start": a.at_start, "busiest": list(a.busiest), "busiest_heads": a.busiest_heads,
                "span": list(a.span), "intervals": a.intervals, "p": None if a.p is None else float(f"{a.p:.3g}"),
                "alpha": ALPHA}
    between = f"between {at(t, a.busiest[0])} and {at(t, a.busiest[1])}"
    if a.p is None:
        text = (f"{heads(a.arrived)} of {c.name}'s final set first appear after the first checkpoint, the most "
                f"({a.busiest_heads:,}) {between}" + (
                    f" (the jump-or-ramp test needs {MIN_HEADS})." if a.arrived < MIN_HEADS
                    else "; two checkpoints make one interval, in which no jump can be told from a ramp."))
    elif a.phase_change:
        text = (f"{c.name} forms in a jump: {a.busiest_heads:,} of the {heads(a.arrived)} of its final set that "
                f"appear after the first checkpoint do so {between}, more than an even pace over {at(t, a.span[0])}–{a.span[1]:,} ({a.intervals} intervals) "
                f"would put in any one (p = {a.p:.2g}).")
    else:
        text = (f"{c.name} forms gradually: the {heads(a.arrived)} of its final set that appear after the first "
                f"checkpoint arrive over "
                f"{at(t, a.span[0])}–{a.span[1]:,} ({a.intervals} intervals), at most {a.busiest_heads:,} {between}, "
                f"no more than an even pace gives (p = {a.p:.2g}).")
    return about(c, "phase", text, COUNTS, evidence)


def jump(t: Timeline, c: CategoryTimeline) -> Observation | None:
    """The largest change in head count between adjacent checkpoints, as counts and shares of the final set."""
    j = c.jump
    if j is None:
        return None
    shares = (f" ({percent(j.heads_before / c.final_heads)} → {percent(j.heads_after / c.final_heads)} of its "
              "final set)") if c.final_heads else ""
    word = "rise" if j.change > 0 else "fall"
    text = (f"{c.name}'s largest {word} between adjacent checkpoints is {j.heads_before:,} → {heads(j.heads_after)}"
            f"{shares}, from {at(t, j.before)} to {at(t, j.after)}.")
    evidence = {"before": j.before, "after": j.after, "heads_before": j.heads_before, "heads_after": j.heads_after}
    return about(c, "jump", text, COUNTS, evidence)


def stability(t: Timeline, c: CategoryTimeline) -> Observation | None:
    """When the set stops changing (or that it still changes at the end), and heads that stay against those that do not."""
    if not c.ever:
        return None
    fates = (f"{c.stable:,} of the {heads(c.ever)} it ever holds stay once they join, "
             f"{c.come_and_go:,} come and go")
    evidence = {"settle_step": c.settle_step, "last_jaccard": None if c.last_jaccard is None else r4(c.last_jaccard),
                "ever": c.ever, "stable": c.stable, "come_and_go": c.come_and_go}
    if c.settle_step is not None:
        text = (f"{c.name}'s set stops changing at {at(t, c.settle_step)}: from there to the last checkpoint it is "
                f"the final set (Jaccard 1); {fates}.")
    else:
        near = "" if c.near_step is None else (
            f"; it is first that close to the final set at {at(t, c.near_step)} (Jaccard "
            f"{c.steps[t.steps.index(c.near_step)].jaccard_to_final:.2f})")
        text = (f"{c.name}'s set never settles: it still changes at the last checkpoint (Jaccard "
                f"{c.last_jaccard:.2f} between {at(t, t.steps[-2])} and {t.steps[-1]:,}){near}; {fates}.")
        evidence["near_step"] = c.near_step
    return about(c, "stability", text, JACCARD, evidence)


def movement(t: Timeline, c: CategoryTimeline) -> Observation | None:
    """Whether the category sits clearly later or earlier at the end than at its first well-populated checkpoint."""
    d = c.depth
    if d is None:
        return None
    numbers = (f"median layer {layer(d.start_median)} at {at(t, d.start)} (its first checkpoint with "
               f"{MIN_HEADS} heads or more) and {layer(d.end_median)} at {at(t, t.steps[-1])}; Cliff's delta "
               f"{d.delta:.2f}, {percent_level()} interval {d.delta_ci[0]:.2f} to {d.delta_ci[1]:.2f}")
    head = f"{c.name} moves {d.moved} in depth" if d.moved else f"{c.name} does not clearly move in depth"
    evidence = {"start": d.start, "start_median": d.start_median, "end_median": d.end_median, "delta": r2(d.delta),
                "delta_ci": [r2(d.delta_ci[0]), r2(d.delta_ci[1])], "moved": d.moved}
    return about(c, "movement", f"{head}: {numbers}.", DEPTH, evidence)


def order(t: Timeline) -> Observation | None:
    """The categories in the order they reach half of their final set (two or more needed)."""
    ranked = sorted((c for c in t.categories if c.reach_step is not None), key=lambda c: t.steps.index(c.reach_step))
    if len(ranked) < 2:
        return None
    parts = [f"{c.name} ({at(t, c.reach_step)})" for c in ranked]
    text = f"Categories reach {percent(HALF_SHARE)} of their final set in this order: {join(parts)}."
    return Observation(id="formation-order", kind="order", text=text, figure=COUNTS,
                       evidence={"order": [c.name for c in ranked], "reach_steps": [c.reach_step for c in ranked]})

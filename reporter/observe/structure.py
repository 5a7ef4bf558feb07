"""Observe structure read from exact counts: blocks of layers one category holds, empty runs of layers, the
same number of heads in every layer, categories alike layer by layer, heads confined to some head indices.

Each sentence is an exact count, said only where a test against an even spread supports it (p < ALPHA) or
where the count itself is the finding (exactly k in every layer, two categories equal layer by layer).
"""

from __future__ import annotations

from ..analysis.summarize import CategoryStats, Summary
from ..rules import ALPHA, CORE_SHARE, MIN_HEADS
from .observation import Observation, r4, slug
from .wording import half_up, join, percent, span, spans_text


def inferred(summary: Summary) -> bool:
    """Whether the model's depth was guessed from the largest index (nothing past it is known)."""
    return summary.table.shape_source == "inferred"


def held_blocks(summary: Summary) -> list[Observation]:
    """One sentence per run of layers a category holds, far above its share of the model."""
    out = []
    for b in summary.held_blocks:
        if b.held >= CORE_SHARE * summary.category(b.category).heads:
            continue  # most of the category: its own position sentence names these layers already
        text = (f"{span(b.lo, b.hi).capitalize()} {'is' if b.lo == b.hi else 'are'} held by {b.category}: "
                f"{b.held} of {'its' if b.lo == b.hi else 'their'} {b.heads} heads ({percent(b.held, b.heads)}), "
                f"against {percent(b.overall)} of all heads.")
        e = {"layers": [b.lo, b.hi], "held": b.held, "layer_heads": b.heads, "overall_share": r4(b.overall),
             "share": r4(b.held / b.heads),
             "p_value": float(f"{b.p_value:.3g}")}
        out.append(Observation(id=f"{slug(b.category)}-holds-{b.lo}-{b.hi}", kind="concentration", text=text,
                               figure="heatmaps", category=b.category, layers=(b.lo, b.hi), evidence=e))
    return out


def clear_runs(summary: Summary) -> list:
    """The empty runs worth a sentence: large and unlikely under an even spread (EmptyRegion.clear)."""
    return [r for r in summary.empty_runs if r.clear]


def empty_layers(summary: Summary) -> Observation | None:
    """Every large run of layers without a classified head (both ends, equal runs), in one sentence.

    With a known depth each run is tested against an even spread and its share of depth is said. With an
    inferred depth only the layers seen are known: the runs are stated as facts, without shares of depth
    or what an even spread would give.
    """
    found, t = clear_runs(summary), summary.table
    if not found:
        return None
    spans = spans_text([(r.lo, r.hi) for r in found])
    width = sum(r.hi - r.lo + 1 for r in found)
    longest = max(found, key=lambda r: r.hi - r.lo)  # the earliest of equals, like summary.empty_region
    e = {"layers": [longest.lo, longest.hi], "runs": [[r.lo, r.hi] for r in found], "width": width,
         "n_layers": t.n_layers, "classified": longest.classified}
    if inferred(summary):
        seen = [summary.heads["layer"].min(), summary.heads["layer"].max()]
        e.update({"seen": [int(v) for v in seen]})
        text = (f"No classified head sits in {spans}; classified heads are seen in {span(*e['seen'])}, and "
                f"the model's depth was not given.")
    else:
        parts = [where(r, t.n_layers) for r in found]
        expected = [int(half_up(r.expected)) for r in found]
        e.update({"depth_share": r4(width / t.n_layers), "expected": expected,
                  "depth_shares": [r4((r.hi - r.lo + 1) / t.n_layers) for r in found],
                  "p_value": [float(f"{r.p_value:.3g}") for r in found]})
        text = (f"No classified head sits in {spans}: {width} of {t.n_layers} layers ({join(parts)}), where an "
                f"even spread of the {found[0].classified:,} classified heads would put {join([str(x) for x in expected])}.")
    return Observation(id="empty-layers", kind="sparsity", text=text, figure="heatmaps",
                       layers=(longest.lo, longest.hi), evidence=e)


def where(run, n_layers: int) -> str:
    """'the first 25.0% of depth', 'the last 10.0% of depth' or '12.5% of depth'."""
    share = percent(run.hi - run.lo + 1, n_layers)
    end = "first" if run.lo == 0 else "last" if run.hi == n_layers - 1 else None
    return f"the {end} {share} of depth" if end else f"{share} of depth"


def per_layer(summary: Summary) -> Observation | None:
    """Every layer holds exactly k classified heads: a per-layer selection, whose spread over depth is fixed."""
    k, t = summary.per_layer, summary.table
    if k is None or k == t.n_heads or any(c.heads == summary.totals.classified for c in summary.categories):
        return None  # every head classified says nothing; one category holding them all says it itself
    text = (f"Every one of the {t.n_layers} layers holds exactly {k} classified head{'' if k == 1 else 's'}, "
            f"{summary.totals.classified:,} in all: the same number per layer, as a per-layer selection gives.")
    return Observation(id="per-layer", kind="sparsity", text=text, figure="heatmaps",
                       evidence={"per_layer": k, "n_layers": t.n_layers, "classified": summary.totals.classified})


def same_layers(summary: Summary) -> list[Observation]:
    """Pairs of categories with the same heads per layer in every layer (the same heads, when they are)."""
    out = []
    members = {c: set(map(tuple, g[["layer", "head"]].to_numpy().tolist()))
               for c, g in summary.table.memberships.groupby("category", sort=False)}
    for a, b in summary.same_layers:
        n = summary.category(a).heads
        same = members.get(a) == members.get(b)
        what = f"are the same {n} heads" if same else f"have the same number of heads in every layer ({n} each)"
        out.append(Observation(id=f"{slug(a)}-same-as-{slug(b)}", kind="comparison", text=f"{a} and {b} {what}.",
                               figure="layer-profile", category=a,
                               evidence={"categories": [a, b], "heads": n, "same_heads": same}))
    return out


def head_range(summary: Summary, c: CategoryStats) -> Observation | None:
    """A category whose heads all have head indices in a narrow range, unlikely under an even spread."""
    if c.heads < MIN_HEADS or c.head_range_p is None or c.head_range_p >= ALPHA:
        return None
    lo, hi = c.head_range
    n_heads = summary.table.n_heads
    index = f"head index {lo}" if lo == hi else f"head indices {lo}–{hi}"
    text = f"All {c.heads} {c.name} heads have {index}: {hi - lo + 1} of the {n_heads} head indices."
    return Observation(id=f"{slug(c.name)}-head-indices", kind="concentration", text=text, figure="heatmaps",
                       category=c.name, evidence={"heads": c.heads, "head_range": [lo, hi], "n_heads": n_heads, "indices": hi - lo + 1,
                                                  "p_value": float(f"{c.head_range_p:.3g}")})

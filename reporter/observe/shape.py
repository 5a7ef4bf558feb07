"""Observe the shape of depth: small categories as facts, clusters, the order categories stack in."""

from __future__ import annotations

from ..analysis.summarize import CategoryStats, Summary
from ..rules import LIST_HEADS
from .observation import Observation, r4, slug
from .wording import half_up, head_id, join, number_word, percent, span


def facts(summary: Summary, c: CategoryStats) -> Observation:
    """A category too small for a test: its count, its layer span and its heads or its densest layers."""
    first, last = c.first_layer, c.last_layer
    e = {"heads": c.heads, "first_layer": first, "last_layer": last}
    if c.heads <= LIST_HEADS:
        e["members"] = member_ids(summary, c.name)
    if c.heads == 1:
        text = f"One head is {c.name}: {e['members'][0]}."
    elif c.heads <= LIST_HEADS:
        every = "Both" if c.heads == 2 else f"All {c.heads}"
        text = f"{every} {c.name} heads sit in {span(first, last)}: {join(e['members'])}."
    else:
        lo, hi = c.half_layers
        held = int(half_up(c.half_share * c.heads))
        e.update({"half_layers": [lo, hi], "in_half": held, "half_share": r4(c.half_share)})
        text = (f"The {c.heads} {c.name} heads span {span(first, last)}; {held} of them "
                f"({percent(held, c.heads)}) sit in {span(lo, hi)}.")
    return Observation(id=f"{slug(c.name)}-few", kind="sparsity", text=text, figure="heatmaps",
                       category=c.name, layers=(first, last), evidence=e)


def member_ids(summary: Summary, name: str) -> list[str]:
    """A category's heads as L<layer>H<head>, in layer then head order."""
    m = summary.table.memberships
    rows = m.loc[m["category"] == name, ["layer", "head"]].sort_values(["layer", "head"])
    return [head_id(int(l), int(h)) for l, h in rows.itertuples(index=False, name=None)]


def cluster_sentence(c: CategoryStats) -> Observation:
    """A category whose heads form separate clusters: each cluster, largest first, with its share."""
    ordered = sorted(c.clusters, key=lambda k: (-k.heads, k.lo))
    main, rest = ordered[0], ordered[1:]
    others = [f"{'a secondary cluster of ' if k.heads < main.heads else ''}{k.heads} ({percent(k.heads, c.heads)}) "
              f"in {span(k.lo, k.hi)}" for k in rest]
    text = (f"{c.name} heads form {number_word(len(ordered))} clusters separated by empty layers: "
            f"{main.heads} of its {c.heads} heads in {span(main.lo, main.hi)} and {join(others)}.")
    e = {"heads": c.heads,
         "clusters": [{"layers": [k.lo, k.hi], "heads": k.heads, "share": r4(k.heads / c.heads)} for k in c.clusters]}
    return Observation(id=f"{slug(c.name)}-clusters", kind="concentration", text=text, figure="layer-profile",
                       category=c.name, layers=(main.lo, main.hi), evidence=e)


def depth_order(summary: Summary) -> Observation | None:
    """When categories occupy separated layer ranges, the order they stack in (overlapping ones said to overlap)."""
    blocks = summary.depth_blocks
    if len(blocks) < 2:
        return None
    parts = [block_text(b) for b in blocks]
    text = f"The categories stack in depth (each from its first to its last head): {', then '.join(parts)}."
    e = {"order": [{"categories": list(b.categories), "spans": [list(s) for s in b.spans]} for b in blocks]}
    return Observation(id="depth-order", kind="comparison", text=text, figure="layer-profile", evidence=e)


def block_text(block) -> str:
    """'A (layers 0–3)' or 'B and C, which overlap (layers 5–8 and 6–9)'."""
    if len(block.categories) == 1:
        return f"{block.categories[0]} ({span(*block.spans[0])})"
    spans = join([span(*s).replace("layers ", "").replace("layer ", "") for s in block.spans])
    return f"{join(list(block.categories))}, which overlap (layers {spans})"

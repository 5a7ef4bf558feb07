"""Observe: written findings drawn from a Summary -> list[Observation].

Rules (constants in reporter/rules.py), the same for every model and category:

- A category with no heads says so. Below MIN_HEADS (10, the one minimum for a
  test-based claim on every page) it gets checkable facts, kind `sparsity`: its
  count and layer span, its heads by name (L9H2) up to LIST_HEADS, else the
  shortest window holding half of them.
- Heads in separate clusters (analysis/clusters.py: a gap test valid against
  any unimodal shape) get one sentence naming each cluster, secondary ones
  included, and no median, window or pair comparison.
- "concentrate in layers A–B" (A–B its core window, the shortest window
  holding 80% of its heads) only when that window is narrower than a uniform
  spread would give (Monte Carlo test, p < ALPHA = 0.01), covers at most
  half of the depth, and the heads form one compact bump: half of them need
  at least 40% of the core window's width (about 53% for a normal bump). A
  narrower half window means a peak over a broad background, whose core window
  the background stretches: then the peak is described instead.
- Otherwise, when the layers still differ from uniform (p < 0.01), "lean
  early/late" (Kolmogorov-Smirnov p < 0.01 and the median in the first or last
  third) or "are unevenly spread", with the shortest window holding half the
  heads; when they do not, "spread across the depth".
- A category filling one range of layers evenly (all its heads inside a range
  an even spread would rarely confine them to, p < ALPHA, and no test finding
  a denser part or a peak layer inside it) is read whole: "sit in layers A–B
  only ... none in layers …", not an 80% window cutting through it.
- Exactly k heads in every layer (a category, or all classified heads) is said
  as that count. A position sentence names its peak layer when one layer holds
  more than an even spread would put in any layer (p < ALPHA), and a lone group
  of heads far from the rest (regions.far_group).
- With an inferred shape (the largest index + 1) nothing that needs the last
  layer is said: no early/late, no share of depth, no "of the N layers", no
  trailing empty layers, no count of unclassified heads.
- "sparse" when a category has fewer than a quarter of the heads of the largest
  (all such categories in one sentence).
- Structure read from exact counts (observe/structure.py): runs of layers one
  category holds (a majority of each layer, far above its share), every large
  empty run of layers (both ends, equal runs), two categories alike layer by
  layer, heads confined to a range of head indices; the order in depth.
- "sit later than" / "more spread out than" only for comparisons that
  summarize marks clear (effect size and a 99% bootstrap interval), with the
  effect size and its interval in the sentence; a complete separation reads
  "every A head sits later than every B head", many effect sizes as a range.
- Heads in two or more categories: "few" below 10% of the classified heads,
  "many" from 25% (neither word with fewer than MIN_HEADS classified heads);
  the pair sharing the most heads, as a share of each of the two categories.
- For a scores input, whether each reading says the same under the rule's
  neighbours (observe/robustness.py: same layers within a tolerance, else how it
  changes, or "not tested" under the minimum).

Every number in a sentence is formatted from a value of its ``evidence``
(shares as percentages with one decimal, layers and counts as integers,
medians and effect sizes with ``:g``), and evidence values are rounded like summary.json.
Every share is rounded half up on its exact fraction (wording.percent).
Order (``ranked``): each category's position (panel order), the structure of the
model, comparisons (strongest first), small categories' facts, robustness,
overlaps, unclassified heads; pages show SHOWN_OBSERVATIONS first, the rest
behind "more".
"""

from __future__ import annotations

from dataclasses import replace

from ..slugs import slug_map, slugify
from ..analysis.summarize import CategoryStats, PairComparison, Summary
from ..analysis.summarize import peak_p as summarize_peak_p
from ..rules import (ALPHA, CONFIDENCE, FEW_MULTI, MANY_MULTI, MAX_CONCENTRATED_SPREAD, MIN_HEADS, PEAK_RATIO,
                     SPARSE_FRACTION)
from .observation import KINDS, Observation, r2, r4, slug
from .robustness import robustness
from .shape import cluster_sentence, depth_order, facts
from .structure import empty_layers, head_range, held_blocks, inferred, per_layer, same_layers
from .wording import half_up, heads, join, layer, number_word, percent, span, spans_text

DELTA_NAME = "Cliff's delta"
LIST_MEDIANS = 3  # more medians than this in one sentence read as their range


def observe(summary: Summary) -> list[Observation]:
    """Write the observations the statistics support, strongest first (see ``ranked``)."""
    found = ranked(summary, readings(summary))
    found = unique_ids(found, summary.table.categories)
    checked = robustness(summary, found, readings)
    if checked is None:
        return found
    cut = next((i for i, o in enumerate(found) if o.kind in ("overlap", "unclassified")), len(found))
    return found[:cut] + [checked] + found[cut:]


def readings(summary: Summary) -> list[Observation]:
    """Every observation of one model's page, before ranking and the robustness sentence."""
    largest = max(summary.categories, key=lambda c: c.heads, default=None)
    found: list[Observation] = [position(summary, c) for c in summary.categories]
    found += [o for o in [sparse_categories(summary, largest)] if o is not None]
    found += held_blocks(summary) + same_layers(summary)
    found += [o for o in (head_range(summary, c) for c in summary.categories) if o is not None]
    found += [o for o in (depth_order(summary), empty_layers(summary), per_layer(summary)) if o is not None]
    found += shift_comparisons(summary) + spread_comparisons(summary)
    found += [o for o in (multi_category(summary), top_pair(summary)) if o is not None]
    found.append(unclassified(summary))
    return found


def ranked(summary: Summary, found: list[Observation]) -> list[Observation]:
    """Strongest first: where the categories sit (panel order), the structure of the whole model,
    comparisons, then facts about small categories, overlaps and unclassified heads (stable inside a tier)."""
    size = {c.name: c.heads for c in summary.categories}

    def tier(o: Observation) -> tuple[int, int]:
        if o.kind == "concentration" and o.category is not None:
            return 0, 0
        if o.kind == "comparison":
            return 2, 0
        if o.kind in ("overlap", "unclassified"):
            return 4 if o.kind == "overlap" else 5, 0
        if o.category is not None:  # a small category's facts, a category not measured, the sparse ones
            return 3, -size.get(o.category, 0)
        return 1, 0

    return sorted(found, key=tier)


def unique_ids(found: list[Observation], categories: tuple[str, ...]) -> list[Observation]:
    """Make ids unique: two names can share a readable slug ("A b", "a-b"), and ids become HTML ids.

    Each category's own id prefix becomes its unique slug from slugs.slug_map; any id still taken
    after that gets a hash suffix.
    """
    unique = slug_map(categories)
    taken: set[str] = set()
    out = []
    for o in found:
        oid = o.id
        if o.category is not None and oid.startswith(slug(o.category)):
            oid = unique[o.category] + oid[len(slug(o.category)):]
        oid = slugify(oid, taken) if oid in taken else oid
        taken.add(oid)
        out.append(replace(o, id=oid))
    return out


def position(summary: Summary, c: CategoryStats) -> Observation:
    """Where one category's heads sit: a claim, a lean, an even spread or a hedge."""
    if not c.measured:
        return Observation(id=f"{slug(c.name)}-not-measured", kind="sparsity", figure="heatmaps", category=c.name,
                           text=f"{c.name} was not measured: the table scores none of its relations for this model.",
                           evidence={"measured": False})
    if c.heads == 0:
        return Observation(id=f"{slug(c.name)}-few", kind="sparsity", text=f"No head is in {c.name}.",
                           figure="heatmaps", category=c.name, evidence={"heads": 0, "min_heads": MIN_HEADS})
    if c.heads < MIN_HEADS:
        return facts(summary, c)
    if c.clustered:
        return cluster_sentence(c)
    if c.per_layer is not None:
        return every_layer(summary, c)
    if is_flat_block(summary, c):
        return flat_block(summary, c)
    half_width = c.half_layers[1] - c.half_layers[0] + 1
    compact = half_width >= PEAK_RATIO * c.core_width
    if c.core_p is not None and c.core_p < ALPHA and c.spread <= MAX_CONCENTRATED_SPREAD and compact:
        return concentration(summary, c)
    if c.uniform_p is not None and min(c.uniform_p, c.core_p) < ALPHA:
        return uneven(summary, c)
    return even(summary, c)


def base_evidence(c: CategoryStats) -> dict:
    """The statistics every position sentence rests on, rounded like summary.json."""
    return {
        "heads": c.heads,
        "layer_median": c.layer_median,
        "depth_third": c.depth_third,
        "uniform_p": r4(c.uniform_p) if c.uniform_p is not None else None,
        "core_p": r4(c.core_p) if c.core_p is not None else None,
        "min_heads": MIN_HEADS,
    }


def of_layers(summary: Summary) -> str:
    """' of the 80 layers', or nothing when the depth was inferred (the model may have more)."""
    return " layers" if inferred(summary) else f" of the {summary.table.n_layers} layers"


def peak(c: CategoryStats, e: dict, in_window: int, width: int) -> str:
    """'; the most in layer 20, 7 heads': the one layer holding the most of the category's heads, when an even
    spread over the model would rarely put that many in any layer (summarize.peak_p, p < ALPHA). An exact count,
    said inside a window of more than two layers (in one or two, the peak is the window itself)."""
    if c.peak is None or width <= 2:
        return ""
    e["peak"] = {"layer": c.peak[0], "heads": c.peak[1]}
    return f"; the most in layer {c.peak[0]}, {c.peak[1]} heads"


def far(c: CategoryStats, e: dict) -> str:
    """'; 3 sit apart in layer 0, 17 empty layers before the rest' for a lone group far from the rest."""
    if c.far is None:
        return ""
    f = c.far
    e["far"] = {"layers": [f.lo, f.hi], "heads": f.heads, "gap": f.gap}
    side = "before" if f.hi < f.rest[0] else "after"
    return (f"; {f.heads} sit{'s' if f.heads == 1 else ''} apart in {span(f.lo, f.hi)}, "
            f"{f.gap} empty layers {side} the rest")


def concentration(summary: Summary, c: CategoryStats) -> Observation:
    """A category whose core window is clearly narrower than a uniform spread's."""
    lo, hi = c.core_layers
    e = window_evidence(summary, c)
    text = (f"{c.name} heads concentrate in {span(lo, hi)}: {e['in_core']} of its {c.heads} heads "
            f"({percent(e['in_core'], c.heads)}) in {e['core_width']}{of_layers(summary)} "
            f"(median layer {layer(c.layer_median)}{peak(c, e, e['in_core'], hi - lo + 1)}){far(c, e)}.")
    return Observation(id=f"{slug(c.name)}-core", kind="concentration", text=text, figure="layer-profile",
                       category=c.name, layers=(lo, hi), evidence=e)


def window_evidence(summary: Summary, c: CategoryStats) -> dict:
    """The core window's statistics a position sentence quotes, rounded like summary.json."""
    return {**base_evidence(c), "core_layers": list(c.core_layers), "core_share": r4(c.core_share),
            "spread": r4(c.spread), "core_width": c.core_width, "n_layers": summary.table.n_layers,
            "in_core": int(half_up(c.core_share * c.heads))}


def uneven(summary: Summary, c: CategoryStats) -> Observation:
    """A category that differs from uniform without one narrow window: its lean and densest half.

    "Early" or "late" needs the model's depth: with an inferred shape the sentence says "unevenly spread".
    """
    lo, hi = c.half_layers
    e = {**base_evidence(c), "ks_p": r4(c.ks_p), "half_layers": [lo, hi], "half_share": r4(c.half_share),
         "in_half": int(half_up(c.half_share * c.heads)), "half_width": hi - lo + 1,
         "n_layers": summary.table.n_layers}
    leans = c.ks_p < ALPHA and c.depth_third != "middle" and not inferred(summary)
    verb = f"lean {c.depth_third}" if leans else "are unevenly spread"
    text = (f"{c.name} heads {verb}, densest in {span(lo, hi)}: {e['in_half']} of its {c.heads} heads "
            f"({percent(e['in_half'], c.heads)}) in {e['half_width']}{of_layers(summary)} "
            f"(median layer {layer(c.layer_median)}{peak(c, e, e['in_half'], hi - lo + 1)}){far(c, e)}.")
    return Observation(id=f"{slug(c.name)}-lean", kind="concentration", text=text, figure="layer-profile",
                       category=c.name, layers=(lo, hi), evidence=e)


def even(summary: Summary, c: CategoryStats) -> Observation:
    """A category whose layers do not differ from a uniform spread (over the layers seen, when inferred)."""
    lo, hi = c.core_layers
    e = window_evidence(summary, c)
    where = f"the layers seen (0–{summary.table.n_layers - 1})" if inferred(summary) else "the depth"
    text = (f"{c.name} heads are spread across {where} with no clear concentration: holding "
            f"{e['in_core']} of its {c.heads} heads ({percent(e['in_core'], c.heads)}) takes {e['core_width']}"
            f"{of_layers(summary)} ({span(lo, hi)}).")
    return Observation(id=f"{slug(c.name)}-spread", kind="concentration", text=text, figure="layer-profile",
                       category=c.name, evidence=e)


def is_flat_block(summary: Summary, c: CategoryStats) -> bool:
    """All heads inside a range of layers clearly narrower than the model (p < ALPHA), evenly spread in it (no
    test finds a denser part or a peak layer, p >= ALPHA), with no far-off group: an 80% window would cut
    through it."""
    width = c.last_layer - c.first_layer + 1
    spike = c.peak is not None and summarize_peak_p(c.peak[1], c.heads, width) < ALPHA  # one layer clearly denser
    return (c.far is None and c.range_p is not None and c.range_p < ALPHA and c.range_flat_p is not None
            and c.range_flat_p >= ALPHA and width > c.core_width and not spike)


def flat_block(summary: Summary, c: CategoryStats) -> Observation:
    """A category filling one range of layers evenly: the whole range, not a window cutting through it."""
    lo, hi = c.first_layer, c.last_layer
    n_layers = summary.table.n_layers
    e = {**base_evidence(c), "first_layer": lo, "last_layer": hi, "width": hi - lo + 1, "n_layers": n_layers,
         "range_p": float(f"{c.range_p:.3g}"), "range_flat_p": r4(c.range_flat_p)}
    outside = [s for s in ((0, lo - 1), (hi + 1, n_layers - 1)) if s[0] <= s[1]]
    if inferred(summary):
        outside = [s for s in outside if s[0] == 0]
    e["outside"] = [list(s) for s in outside]
    h_lo, h_hi = c.half_layers
    e.update({"half_layers": [h_lo, h_hi], "in_half": int(half_up(c.half_share * c.heads)), "half_share": r4(c.half_share)})
    none = f"; none in {spans_text(outside)}" if outside else ""
    # Exact counts only: no test finding a denser part is not a finding that there is none.
    text = (f"{c.name} heads sit in {span(lo, hi)} only (all {c.heads}, in {hi - lo + 1}{of_layers(summary)}{none}); "
            f"{e['in_half']} of them ({percent(e['in_half'], c.heads)}) in {span(h_lo, h_hi)} "
            f"(median layer {layer(c.layer_median)}).")
    return Observation(id=f"{slug(c.name)}-range", kind="concentration", text=text, figure="layer-profile",
                       category=c.name, layers=(lo, hi), evidence=e)


def every_layer(summary: Summary, c: CategoryStats) -> Observation:
    """A category with exactly k heads in every layer: its spread over depth is fixed by construction."""
    n_layers = summary.table.n_layers
    text = (f"{c.name} has exactly {c.per_layer} head{'' if c.per_layer == 1 else 's'} in every one of the "
            f"{n_layers} layers ({c.heads} in all): the same number per layer, as a per-layer selection gives.")
    return Observation(id=f"{slug(c.name)}-per-layer", kind="concentration", text=text, figure="layer-profile",
                       category=c.name, evidence={"heads": c.heads, "per_layer": c.per_layer, "n_layers": n_layers})


def is_sparse(c: CategoryStats, largest: CategoryStats | None) -> bool:
    """Enough heads to locate, but far fewer than the largest category."""
    return c.heads >= MIN_HEADS and largest is not None and c.heads < SPARSE_FRACTION * largest.heads


def sparse_categories(summary: Summary, largest: CategoryStats | None) -> Observation | None:
    """The categories with far fewer heads than the largest one, in one sentence."""
    few = [c for c in summary.categories if is_sparse(c, largest)]
    if not few:
        return None
    total = summary.totals.heads
    e = {"heads": {c.name: c.heads for c in few}, "share_of_heads": {c.name: r4(c.share_of_heads) for c in few},
         "largest": largest.name, "largest_heads": largest.heads}
    if len(few) == 1:
        c = few[0]
        share = "" if inferred(summary) else f", {percent(c.heads, total)} of all heads"
        text = f"{c.name} heads are sparse: {c.heads}{share}, against {largest.heads} {largest.name} heads."
    else:
        share = (lambda c: "") if inferred(summary) else (lambda c: f", {percent(c.heads, total)} of all heads")
        listed = join([f"{c.name} ({c.heads}{share(c)})" for c in few])
        text = f"{listed} heads are sparse against {largest.heads} {largest.name} heads."
    return Observation(id=f"{slug(few[0].name)}-sparse" if len(few) == 1 else "sparse", kind="sparsity",
                       text=text, figure="heatmaps", category=few[0].name if len(few) == 1 else None, evidence=e)


def oriented(comp: PairComparison, name: str) -> dict:
    """A comparison's position statistics seen from ``name`` (positive: ``name`` later)."""
    sign = 1 if comp.second == name else -1
    lo, hi = comp.cliffs_delta_ci
    ci = [r4(sign * lo), r4(sign * hi)] if sign > 0 else [r4(-hi), r4(-lo)]
    other = comp.first if sign > 0 else comp.second
    return {"category": other, "cliffs_delta": r4(sign * comp.cliffs_delta), "cliffs_delta_ci": ci,
            "median_difference": sign * comp.median_difference,
            "effect": [r2(sign * comp.cliffs_delta), r2(ci[0]), r2(ci[1])]}


def effect(values: list[list[float]], name: str, exact: list[list[float]] | None = None) -> str:
    """"Cliff's delta 0.9 (99% interval 0.85 to 0.94)", several joined with 'and' (intervals after the first bare).

    ``exact`` (the same values to four decimals) replaces a value that two decimals would round to 1 without
    being 1: "0.9996", never a "1 (1 to 1)" that only a complete separation may say.
    """
    exact = exact or values
    shown = [[x if abs(r) == 1 and abs(x) != 1 else r for r, x in zip(v, e)] for v, e in zip(values, exact)]
    parts = [f"{v:g} ({f'{percent_level()} interval ' if i == 0 else ''}{lo:g} to {hi:g})"
             for i, (v, lo, hi) in enumerate(shown)]
    return f"{name} {join(parts)}"


def percent_level() -> str:
    """The interval level as the sentences write it: '99%'."""
    return f"{100 * CONFIDENCE:g}%"


def shift_comparisons(summary: Summary) -> list[Observation]:
    """One sentence per category that sits clearly later than others, strongest first."""
    found = []
    for c in summary.categories:
        pairs = [oriented(comp, c.name) for comp in summary.comparisons if comp.later == c.name]
        if not pairs:
            continue
        others = [summary.category(p["category"]) for p in pairs]
        medians = {c.name: c.layer_median, **{o.name: o.layer_median for o in others}}
        e = {"layer_median": medians, "pairs": pairs, "confidence": CONFIDENCE}
        text = (f"{c.name} heads sit later than {join([o.name for o in others])} heads: median layer "
                f"{layer(c.layer_median)} against {medians_text([o.layer_median for o in others])}; "
                f"{later_text(c, others, pairs)}.")
        strength = max(p["cliffs_delta"] for p in pairs)
        found.append((-strength, Observation(id=f"{slug(c.name)}-later", kind="comparison", text=text,
                                             figure="layer-profile", category=c.name, evidence=e)))
    return [o for _, o in sorted(found, key=lambda item: item[0])]


def medians_text(values: list[float]) -> str:
    """'30 and 33', or the range 'from 30 to 41' past LIST_MEDIANS values (many numbers read as a range)."""
    if len(values) <= LIST_MEDIANS:
        return join([layer(v) for v in values])
    return f"{layer(min(values))} to {layer(max(values))}"


def later_text(c: CategoryStats, others: list[CategoryStats], pairs: list[dict]) -> str:
    """Complete separations as words ("every A head sits later than every B head"), the rest as effect sizes."""
    whole = [o.name for o in others if c.first_layer > o.last_layer]
    rest = [(o.name, p["effect"]) for o, p in zip(others, pairs) if o.name not in whole]
    parts = [f"every {c.name} head sits later than every {join(whole)} head"] if whole else []
    if rest:
        exact = [[p["cliffs_delta"], *p["cliffs_delta_ci"]] for o, p in zip(others, pairs) if o.name not in whole]
        against = f" against {join([n for n, _ in rest])}" if whole or len(rest) > 1 else ""
        if len(rest) > LIST_MEDIANS:  # many effect sizes read as their range; each interval is in the evidence
            values = [x[0] if abs(v[0]) == 1 and abs(x[0]) != 1 else v[0] for (_, v), x in zip(rest, exact)]
            parts.append(f"{DELTA_NAME} {min(values):g} to {max(values):g}{against}, each {percent_level()} "
                         f"interval above 0")
        else:
            parts.append(effect([v for _, v in rest], DELTA_NAME, exact) + against)
    return "; ".join(parts)


def spread_comparisons(summary: Summary) -> list[Observation]:
    """'A is more spread out than B' for pairs at a similar depth whose core widths clearly differ."""
    found = []
    for comp in summary.comparisons:
        if comp.wider is None or comp.later is not None:
            continue
        wide = summary.category(comp.wider)
        narrow = summary.category(comp.first if comp.wider == comp.second else comp.second)
        ratio, (lo, hi) = comp.width_ratio, comp.width_ratio_ci
        if comp.wider == comp.first:
            ratio, lo, hi = 1 / ratio, 1 / hi, 1 / lo
        e = {"core_width": {wide.name: wide.core_width, narrow.name: narrow.core_width},
             "core_layers": {wide.name: list(wide.core_layers), narrow.name: list(narrow.core_layers)},
             "width_ratio": r4(ratio), "width_ratio_ci": [r4(lo), r4(hi)], "confidence": CONFIDENCE,
             "effect": [r2(ratio), r2(lo), r2(hi)]}
        text = (f"{wide.name} heads are more spread out than {narrow.name} heads: their core window, "
                f"{span(*wide.core_layers)}, is {wide.core_width} layers wide against "
                f"{narrow.core_width} ({span(*narrow.core_layers)}); {effect([e['effect']], 'width ratio')}.")
        found.append((-ratio, Observation(id=f"{slug(wide.name)}-wider-than-{slug(narrow.name)}",
                                          kind="comparison", text=text, figure="layer-profile",
                                          category=wide.name, evidence=e)))
    return [o for _, o in sorted(found, key=lambda item: item[0])]


def multi_category(summary: Summary) -> Observation | None:
    """How many heads belong to more than one category, and in how many."""
    t = summary.totals
    if t.classified == 0:
        return None
    share = r4(t.multi_category / t.classified)
    by_n = [[k, n] for k, n in summary.by_n_categories if k >= 2 and n > 0]
    e = {"multi_category": t.multi_category, "classified": t.classified, "share_of_classified": share,
         "by_n_categories": by_n}
    if t.multi_category == 0:
        text = "No head belongs to more than one category."
    else:
        words = [number_word(k) for k, _ in by_n]
        parts = f"all in {words[0]}" if len(by_n) == 1 else join([f"{n} in {w}" for (_, n), w in zip(by_n, words)])
        counts = f"{t.multi_category} of the {t.classified} classified heads ({percent(t.multi_category, t.classified)})"
        if t.classified < MIN_HEADS:  # too few heads for "few" or "many" to mean anything
            text = f"{counts} belong to two or more categories; {parts}."
        else:
            lead = "Few heads" if share < FEW_MULTI else "Many heads" if share >= MANY_MULTI else "Some heads"
            text = f"{lead} belong to two or more categories: {counts}; {parts}."
    return Observation(id="multi-category", kind="overlap", text=text, figure="heatmaps", evidence=e)


def top_pair(summary: Summary) -> Observation | None:
    """The pair of categories sharing the most heads, when there are more than two categories."""
    shared = [o for o in summary.overlaps if o.heads > 0]
    if len(summary.categories) < 3 or not shared:
        return None
    best = max(shared, key=lambda o: (o.heads, o.jaccard))  # max keeps the first of equals: panel order
    a, b = best.categories
    na, nb = summary.category(a).heads, summary.category(b).heads
    e = {"categories": [a, b], "heads": best.heads, "jaccard": r4(best.jaccard), "of_heads": [na, nb],
         "share_of": [r4(best.heads / na), r4(best.heads / nb)]}
    text = (f"{a} and {b} share the most heads: {best.heads}, {percent(best.heads, na)} of the {na} {a} heads "
            f"and {percent(best.heads, nb)} of the {nb} {b} heads.")
    return Observation(id="top-pair", kind="overlap", text=text, figure="heatmaps", evidence=e)


def unclassified(summary: Summary) -> Observation:
    """How many heads have no category."""
    t = summary.totals
    share = r4(t.unclassified / t.heads)
    if inferred(summary):
        text = (f"{t.classified:,} heads are classified; the model's shape was not given, so how many of its "
                f"heads are in no category is not known.")
    elif t.unclassified == 0:
        text = "Every head is in at least one category."
    elif 2 * t.unclassified > t.heads:
        text = (f"Most heads are unclassified: {t.unclassified:,} of {t.heads:,} ({percent(t.unclassified, t.heads)}) "
                f"are in no category.")
    else:
        text = f"{t.unclassified:,} of {t.heads:,} heads ({percent(t.unclassified, t.heads)}) are in no category."
    return Observation(id="unclassified", kind="unclassified", text=text, figure="heatmaps",
                       evidence={"unclassified": t.unclassified, "heads": t.heads, "share_of_heads": share})

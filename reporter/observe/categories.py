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
- "sparse" when a category has fewer than a quarter of the heads of the largest.
- When categories occupy separated layer ranges, their order in depth; a large
  range of layers with no classified head (EMPTY_MIN_SHARE of the depth and
  p < ALPHA under an even spread), once.
- "sit later than" / "more spread out than" only for comparisons that
  summarize marks clear (effect size and a 99% bootstrap interval), with the
  effect size and its interval in the sentence.
- Heads in two or more categories: "few" below 10% of the classified heads,
  "many" from 25% (neither word with fewer than MIN_HEADS classified heads).
- For a scores input, which of these readings hold under the rule's neighbours.

Every number in a sentence is formatted from a value of its ``evidence``
(shares as percentages with one decimal, layers and counts as integers,
medians and effect sizes with ``:g``), and evidence values are rounded like summary.json.
Order: each category's position (panel order, its sparsity right after), the
order in depth and empty layers, then comparisons (strongest first), then
overlaps, then unclassified heads, then robustness.
"""

from __future__ import annotations

from dataclasses import replace

from ..slugs import slug_map, slugify
from ..analysis.summarize import CategoryStats, PairComparison, Summary
from ..rules import (ALPHA, CONFIDENCE, FEW_MULTI, MANY_MULTI, MAX_CONCENTRATED_SPREAD, MIN_HEADS, PEAK_RATIO,
                     SPARSE_FRACTION)
from .observation import KINDS, Observation, r2, r4, slug
from .robustness import robustness
from .shape import cluster_sentence, depth_order, empty_layers, facts
from .wording import heads, join, layer, number_word, percent, span

DELTA_NAME = "Cliff's delta"


def observe(summary: Summary) -> list[Observation]:
    """Write the observations the statistics support, most important first."""
    largest = max(summary.categories, key=lambda c: c.heads, default=None)
    found: list[Observation] = []
    for c in summary.categories:
        found.append(position(summary, c))
        if is_sparse(c, largest):
            found.append(sparsity(summary, c, largest))
    found.extend(o for o in (depth_order(summary), empty_layers(summary)) if o is not None)
    found.extend(shift_comparisons(summary))
    found.extend(spread_comparisons(summary))
    found.extend(o for o in (multi_category(summary), top_pair(summary)) if o is not None)
    found.append(unclassified(summary))
    found = unique_ids(found, summary.table.categories)
    checked = robustness(summary, found, observe)
    return found + [checked] if checked is not None else found


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
    half_width = c.half_layers[1] - c.half_layers[0] + 1
    compact = half_width >= PEAK_RATIO * c.core_width
    if c.core_p is not None and c.core_p < ALPHA and c.spread <= MAX_CONCENTRATED_SPREAD and compact:
        return concentration(c)
    if c.uniform_p is not None and min(c.uniform_p, c.core_p) < ALPHA:
        return uneven(c)
    return even(c)


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


def concentration(c: CategoryStats) -> Observation:
    """A category whose core window is clearly narrower than a uniform spread's."""
    lo, hi = c.core_layers
    e = window_evidence(c)
    text = (f"{c.name} heads concentrate in {span(lo, hi)}: {e['in_core']} of its {c.heads} heads "
            f"({percent(e['core_share'])}) in {e['core_width']} of the {e['n_layers']} layers "
            f"(median layer {layer(c.layer_median)}).")
    return Observation(id=f"{slug(c.name)}-core", kind="concentration", text=text, figure="layer-profile",
                       category=c.name, layers=(lo, hi), evidence=e)


def window_evidence(c: CategoryStats) -> dict:
    """The core window's statistics a position sentence quotes, rounded like summary.json."""
    n_layers = round(c.core_width / c.spread)
    return {**base_evidence(c), "core_layers": list(c.core_layers), "core_share": r4(c.core_share),
            "spread": r4(c.spread), "core_width": c.core_width, "n_layers": n_layers,
            "in_core": round(c.core_share * c.heads)}


def uneven(c: CategoryStats) -> Observation:
    """A category that differs from uniform without one narrow window: its lean and densest half."""
    lo, hi = c.half_layers
    e = {**base_evidence(c), "ks_p": r4(c.ks_p), "half_layers": [lo, hi], "half_share": r4(c.half_share),
         "in_half": round(c.half_share * c.heads), "half_width": hi - lo + 1,
         "n_layers": round(c.core_width / c.spread)}
    leans = c.ks_p < ALPHA and c.depth_third != "middle"
    verb = f"lean {c.depth_third}" if leans else "are unevenly spread"
    text = (f"{c.name} heads {verb}, densest in {span(lo, hi)}: {e['in_half']} of its {c.heads} heads "
            f"({percent(e['half_share'])}) in {e['half_width']} of the {e['n_layers']} layers "
            f"(median layer {layer(c.layer_median)}).")
    return Observation(id=f"{slug(c.name)}-lean", kind="concentration", text=text, figure="layer-profile",
                       category=c.name, layers=(lo, hi), evidence=e)


def even(c: CategoryStats) -> Observation:
    """A category whose layers do not differ from a uniform spread."""
    lo, hi = c.core_layers
    e = window_evidence(c)
    text = (f"{c.name} heads are spread across the depth with no clear concentration: holding "
            f"{e['in_core']} of its {c.heads} heads ({percent(e['core_share'])}) takes {e['core_width']} of the "
            f"{e['n_layers']} layers ({span(lo, hi)}).")
    return Observation(id=f"{slug(c.name)}-spread", kind="concentration", text=text, figure="layer-profile",
                       category=c.name, evidence=e)


def is_sparse(c: CategoryStats, largest: CategoryStats | None) -> bool:
    """Enough heads to locate, but far fewer than the largest category."""
    return c.heads >= MIN_HEADS and largest is not None and c.heads < SPARSE_FRACTION * largest.heads


def sparsity(summary: Summary, c: CategoryStats, largest: CategoryStats) -> Observation:
    """A category with far fewer heads than the largest one."""
    e = {"heads": c.heads, "share_of_heads": r4(c.share_of_heads), "largest": largest.name,
         "largest_heads": largest.heads}
    text = (f"{c.name} heads are sparse: {c.heads}, {percent(e['share_of_heads'])} of all heads, "
            f"against {largest.heads} {largest.name} heads.")
    return Observation(id=f"{slug(c.name)}-sparse", kind="sparsity", text=text, figure="heatmaps",
                       category=c.name, evidence=e)


def oriented(comp: PairComparison, name: str) -> dict:
    """A comparison's position statistics seen from ``name`` (positive: ``name`` later)."""
    sign = 1 if comp.second == name else -1
    lo, hi = comp.cliffs_delta_ci
    ci = [r4(sign * lo), r4(sign * hi)] if sign > 0 else [r4(-hi), r4(-lo)]
    other = comp.first if sign > 0 else comp.second
    return {"category": other, "cliffs_delta": r4(sign * comp.cliffs_delta), "cliffs_delta_ci": ci,
            "median_difference": sign * comp.median_difference,
            "effect": [r2(sign * comp.cliffs_delta), r2(ci[0]), r2(ci[1])]}


def effect(values: list[list[float]], name: str) -> str:
    """"Cliff's delta 0.9 (99% interval 0.85 to 0.94)", several joined with 'and' (intervals after the first bare)."""
    parts = [f"{v:g} ({f'{percent_level()} interval ' if i == 0 else ''}{lo:g} to {hi:g})"
             for i, (v, lo, hi) in enumerate(values)]
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
                f"{layer(c.layer_median)} against {join([layer(o.layer_median) for o in others])}; "
                f"{effect([p['effect'] for p in pairs], DELTA_NAME)}.")
        strength = max(p["cliffs_delta"] for p in pairs)
        found.append((-strength, Observation(id=f"{slug(c.name)}-later", kind="comparison", text=text,
                                             figure="layer-profile", category=c.name, evidence=e)))
    return [o for _, o in sorted(found, key=lambda item: item[0])]


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
        counts = f"{t.multi_category} of the {t.classified} classified heads ({percent(share)})"
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
    e = {"categories": [a, b], "heads": best.heads, "jaccard": r4(best.jaccard)}
    text = (f"{a} and {b} share the most heads: {best.heads}, {percent(e['jaccard'])} of the heads "
            f"in either.")
    return Observation(id="top-pair", kind="overlap", text=text, figure="heatmaps", evidence=e)


def unclassified(summary: Summary) -> Observation:
    """How many heads have no category."""
    t = summary.totals
    share = r4(t.unclassified / t.heads)
    if t.unclassified == 0:
        text = "Every head is in at least one category."
    elif 2 * t.unclassified > t.heads:
        text = f"Most heads are unclassified: {t.unclassified} of {t.heads} ({percent(share)}) are in no category."
    else:
        text = f"{t.unclassified} of {t.heads} heads ({percent(share)}) are in no category."
    return Observation(id="unclassified", kind="unclassified", text=text, figure="heatmaps",
                       evidence={"unclassified": t.unclassified, "heads": t.heads, "share_of_heads": share})

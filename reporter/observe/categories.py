"""Observe: written findings drawn from a Summary -> list[Observation].

Rules (constants in summarize.py), the same for every model and category:

- A category with no heads, or fewer than MIN_HEADS (20), gets a hedged
  sentence ("too few heads to say where they concentrate"), kind `sparsity`.
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
- "sit later than" / "more spread out than" only for comparisons that
  summarize marks clear (effect size and a 99% bootstrap interval).
- Heads in two or more categories: "few" below 10% of the classified heads,
  "many" from 25% (neither word with fewer than MIN_HEADS classified heads).

Every number in a sentence is formatted from a value of its ``evidence``
(shares as percentages with one decimal, layers and counts as integers,
medians with ``:g``), and evidence values are rounded like summary.json.
Order: each category's position (panel order, its sparsity right after),
then comparisons (strongest first), then overlaps, then unclassified heads.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..slugs import slug_map, slugify
from ..analysis.summarize import ALPHA, MIN_HEADS, CategoryStats, PairComparison, Summary
from ..rules import FEW_MULTI, MANY_MULTI, MAX_CONCENTRATED_SPREAD, PEAK_RATIO, SPARSE_FRACTION

KINDS = ("concentration", "comparison", "sparsity", "overlap", "unclassified")
NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}


@dataclass(frozen=True)
class Observation:
    """One sentence about the data, with the numbers behind it and the figure that shows it."""

    id: str
    kind: str
    text: str
    figure: str
    category: str | None = None
    layers: tuple[int, int] | None = None
    evidence: dict = field(default_factory=dict)


def observe(summary: Summary) -> list[Observation]:
    """Write the observations the statistics support, most important first."""
    largest = max(summary.categories, key=lambda c: c.heads, default=None)
    found: list[Observation] = []
    for c in summary.categories:
        found.append(position(summary, c))
        if is_sparse(c, largest):
            found.append(sparsity(summary, c, largest))
    found.extend(shift_comparisons(summary))
    found.extend(spread_comparisons(summary))
    found.extend(o for o in (multi_category(summary), top_pair(summary)) if o is not None)
    found.append(unclassified(summary))
    return unique_ids(found, summary.table.categories)


def slug(name: str) -> str:
    """A safe id fragment for a category name (ASCII, bounded, see slugs.slugify)."""
    return slugify(name, set())


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


def r4(value: float) -> float:
    """Round a share like summary.json does."""
    return round(float(value), 4)


def percent(value: float) -> str:
    """A share as a percentage with one decimal."""
    return f"{100 * value:.1f}%"


def layer(value: float) -> str:
    """A (median) layer: integers without a decimal point, halves as .5."""
    return f"{value:g}"


def span(lo: int, hi: int) -> str:
    """'layers 3–9', or 'layer 3' for a window of one layer."""
    return f"layer {lo}" if lo == hi else f"layers {lo}–{hi}"


def heads_word(n: int) -> str:
    """'1 head', '5 heads'."""
    return f"{n} head" if n == 1 else f"{n} heads"


def join(words: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def position(summary: Summary, c: CategoryStats) -> Observation:
    """Where one category's heads sit: a claim, a lean, an even spread or a hedge."""
    if c.heads < MIN_HEADS:
        return too_few(c)
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


def too_few(c: CategoryStats) -> Observation:
    """A hedge for a category with no heads or too few to locate."""
    if not c.measured:
        return Observation(id=f"{slug(c.name)}-not-measured", kind="sparsity", figure="heatmaps", category=c.name,
                           text=f"{c.name} was not measured: the table scores none of its relations for this model.",
                           evidence={"measured": False})
    if c.heads == 0:
        text = f"No head is in {c.name}."
        evidence = {"heads": 0, "min_heads": MIN_HEADS}
    else:
        verb = "is" if c.heads == 1 else "are"
        text = (f"Only {heads_word(c.heads)} {verb} {c.name}: too few to say where {c.name} heads concentrate "
                f"(median layer {layer(c.layer_median)}).")
        evidence = {"heads": c.heads, "layer_median": c.layer_median, "min_heads": MIN_HEADS}
    return Observation(id=f"{slug(c.name)}-few", kind="sparsity", text=text, figure="heatmaps",
                       category=c.name, evidence=evidence)


def concentration(c: CategoryStats) -> Observation:
    """A category whose core window is clearly narrower than a uniform spread's."""
    lo, hi = c.core_layers
    e = {**base_evidence(c), "core_layers": [lo, hi], "core_share": r4(c.core_share), "spread": r4(c.spread)}
    text = (f"{c.name} heads concentrate in {span(lo, hi)}: {percent(e['core_share'])} of its {c.heads} heads "
            f"sit there, in {percent(e['spread'])} of the depth (median layer {layer(c.layer_median)}, "
            f"{c.depth_third} third).")
    return Observation(id=f"{slug(c.name)}-core", kind="concentration", text=text, figure="layer-profile",
                       category=c.name, layers=(lo, hi), evidence=e)


def uneven(c: CategoryStats) -> Observation:
    """A category that differs from uniform without one narrow window: its lean and densest half."""
    lo, hi = c.half_layers
    e = {**base_evidence(c), "ks_p": r4(c.ks_p), "half_layers": [lo, hi], "half_share": r4(c.half_share)}
    leans = c.ks_p < ALPHA and c.depth_third != "middle"
    verb = f"lean {c.depth_third}" if leans else "are unevenly spread"
    text = (f"{c.name} heads {verb}, densest in {span(lo, hi)}: {percent(e['half_share'])} of its {c.heads} "
            f"heads sit there (median layer {layer(c.layer_median)}).")
    return Observation(id=f"{slug(c.name)}-lean", kind="concentration", text=text, figure="layer-profile",
                       category=c.name, layers=(lo, hi), evidence=e)


def even(c: CategoryStats) -> Observation:
    """A category whose layers do not differ from a uniform spread."""
    lo, hi = c.core_layers
    e = {**base_evidence(c), "core_layers": [lo, hi], "core_share": r4(c.core_share), "spread": r4(c.spread)}
    text = (f"{c.name} heads are spread across the depth with no clear concentration: it takes "
            f"{span(lo, hi)}, {percent(e['spread'])} of the depth, to hold {percent(e['core_share'])} "
            f"of its {c.heads} heads.")
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
            "median_difference": sign * comp.median_difference}


def shift_comparisons(summary: Summary) -> list[Observation]:
    """One sentence per category that sits clearly later than others, strongest first."""
    found = []
    for c in summary.categories:
        pairs = [oriented(comp, c.name) for comp in summary.comparisons if comp.later == c.name]
        if not pairs:
            continue
        others = [summary.category(p["category"]) for p in pairs]
        medians = {c.name: c.layer_median, **{o.name: o.layer_median for o in others}}
        e = {"layer_median": medians, "pairs": pairs}
        text = (f"{c.name} heads sit later than {join([o.name for o in others])} heads: median layer "
                f"{layer(c.layer_median)} against {join([layer(o.layer_median) for o in others])}.")
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
             "width_ratio": r4(ratio), "width_ratio_ci": [r4(lo), r4(hi)]}
        text = (f"{wide.name} heads are more spread out than {narrow.name} heads: their core window, "
                f"{span(*wide.core_layers)}, is {wide.core_width} layers wide against "
                f"{narrow.core_width} ({span(*narrow.core_layers)}).")
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
        words = [NUMBER_WORDS.get(k, str(k)) for k, _ in by_n]
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

"""Observe across models: what holds in every model and what differs -> list[Observation].

Sentences follow the single-model ones (observe.py): each carries its numbers,
and a claim is made only when a test supports it in every model it names.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import combinations

import numpy as np

from ..analysis.across_models import (THIRDS, ModelCategory, ModelComparison, binomial_lower, binomial_upper,
                                      mann_whitney_p, thirds_differ_p, two_proportion_p)
from .categories import Observation, slug
from .wording import heads, join, number, percent
from ..rules import ALPHA, BORDERLINE_FACTOR, BORDERLINE_RATIO, FEW_MULTI, MANY_MULTI, MIN_HEADS, MIN_RATIO



@dataclass(frozen=True)
class Placement:
    """Which third of depth holds most of a category's heads in one model, if one clearly does."""

    cell: ModelCategory
    third: int | None
    held: int
    expected: float
    p_value: float


def observe_models(cmp: ModelComparison) -> list[Observation]:
    """Every cross-model observation the statistics support: shared findings first, then differences.

    Models whose shape was inferred take no part in readings of depth or of shares of heads (their depth
    and size are unknown); a sentence says which they are.
    """
    known = known_shapes(cmp)
    placements = {c: [placement(cell) for cell in known.for_category(c)] for c in cmp.categories}
    same = {c: same_third(known, c, placements[c]) for c in cmp.categories}
    shared = list(same.values())
    # "Mostly in the last third" already says the other thirds hold few.
    shared += empty_thirds(known, [c for c in cmp.categories if same[c] is None])
    shared.append(empty_depth(known))
    shared += [ordering(known, a, b) for a, b in combinations(cmp.categories, 2)]
    differ = [differing_thirds(known, c, placements[c]) for c in cmp.categories]
    differ += [presence(cmp, c) for c in cmp.categories]
    differ += [too_few(cmp, c) for c in cmp.categories]
    if not rule_fixes_shares(cmp):
        differ += [share_contrast(known, c) for c in cmp.categories]
    totals = [unclassified_range(known), multi_category_range(cmp)]
    return [o for o in [inferred_models(cmp)] + shared + differ + totals if o is not None]


def known_shapes(cmp: ModelComparison) -> ModelComparison:
    """The comparison restricted to the models whose shape was given (flag, config, metadata or known model)."""
    keep = [i for i, m in enumerate(cmp.models) if m.shape_source != "inferred"]
    if len(keep) == len(cmp.models):
        return cmp
    slugs = {cmp.models[i].slug for i in keep}
    return replace(cmp, models=tuple(cmp.models[i] for i in keep), summaries=tuple(cmp.summaries[i] for i in keep),
                   cells=tuple(c for c in cmp.cells if c.slug in slugs))


def inferred_models(cmp: ModelComparison) -> Observation | None:
    """Which models had their shape guessed, and so are left out of depth and share readings."""
    names = [m.name for m in cmp.models if m.shape_source == "inferred"]
    if not names:
        return None
    text = (f"The shape of {join(names)} was not given (inferred from the largest index), so "
            f"{'it is' if len(names) == 1 else 'they are'} left out of every comparison of depth and of shares of heads.")
    return Observation(id="inferred-shapes", kind="sparsity", text=text, figure="model-heatmaps",
                       evidence={"models": names})


def rule_fixes_shares(cmp: ModelComparison) -> bool:
    """Whether the rule sets each relation's head count (top-k, top-percent): shares of heads are then its doing."""
    specs = [s.table.rule_spec or {} for s in cmp.summaries]
    return any(spec.get("top_k") is not None or spec.get("top_percent") is not None for spec in specs)


def borderline_p(p_value: float) -> bool:
    """A p-value within BORDERLINE_FACTOR of ALPHA on either side: too close to the cut to read either way."""
    return ALPHA / BORDERLINE_FACTOR <= p_value < ALPHA * BORDERLINE_FACTOR


def p_text(p_value: float) -> str:
    """'p = 0.018, borderline: the cut is 0.01' near the cut, else 'p = 0.0005'."""
    said = f"p = {number(p_value, 4) if p_value < 0.001 else f'{p_value:.2g}'}"
    return f"{said}, borderline: the cut is {ALPHA:g}" if borderline_p(p_value) else said


def placement(cell: ModelCategory) -> Placement:
    """The third holding the most heads, kept only when it holds clearly more than an even spread would.

    The test is one-sided binomial against the third's share of layers,
    Bonferroni-corrected for picking the largest of three.
    """
    n_layers = sum(hi - lo + 1 for lo, hi in cell.third_layers if lo >= 0)
    counts = np.array(cell.thirds)
    best = int(np.argmax(counts))
    lo, hi = cell.third_layers[best]
    expected = (hi - lo + 1) / n_layers if lo >= 0 else 0.0
    held = int(counts[best])
    if cell.heads < MIN_HEADS or (counts == held).sum() > 1:
        return Placement(cell, None, held, expected, 1.0)
    p_value = min(1.0, 3 * binomial_upper(held, cell.heads, expected))
    return Placement(cell, best if p_value < ALPHA else None, held, expected, p_value)


def held_text(p: Placement) -> str:
    """``gpt2-xl (71.0% of 120 heads)``."""
    return f"{p.cell.model} ({percent(p.held, p.cell.heads)} of {heads(p.cell.heads)})"


def share_range(pairs: list[tuple[int, int]]) -> str:
    """Shares of several models as one range, half up on each exact fraction: '62.2%–87.5%' (or one value)."""
    low, high = min(pairs, key=lambda kn: kn[0] / kn[1]), max(pairs, key=lambda kn: kn[0] / kn[1])
    return percent(*low) if percent(*low) == percent(*high) else f"{percent(*low)}–{percent(*high)}"


def evaluated(ps: list[Placement]) -> list[Placement]:
    """Placements of the models with enough heads to say where they sit."""
    return [p for p in ps if p.cell.heads >= MIN_HEADS]


def same_third(cmp: ModelComparison, category: str, ps: list[Placement]) -> Observation | None:
    """A category sits in the same third of depth in every model with enough heads (at least two)."""
    ok = evaluated(ps)
    if len(ok) < 2 or any(p.third is None for p in ok) or len({p.third for p in ok}) != 1:
        return None
    third = THIRDS[ok[0].third]
    text = (f"{category} heads sit mostly in the {third} third of depth in {scope(cmp, len(ok), category)}: "
            f"{share_range([(p.held, p.cell.heads) for p in ok])} of each model's heads, where an even spread would put "
            f"{even_share([p.expected for p in ok])} there.")
    return Observation(
        id=f"{slug(category)}-same-third", kind="concentration", text=text, figure="depth-profiles",
        category=category,
        evidence={"third": third, "models": {p.cell.model: {"heads": p.cell.heads, "in_third": p.held,
                                                           "p_value": round(p.p_value, 6)} for p in ok}},
    )


def third_share(cell: ModelCategory, k: int) -> float:
    """The share of the model's layers that fall in third ``k``."""
    n_layers = sum(hi - lo + 1 for lo, hi in cell.third_layers if lo >= 0)
    lo, hi = cell.third_layers[k]
    return (hi - lo + 1) / n_layers if lo >= 0 else 0.0


def empty_thirds(cmp: ModelComparison, categories: list[str]) -> list[Observation]:
    """Thirds of depth that hold clearly few of a category's heads in every model; categories alike in one sentence."""
    found = [f for f in (empty_third(cmp, c) for c in categories) if f is not None]
    out = []
    for k in range(3):
        same = [(c, tests) for c, third, tests in found if third == k]
        if same:
            out.append(empty_third_sentence(cmp, k, same))
    return out


def empty_third(cmp: ModelComparison, category: str):
    """(category, third, tests) for a third holding clearly fewer heads than an even spread in every model, or None.

    Per model a one-sided binomial test, Bonferroni-corrected for three thirds;
    of the thirds that pass in every model, the one holding the fewest heads.
    """
    cells = [c for c in cmp.for_category(category) if c.heads >= MIN_HEADS]
    if len(cells) < 2:
        return None
    passing = []
    for k in range(3):
        tests = [(c, c.thirds[k], third_share(c, k)) for c in cells]
        if all(3 * binomial_lower(held, c.heads, share) < ALPHA for c, held, share in tests):
            passing.append((max(held / c.heads for c, held, _ in tests), k, tests))
    if not passing:
        return None
    _, k, tests = min(passing, key=lambda item: item[:2])
    return category, k, tests


def empty_third_sentence(cmp: ModelComparison, k: int, same: list) -> Observation:
    """One sentence for every category that a third of depth holds clearly few of, in every model."""
    names = [c for c, _ in same]
    parts = [f"at most {max_share([(held, cell.heads) for cell, held, _ in tests])} of each model's {c} heads"
             if any(held for _, held, _ in tests) else f"no {c} head in any model" for c, tests in same]
    n = len(same[0][1])
    shares = [s for _, tests in same for _, _, s in tests]
    text = (f"In {scope(cmp, n, join(names))}, few {join(names)} heads sit in the {THIRDS[k]} third of depth: "
            f"{join(parts)}, where an even spread would put {even_share(shares)} there.")
    ident = f"{'-'.join(slug(c) for c in names)}-few-in-{THIRDS[k]}-third"
    evidence = {"third": THIRDS[k], "categories": {c: {cell.model: {"heads": cell.heads, "in_third": held}
                                                       for cell, held, _ in tests} for c, tests in same}}
    return Observation(id=ident, kind="sparsity", text=text, figure="depth-profiles",
                       category=names[0] if len(names) == 1 else None, evidence=evidence)


def max_share(pairs: list[tuple[int, int]]) -> str:
    """The largest of several shares (count, total), as a percentage."""
    return percent(*max(pairs, key=lambda kn: kn[0] / kn[1]))


def empty_depth(cmp: ModelComparison) -> Observation | None:
    """A large range of layers without any classified head in every model (each model's own test), said once."""
    regions = [s.empty_region for s in cmp.summaries]
    if len(regions) < 2 or any(r is None or not r.clear for r in regions):
        return None
    starts = all(r.lo == 0 for r in regions)
    ends = all(r.hi == m.n_layers - 1 for r, m in zip(regions, cmp.models))
    listed = join([f"layers {r.lo}–{r.hi} of {m.n_layers} in {m.name} ({percent(r.hi - r.lo + 1, m.n_layers)})"
                   for r, m in zip(regions, cmp.models)])
    where = " at the start of depth" if starts else " at the end of depth" if ends else ""
    every = "both models" if len(regions) == 2 else f"all {len(regions)} models"
    text = f"In {every}, a large range of layers{where} holds no classified head at all: {listed}."
    evidence = {"models": {m.name: {"layers": [r.lo, r.hi], "n_layers": m.n_layers, "p_value": float(f"{r.p_value:.3g}")}
                           for r, m in zip(regions, cmp.models)}}
    return Observation(id="empty-layers", kind="sparsity", text=text, figure="depth-profiles", evidence=evidence)


def scope(cmp: ModelComparison, n: int, category: str) -> str:
    """``both models``, ``all 4 models`` or ``all 3 models with at least 10 X heads``."""
    every = "both models" if n == 2 else f"all {n} models"
    return every if n == len(cmp.models) else f"{every} with at least {MIN_HEADS} {category} heads"


def even_share(shares: list[float]) -> str:
    """The share an even spread would give, or its range over models."""
    low, high = min(shares), max(shares)
    return percent(low) if percent(low) == percent(high) else f"{percent(low)}–{percent(high)}"  # layer shares


def differing_thirds(cmp: ModelComparison, category: str, ps: list[Placement]) -> Observation | None:
    """Whether the models put a category in different thirds of depth: said only when the difference is significant.

    Not two p-values either side of ALPHA: a permutation test of the models x
    thirds table (analysis.across_models.thirds_differ_p). When the models do not
    differ clearly, one sentence says they sit alike, with the pooled shares.
    """
    ok = evaluated(ps)
    if len(ok) < 2 or (len({p.third for p in ok}) == 1 and ok[0].third is not None):
        return None
    p_value = thirds_differ_p([p.cell for p in ok])
    models = {p.cell.model: {"heads": p.cell.heads, "largest_third": THIRDS[largest(p.cell)],
                             "in_third": p.cell.thirds[largest(p.cell)]} for p in ok}
    evidence = {"models": models, "p_value": round(p_value, 4)}
    if p_value < ALPHA:
        groups = []
        for k, third in enumerate(THIRDS):
            members = [p for p in ok if largest(p.cell) == k]
            if members:
                held = share_range([(p.cell.thirds[k], p.cell.heads) for p in members])
                groups.append(f"the {third} third holds the most in {join([p.cell.model for p in members])} "
                              f"({held} of {'its' if len(members) == 1 else 'their'} heads)")
        text = (f"{category} heads sit in different parts of depth in different models (permutation test of "
                f"the models' thirds, {p_text(p_value)}): {'; '.join(groups)}.")
        return Observation(id=f"{slug(category)}-thirds-differ", kind="comparison", text=text,
                           figure="depth-profiles", category=category, evidence=evidence)
    pooled = np.sum([p.cell.thirds for p in ok], axis=0)
    k = int(np.argmax(pooled))
    among = f" with at least {MIN_HEADS} {category} heads" if len(ok) < len(cmp.models) else ""
    # Not the pooled share: one large model can hide a model that differs (78% against 37-50%).
    text = (f"Where {category} heads sit in the thirds of depth does not differ clearly between the {len(ok)} models"
            f"{among} (permutation test, {p_text(p_value)}); the {THIRDS[k]} third holds "
            f"{share_range([(p.cell.thirds[k], p.cell.heads) for p in ok])} of each model's {category} heads.")
    evidence.update({"pooled": [int(v) for v in pooled], "borderline": borderline_p(p_value)})
    return Observation(id=f"{slug(category)}-thirds-not-different", kind="concentration", text=text,
                       figure="depth-profiles", category=category, evidence=evidence)


def largest(cell: ModelCategory) -> int:
    """The third holding most of a category's heads in one model (the earliest of equals)."""
    return int(np.argmax(cell.thirds))


def ordering(cmp: ModelComparison, a: str, b: str) -> Observation | None:
    """One category sits earlier than another in every model (Mann–Whitney p < ALPHA in each)."""
    rows = []
    for m in cmp.models:
        ca, cb = cmp.cell(m.slug, a), cmp.cell(m.slug, b)
        if ca.heads < MIN_HEADS or cb.heads < MIN_HEADS:
            return None
        la, lb = category_layers(cmp, m.slug, a), category_layers(cmp, m.slug, b)
        rows.append((m.name, ca.median_depth, cb.median_depth, mann_whitney_p(la, lb)))
    if len(rows) < 2 or any(p >= ALPHA or da == db for _, da, db, p in rows):
        return None
    signs = {da < db for _, da, db, _ in rows}
    if len(signs) != 1:
        return None
    early, late = (a, b) if signs.pop() else (b, a)
    swap = early != a
    medians = "; ".join(f"{(db if swap else da):.2f} vs {(da if swap else db):.2f} in {name}" for name, da, db, _ in rows)
    every = "both models" if len(rows) == 2 else f"all {len(rows)} models"
    text = f"In {every}, {early} heads sit earlier than {late} heads (median depth {medians})."
    return Observation(
        id=f"{slug(early)}-before-{slug(late)}", kind="comparison", text=text, figure="core-windows",
        evidence={"models": {name: {"median_depth": [da, db], "p_value": round(p, 6)} for name, da, db, p in rows},
                  "categories": [a, b]},
    )


def category_layers(cmp: ModelComparison, model_slug: str, category: str) -> np.ndarray:
    """Normalized depths of one category's heads in one model."""
    index = [m.slug for m in cmp.models].index(model_slug)
    t = cmp.summaries[index].table
    layers = t.memberships.loc[t.memberships["category"] == category, "layer"].to_numpy(dtype="float64")
    return layers / (t.n_layers - 1) if t.n_layers > 1 else layers * 0.0


def presence(cmp: ModelComparison, category: str) -> Observation | None:
    """A category has heads in some models and none in others."""
    cells = cmp.for_category(category)
    have = [c for c in cells if c.heads]
    lack = [c for c in cells if not c.heads and c.measured]
    unmeasured = [c for c in cells if not c.measured]
    if not have or not (lack or unmeasured):
        return None
    listed = join([f"{c.model} ({heads(c.heads)})" for c in have])
    missing = join([c.model for c in unmeasured]) if unmeasured else ""
    if not lack:
        text = f"{category} was measured only in {listed}: {missing} score{'s' if len(unmeasured) == 1 else ''} no {category} relation."
    else:
        text = f"{category} heads exist only in {listed}; {join([c.model for c in lack])} {'has' if len(lack) == 1 else 'have'} none"
        text += f"; {missing} did not measure it." if unmeasured else "."
    return Observation(
        id=f"{slug(category)}-presence", kind="sparsity", text=text, figure="model-heatmaps", category=category,
        evidence={"heads": {c.model: c.heads if c.measured else None for c in cells}},
    )


def too_few(cmp: ModelComparison, category: str) -> Observation | None:
    """A category has heads, but too few in most models to compare where they sit."""
    cells = [c for c in cmp.for_category(category) if c.heads]
    few = [c for c in cells if c.heads < MIN_HEADS]
    if not few or len(cells) - len(few) >= 2:
        return None
    text = (f"{category} heads are too few to compare where they sit: "
            f"{join([f'{c.model} has {c.heads}' for c in few])} (at least {MIN_HEADS} per model are needed).")
    return Observation(
        id=f"{slug(category)}-too-few", kind="sparsity", text=text, figure="model-heatmaps", category=category,
        evidence={"heads": {c.model: c.heads for c in cells}, "min_heads": MIN_HEADS},
    )


def share_contrast(cmp: ModelComparison, category: str) -> Observation | None:
    """A category is a clearly larger share of heads in one model than in another."""
    cells = [c for c in cmp.for_category(category) if c.heads]
    if len(cells) < 2:
        return None
    high = max(cells, key=lambda c: c.share_of_heads)
    low = min(cells, key=lambda c: c.share_of_heads)
    hm, lm = model_of(cmp, high.slug), model_of(cmp, low.slug)
    ratio = high.share_of_heads / low.share_of_heads
    p_value = two_proportion_p(high.heads, hm.heads, low.heads, lm.heads)
    if ratio < MIN_RATIO or p_value >= ALPHA:
        return None
    edge = ratio < MIN_RATIO * (1 + BORDERLINE_RATIO) or borderline_p(p_value)
    times = f"{number(ratio)} times as large" + (
        f", borderline: the cut is {MIN_RATIO:g} times at p < {ALPHA:g} (here p = {p_value:.2g})" if edge else "")
    text = (f"{category} heads are a larger share of {high.model} ({percent(high.heads, hm.heads)}, "
            f"{high.heads:,} of {hm.heads:,} heads) than of {low.model} ({percent(low.heads, lm.heads)}, "
            f"{low.heads:,} of {lm.heads:,}): {times}.")
    return Observation(
        id=f"{slug(category)}-share", kind="comparison", text=text, figure="model-heatmaps", category=category,
        evidence={"high": high.model, "low": low.model, "ratio": round(ratio, 4), "p_value": round(p_value, 6),
                  "borderline": edge},
    )


def model_of(cmp: ModelComparison, model_slug: str):
    """The ModelRow with this slug."""
    return next(m for m in cmp.models if m.slug == model_slug)


def unclassified_range(cmp: ModelComparison) -> Observation | None:
    """How the share of heads in no category ranges over the models."""
    if len(cmp.models) < 2:
        return None
    share = {m.name: m.unclassified / m.heads for m in cmp.models}
    low = min(cmp.models, key=lambda m: share[m.name])
    high = max(cmp.models, key=lambda m: share[m.name])
    text = (f"The share of heads in no category ranges from {percent(low.unclassified, low.heads)} in {low.name} "
            f"({low.unclassified:,} of {low.heads:,}) to {percent(high.unclassified, high.heads)} in {high.name} "
            f"({high.unclassified:,} of {high.heads:,}).")
    return Observation(
        id="unclassified-range", kind="unclassified", text=text, figure="model-heatmaps",
        evidence={"share_of_heads": {k: round(v, 4) for k, v in share.items()}},
    )


def multi_category_range(cmp: ModelComparison) -> Observation | None:
    """How many of each model's classified heads belong to two or more categories (the model pages' denominator)."""
    models = [m for m in cmp.models if m.classified]
    if len(models) < 2 or len(cmp.categories) < 2:
        return None
    share = {m.name: m.multi_category / m.classified for m in models}
    low = min(models, key=lambda m: share[m.name])
    high = max(models, key=lambda m: share[m.name])
    lead = ("Few classified heads belong to two or more categories in any model"
            if share[high.name] < FEW_MULTI and all(m.classified >= MIN_HEADS for m in models) else
            "Many classified heads belong to two or more categories in every model"
            if share[low.name] >= MANY_MULTI and all(m.classified >= MIN_HEADS for m in models) else
            "The share of classified heads in two or more categories ranges")
    lead += "" if lead.endswith("ranges") else ":"
    text = (f"{lead} from {low.multi_category:,} of {low.classified:,} ({percent(low.multi_category, low.classified)}) "
            f"in {low.name} to {high.multi_category:,} of {high.classified:,} "
            f"({percent(high.multi_category, high.classified)}) in {high.name}.")
    return Observation(
        id="multi-category-range", kind="overlap", text=text, figure="model-heatmaps",
        evidence={"share_of_classified": {k: round(v, 4) for k, v in share.items()}},
    )

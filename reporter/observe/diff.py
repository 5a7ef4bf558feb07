"""Observe a diff: how much two runs agree and where their memberships change -> list[Observation]."""

from __future__ import annotations

import numpy as np

from ..analysis.across_models import mann_whitney_p
from ..analysis.diff import CategoryDiff, Diff, changes_by_layer
from .categories import Observation, slug
from .wording import heads, join, percent
from ..analysis.summarize import core_window
from ..rules import ALPHA, MIN_CHANGES, MIN_SHIFT



def observe_diff(diff: Diff) -> list[Observation]:
    """Agreement first, then per category, then where the changes sit."""
    found = [agreement(diff)]
    found += [category_agreement(diff, c) for c in diff.categories if c.heads_a or c.heads_b]
    found.append(where(diff, None))
    # A category holding every change would repeat the sentence about all of them.
    found += [where(diff, c) for c in diff.categories if 0 < c.changed < diff.totals.gained + diff.totals.lost]
    found += [shift(diff, c) for c in diff.categories]
    return [o for o in found if o is not None]


def agreement(diff: Diff) -> Observation:
    """How many memberships the runs share, over all categories."""
    t = diff.totals
    if not t.gained and not t.lost:
        text = f"{diff.label_a} and {diff.label_b} have the same {t.kept:,} memberships: nothing changed."
    else:
        text = (f"{diff.label_b} keeps {t.kept:,} of the {t.memberships_a:,} memberships of {diff.label_a}, "
                f"gains {t.gained:,} and loses {t.lost:,} (Jaccard {t.jaccard:.2f} over all memberships).")
    return Observation(
        id="agreement", kind="comparison", text=text, figure="changes",
        evidence={"kept": t.kept, "gained": t.gained, "lost": t.lost,
                  "jaccard": None if t.jaccard is None else round(t.jaccard, 4)},
    )


def category_agreement(diff: Diff, c: CategoryDiff) -> Observation:
    """One category's kept, gained and lost heads and its Jaccard index."""
    if not c.changed:
        text = f"{c.name} heads are the same in both runs ({heads(c.kept)})."
    else:
        text = (f"{c.name}: {heads(c.kept)} in both runs, {c.gained:,} gained and {c.lost:,} lost "
                f"({c.heads_a:,} → {c.heads_b:,} heads; Jaccard {c.jaccard:.2f}).")
    return Observation(
        id=f"{slug(c.name)}-agreement", kind="comparison", text=text, figure="changes", category=c.name,
        evidence={"kept": c.kept, "gained": c.gained, "lost": c.lost, "jaccard": round(c.jaccard, 4)},
    )


def where(diff: Diff, c: CategoryDiff | None) -> Observation | None:
    """The layers holding the changes: the 80% window and the layer that changes most."""
    per_layer = changes_by_layer(diff, None if c is None else c.name)
    changed = (per_layer["gained"] + per_layer["lost"]).to_numpy()
    total = int(changed.sum())
    if not total:
        return None
    what = "changed" if c is None else f"changed {c.name}"
    what += " membership" if total == 1 else " memberships"
    ident = "changes-where" if c is None else f"{slug(c.name)}-changes-where"
    if total < MIN_CHANGES:
        layers = [str(i) for i in np.flatnonzero(changed)]
        where_text = f"layer {layers[0]}" if len(layers) == 1 else f"layers {join(layers)}"
        verb = "is" if total == 1 else "are"
        text = f"The {total} {what} {verb} too few to find a window; {'it is' if total == 1 else 'they are'} in {where_text}."
        return Observation(id=ident, kind="sparsity", text=text, figure="change-profile",
                           category=None if c is None else c.name, evidence={"changed": total})
    lo, hi = core_window(changed)
    inside = int(changed[lo : hi + 1].sum())
    top = int(np.argmax(changed))
    g, l = int(per_layer["gained"][top]), int(per_layer["lost"][top])
    text = (f"{percent(inside / total)} of the {total:,} {what} are in layers {lo}–{hi} "
            f"({hi - lo + 1} of {diff.n_layers} layers); layer {top} changes most ({g} gained, {l} lost).")
    return Observation(
        id=ident, kind="concentration", text=text, figure="change-profile",
        category=None if c is None else c.name, layers=(lo, hi),
        evidence={"changed": total, "in_window": inside, "top_layer": top, "top_gained": g, "top_lost": l},
    )


def shift(diff: Diff, c: CategoryDiff) -> Observation | None:
    """Gained heads sit clearly earlier or later than lost ones (Mann–Whitney p < ALPHA)."""
    if c.gained < MIN_SHIFT or c.lost < MIN_SHIFT:
        return None
    m = diff.memberships[diff.memberships["category"] == c.name]
    gained = m.loc[m["status"] == "gained", "layer"].to_numpy()
    lost = m.loc[m["status"] == "lost", "layer"].to_numpy()
    p_value = mann_whitney_p(gained, lost)
    mg, ml = float(np.median(gained)), float(np.median(lost))
    if p_value >= ALPHA or mg == ml:
        return None
    direction = "later" if mg > ml else "earlier"
    text = (f"Gained {c.name} heads sit {direction} than lost ones: median layer {mg:g} for the {c.gained} gained "
            f"vs {ml:g} for the {c.lost} lost (Mann–Whitney p = {p_value:.2g}).")
    return Observation(
        id=f"{slug(c.name)}-shift", kind="comparison", text=text, figure="change-profile", category=c.name,
        evidence={"median_gained": mg, "median_lost": ml, "p_value": round(p_value, 6)},
    )

"""Head detail: what the page's per-head panel (head_panel.js) shows, as compact data in the page payload.

Heads are numbered ``layer * n_heads + head``. Per relation: every head's score (null where
none) and the heads the rule kept; per category: its heads. The panel ranks a head among a
relation's scores itself (1 + the heads scoring strictly higher, so tied heads share a rank).
"""

from __future__ import annotations

import numpy as np

from ..analysis.summarize import Summary


def head_detail(summary: Summary) -> dict:
    """The per-head panel's data: shape, KV group size, rule, categories' heads, relations' scores."""
    t = summary.table
    m = t.memberships
    members = {name: sorted(int(i) for i in (m.loc[m["category"] == name, "layer"] * t.n_heads
                                             + m.loc[m["category"] == name, "head"]))
               for name in t.categories}
    kv = summary.kv_heads
    return {"nLayers": t.n_layers, "nHeads": t.n_heads, "rule": t.rule or "categories as given in the table",
            "kvSize": t.n_heads // kv if kv and t.n_heads % kv == 0 else None,
            "categories": list(t.categories), "members": [members[c] for c in t.categories],
            **relation_detail(summary)}


def relation_detail(summary: Summary) -> dict:
    """Each relation's name, categories, every head's score (4 significant digits) and the heads kept."""
    t, s = summary.table, summary.table.scores
    if s is None or s.empty or "relation" not in s.columns:
        return {"relations": [], "relationCategories": [], "scores": [], "kept": []}
    names, cats, scores, kept = [], [], [], []
    for relation, rows in s.groupby("relation", sort=True, observed=True):
        names.append(str(relation))
        cats.append(sorted(set(map(str, rows["category"]))))
        one = rows.drop_duplicates(["layer", "head"])
        index = (one["layer"] * t.n_heads + one["head"]).to_numpy(dtype=np.int64)
        values: list[float | None] = [None] * t.n_total
        for i, v in zip(index.tolist(), one["score"].tolist()):
            values[i] = float(f"{v:.4g}")
        scores.append(values)
        kept.append(sorted(index[one["kept"].to_numpy(dtype=bool)].tolist()) if "kept" in one.columns else [])
    return {"relations": names, "relationCategories": cats, "scores": scores, "kept": kept}

"""Accessible data tables behind each figure: the numbers a screen reader (or a curious reader) needs."""

from __future__ import annotations

from dataclasses import dataclass

from ..charts import Figure
from ..analysis.summarize import Summary


@dataclass(frozen=True)
class DataTable:
    """A plain table: caption, column headers, rows of already formatted cells (first cell is a row header)."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def figure_tables(figure: Figure, summary: Summary) -> tuple[DataTable, ...]:
    """The data tables of a figure; () for a figure without one."""
    slug = figure.slug
    if slug == "heatmaps":
        return (heads_by_layer(summary),)
    if slug == "layer-profile":
        return (profile_table(summary),)
    if slug == "overlap":
        return (pair_table(summary), intersection_table(summary))
    if slug == "kv-groups":
        return (kv_table(figure),)
    return ()


def heads_by_layer(summary: Summary) -> DataTable:
    """Per layer with classified heads: the head indexes of each category."""
    names = summary.table.categories
    m = summary.table.memberships.sort_values(["layer", "head"], kind="stable")
    cells: dict[tuple[int, str], list[str]] = {}  # (layer, category) -> its heads, ascending
    for layer, head, name in zip(m["layer"].tolist(), m["head"].tolist(), m["category"].tolist()):
        cells.setdefault((layer, name), []).append(str(head))
    layers = sorted({layer for layer, _ in cells})
    rows = [(str(layer),) + tuple(", ".join(cells.get((layer, name), ())) or "–" for name in names) for layer in layers]
    caption = (f"Heads of each category, per layer (layers with no classified head are left out; "
               f"{summary.totals.unclassified:,} of {summary.totals.heads:,} heads are unclassified).")
    return DataTable(caption, ("layer",) + tuple(names), tuple(rows))


def profile_table(summary: Summary) -> DataTable:
    """Heads per layer for each category, layers with at least one head."""
    p = summary.profile.pivot(index="layer", columns="category", values="heads")
    names = summary.table.categories
    p = p[list(names)] if len(names) else p
    p = p[p.sum(axis=1) > 0]
    rows = tuple((str(int(layer)),) + tuple(str(int(v)) for v in values) for layer, values in zip(p.index, p.to_numpy()))
    cores = "; ".join(f"{c.name} {c.core_layers[0]}–{c.core_layers[1]}" for c in summary.categories if c.core_layers)
    return DataTable(f"Heads per layer (layers with none left out). Core windows: {cores or 'none'}.",
                     ("layer",) + tuple(names), rows)


def pair_table(summary: Summary) -> DataTable:
    """Shared heads and Jaccard index for every pair; the diagonal is the category's size."""
    pairs = {}
    for o in summary.overlaps:
        pairs[o.categories] = pairs[o.categories[::-1]] = f"{o.heads} (J = {o.jaccard:.3f})"
    names = summary.table.categories
    rows = tuple(
        (a,) + tuple(f"{summary.category(a).heads} heads" if a == b else pairs[(a, b)] for b in names) for a in names
    )
    return DataTable("Heads shared by each pair of categories, with the Jaccard index J.", ("category",) + names, rows)


def intersection_table(summary: Summary) -> DataTable:
    """Heads per exact combination of two or more categories."""
    rows = tuple((" + ".join(i.categories), str(i.heads)) for i in summary.intersections)
    return DataTable("Heads in exactly these categories (combinations of two or more).", ("categories", "heads"), rows)


def kv_table(figure: Figure) -> DataTable:
    """Per tested category: same-layer, same-group pairs against chance, and the permutation p-value."""
    rows = tuple(
        (r["category"], str(r["pairs"]), f"{r['expected']:.1f}", f"{r['p_value']:.3g}")
        for r in figure.datasets["kv_clustering"]
    )
    return DataTable("Pairs of same-category heads in one layer and one KV group, against shuffles of heads within "
                     "layers (categories with too few heads are not tested).",
                     ("category", "same-group pairs", "by chance", "p"), rows)

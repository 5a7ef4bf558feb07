"""Diff: two runs of the same model shape -> memberships gained, lost and kept (pure pandas/numpy)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from ..palette import colors_for
from .summarize import core_window
from ..input.table import HeadTable

STATUSES = ("gained", "lost", "kept")  # of a (head, category) membership, from run A to run B
HEAD_STATUSES = ("gained", "lost", "changed", "kept")  # of a head's whole set of categories
STATUS_COLORS = {"gained": "#1a7f37", "lost": "#cf222e", "changed": "#bf8700", "kept": "#6f8fb8"}


@dataclass(frozen=True)
class CategoryDiff:
    """One category in both runs: heads in each, kept, gained, lost, Jaccard, where the changes sit."""

    name: str
    color: str
    heads_a: int
    heads_b: int
    kept: int
    gained: int
    lost: int
    jaccard: float | None
    changed_window: tuple[int, int] | None
    changed_window_share: float | None

    @property
    def changed(self) -> int:
        """Memberships gained or lost."""
        return self.gained + self.lost


@dataclass(frozen=True)
class DiffTotals:
    """Memberships and heads over all categories."""

    memberships_a: int
    memberships_b: int
    kept: int
    gained: int
    lost: int
    jaccard: float | None
    heads: dict[str, int]


@dataclass(frozen=True, eq=False)
class Diff:
    """Run A against run B.

    ``memberships`` has one row per (layer, head, category) in either run with
    its ``status``; ``heads`` one row per head classified in either run with
    ``categories_a``, ``categories_b`` and its head-level ``status``.
    """

    a: HeadTable
    b: HeadTable
    label_a: str
    label_b: str
    categories: tuple[CategoryDiff, ...]
    totals: DiffTotals
    memberships: pd.DataFrame
    heads: pd.DataFrame
    colors: dict[str, str]

    @property
    def n_layers(self) -> int:
        """Layers of the (shared) model shape."""
        return self.a.n_layers

    @property
    def n_heads(self) -> int:
        """Heads per layer of the (shared) model shape."""
        return self.a.n_heads

    def category(self, name: str) -> CategoryDiff:
        """One category's diff by name."""
        return next(c for c in self.categories if c.name == name)


def check_same_shape(a: HeadTable, b: HeadTable, label_a: str, label_b: str) -> None:
    """Two runs can only be compared head by head when their model shapes match."""
    if (a.n_layers, a.n_heads) != (b.n_layers, b.n_heads):
        raise InputError(
            f"{label_a} is {a.n_layers}x{a.n_heads} but {label_b} is {b.n_layers}x{b.n_heads}; "
            f"diff compares two runs of the same model shape (pass --layers/--heads if a shape was inferred)"
        )


def diff_tables(a: HeadTable, b: HeadTable, label_a: str = "A", label_b: str = "B") -> Diff:
    """Compare two runs that share a model shape and a category order."""
    check_same_shape(a, b, label_a, label_b)
    memberships = membership_status(a, b)
    colors = colors_for(a.categories)
    cats = tuple(category_diff(memberships, name, colors[name], a.n_layers) for name in a.categories)
    heads = head_status(a, b)
    return Diff(a, b, label_a, label_b, cats, totals(memberships, heads), memberships, heads, colors)


def membership_status(a: HeadTable, b: HeadTable) -> pd.DataFrame:
    """Every (layer, head, category) of either run, marked gained, lost or kept."""
    keys = ["layer", "head", "category"]
    merged = a.memberships[keys].merge(b.memberships[keys], on=keys, how="outer", indicator=True)
    status = merged["_merge"].map({"both": "kept", "left_only": "lost", "right_only": "gained"}).astype(str)
    out = merged[keys].assign(status=status)
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def head_sets(table: HeadTable) -> pd.Series:
    """Each classified head's categories in panel order, joined by ", "."""
    rank = {name: i for i, name in enumerate(table.categories)}
    m = table.memberships.assign(rank=table.memberships["category"].map(rank)).sort_values(["layer", "head", "rank"])
    return m.groupby(["layer", "head"], sort=True)["category"].agg(", ".join)


def head_status(a: HeadTable, b: HeadTable) -> pd.DataFrame:
    """Every head classified in either run: its categories in each and whether they changed."""
    both = pd.concat([head_sets(a).rename("categories_a"), head_sets(b).rename("categories_b")], axis=1)
    both = both.fillna("").reset_index()
    ca, cb = both["categories_a"], both["categories_b"]
    status = np.select([ca == "", cb == "", ca == cb], ["gained", "lost", "kept"], default="changed")
    out = both.assign(status=status)
    out = out.astype({"layer": "int64", "head": "int64"})
    return out.sort_values(["layer", "head"], kind="stable").reset_index(drop=True)


def category_diff(memberships: pd.DataFrame, name: str, color: str, n_layers: int) -> CategoryDiff:
    """Counts, Jaccard and the layer window holding 80% of one category's changes."""
    m = memberships[memberships["category"] == name]
    counts = m["status"].value_counts()
    kept, gained, lost = (int(counts.get(s, 0)) for s in ("kept", "gained", "lost"))
    union = kept + gained + lost
    changed_layers = m.loc[m["status"] != "kept", "layer"].to_numpy()
    window, share = None, None
    if len(changed_layers):
        hist = np.bincount(changed_layers, minlength=n_layers)
        window = core_window(hist)
        share = float(hist[window[0] : window[1] + 1].sum() / len(changed_layers))
    return CategoryDiff(
        name=name, color=color, heads_a=kept + lost, heads_b=kept + gained, kept=kept, gained=gained, lost=lost,
        jaccard=kept / union if union else None, changed_window=window, changed_window_share=share,
    )


def totals(memberships: pd.DataFrame, heads: pd.DataFrame) -> DiffTotals:
    """Membership counts over all categories and head counts per head-level status."""
    counts = memberships["status"].value_counts()
    kept, gained, lost = (int(counts.get(s, 0)) for s in ("kept", "gained", "lost"))
    union = kept + gained + lost
    head_counts = heads["status"].value_counts()
    return DiffTotals(
        memberships_a=kept + lost, memberships_b=kept + gained, kept=kept, gained=gained, lost=lost,
        jaccard=kept / union if union else None,
        heads={s: int(head_counts.get(s, 0)) for s in HEAD_STATUSES},
    )


def changes_by_layer(diff: Diff, category: str | None = None) -> pd.DataFrame:
    """Gained and lost memberships per layer (every layer, zeros included), for one category or all."""
    m = diff.memberships if category is None else diff.memberships[diff.memberships["category"] == category]
    rows = {}
    for status in ("gained", "lost"):
        layers = m.loc[m["status"] == status, "layer"].to_numpy()
        rows[status] = np.bincount(layers, minlength=diff.n_layers) if len(layers) else np.zeros(diff.n_layers, "int64")
    return pd.DataFrame({"layer": np.arange(diff.n_layers), **rows}).astype("int64")

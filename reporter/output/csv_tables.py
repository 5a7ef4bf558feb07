"""CSV tables: data/heads.csv of a report and data/changes.csv of a diff."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..analysis.diff import Diff
from ..analysis.summarize import Summary


def heads_csv(stats: Summary) -> str:
    """Every head of the model, classified or not: layer, head, categories, n_categories, label."""
    t = stats.table
    grid = pd.DataFrame(
        {
            "layer": np.repeat(np.arange(t.n_layers, dtype="int64"), t.n_heads),
            "head": np.tile(np.arange(t.n_heads, dtype="int64"), t.n_layers),
        }
    )
    merged = grid.merge(stats.heads, on=["layer", "head"], how="left")
    merged["categories"] = merged["categories"].fillna("")
    merged["n_categories"] = merged["n_categories"].fillna(0).astype("int64")
    merged["label"] = merged["label"].fillna("Unclassified")
    return merged[["layer", "head", "categories", "n_categories", "label"]].to_csv(index=False, lineterminator="\n")


def changes_csv(diff: Diff) -> str:
    """Every (layer, head, category) in either run with its status: gained, lost or kept."""
    return diff.memberships[["layer", "head", "category", "status"]].to_csv(index=False, lineterminator="\n")

"""A scores table with repeated rows for the engine and dataset tests, and how to compare two reports."""

from __future__ import annotations

import numpy as np
import pandas as pd

import reporter
from reporter.output.summary_json import dumps

RELATIONS = {"capital_of": "Knowledge", "plural_of": "Linguistic", "successor": "Algorithmic",
             "translate_fr": "Translation", "antonym": "Linguistic"}


def score_rows(seed: int = 5, n_layers: int = 8, n_heads: int = 6, prompts: int = 4) -> pd.DataFrame:
    """Two models x heads x relations x prompts rows; scores are multiples of 1/64, so every engine's mean is exact.

    Some scores are missing (NaN), as from a prompt that failed; relation names carry stray spaces.
    """
    rng = np.random.default_rng(seed)
    parts = []
    for model in ("model-a", "model-b"):
        for relation, category in RELATIONS.items():
            n = n_layers * n_heads * prompts
            parts.append(pd.DataFrame({
                "model": model,
                "layer": np.tile(np.repeat(np.arange(n_layers), n_heads), prompts),
                "head": np.tile(np.arange(n_heads), n_layers * prompts),
                "prompt": np.repeat(np.arange(prompts), n_layers * n_heads),
                "relation": f" {relation}" if relation == "antonym" else relation,
                "category": category,
                "score": rng.integers(0, 64, n) / 64,
            }))
    frame = pd.concat(parts, ignore_index=True)
    frame.loc[rng.choice(len(frame), 7, replace=False), "score"] = np.nan
    return frame


def summary_of(table: object, **options: object) -> str:
    """The summary.json text of a report built from ``table``."""
    return dumps(reporter.build(table, formats="", **options).summary)

"""Models: which models a table holds, and the rows of the one asked for."""

from __future__ import annotations

import pandas as pd

from ...errors import UsageError, listed


def models_in(frame: pd.DataFrame) -> tuple[str, ...]:
    """The distinct model names of a (normalized) table, sorted; empty without a ``model`` column."""
    if "model" not in frame.columns:
        return ()
    return tuple(sorted({str(m) for m in frame["model"].dropna().unique()}))


def match_model(models: tuple[str, ...], wanted: str) -> str | None:
    """The table's model named ``wanted``: exactly, else ignoring case, else ignoring the org prefix."""
    if wanted in models:
        return wanted
    for key in (str.lower, lambda name: name.lower().rsplit("/", 1)[-1]):
        hits = [m for m in models if key(m) == key(wanted)]
        if len(hits) == 1:
            return hits[0]
    return None


def select_model(frame: pd.DataFrame, model: str | None) -> tuple[pd.DataFrame, str | None]:
    """The rows of one model and its name; several models need ``--model``."""
    models = models_in(frame)
    if model is None:
        if len(models) > 1:
            raise UsageError(f"the table holds {len(models)} models ({listed(models)}); choose one with --model NAME")
        return frame, (models[0] if models else None)
    if len(models) <= 1:
        return frame, model  # --model names the model the table holds
    found = match_model(models, model)
    if found is None:
        raise UsageError(f"--model {model!r} is not in the table; it holds: {listed(models)}")
    return frame[frame["model"].astype(str) == found], found

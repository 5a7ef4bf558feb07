"""Columns: canonical column names and validated index / name columns.

Checks come in pairs: ``*_problems`` returns every problem as a one-line
message (for ``reporter inspect``), and the converter raises the first one.
"""

from __future__ import annotations

import datetime
import difflib

import numpy as np
import pandas as pd

from ...errors import InputError, listed

ALIASES = {
    "layer": ("layer", "layer_idx", "layer_index", "layer_id"),
    "head": ("head", "head_idx", "head_index", "head_id_in_layer"),
    "head_id": ("head_id", "headid", "head_name"),
    "category": ("category", "categories", "label", "class"),
    "relation": ("relation", "task", "relation_name"),
    "model": ("model", "model_name"),
}


def normalize_columns(frame: pd.DataFrame, score_column: str = "score") -> pd.DataFrame:
    """Map known column names and aliases, in any case, to canonical names.

    Other columns keep their spelling: wide-shape category names come from them.
    """
    lowered = {str(c).strip().lower(): c for c in reversed(list(frame.columns))}
    renames: dict[object, str] = {}
    for canonical, aliases in {**ALIASES, "score": (score_column.strip().lower(),)}.items():
        found = next((lowered[a] for a in aliases if a in lowered), None)
        if found is not None and found not in renames:
            renames[found] = canonical
    # A column already holding a canonical name must not be shadowed by an alias.
    taken = set(renames.values())
    keep = {c: c for c in frame.columns if c not in renames and str(c) in taken}
    frame = frame.rename(columns={**renames, **{c: f"{c} (original)" for c in keep}})
    frame.columns = [str(c) for c in frame.columns]
    return frame


def missing_column(frame: pd.DataFrame, name: str, hint: str = "") -> str:
    """The message for a missing column: what was found and the closest match."""
    found = [str(c) for c in frame.columns]
    close = difflib.get_close_matches(name, found, n=1, cutoff=0.5)
    suggestion = f"; did you mean {close[0]!r}?" if close else ""
    return f"missing column {name!r} (found: {listed(found) or 'none'}){suggestion}{hint}"


def index_problems(column: pd.Series, name: str) -> list[str]:
    """Every reason ``column`` is not a column of 0-based whole-number indexes."""
    problems = []
    missing = column.isna().to_numpy()
    if missing.any():
        problems.append(f"column {name!r} has a missing value (row {int(np.flatnonzero(missing)[0])}); fill or drop that row")
    present = column[~missing]
    # True/False are not indexes, although pandas would read them as 1/0; nor are dates (nanoseconds
    # to pandas) or complex numbers (whose imaginary part float64 would drop).
    refused = not_numbers(present)
    numeric = (pd.Series(np.nan, index=present.index) if refused.all()
               else pd.to_numeric(present.mask(refused), errors="coerce"))
    if numeric.isna().any():
        bad = plain(present[numeric.isna().to_numpy()].iloc[0])
        problems.append(f"column {name!r} holds {bad!r}, not a whole number; {name} indexes are 0-based integers")
        numeric = numeric.dropna()
    values = numeric.to_numpy(dtype="float64")
    whole = np.isfinite(values) & (values == np.round(values))
    if not whole.all():
        problems.append(f"column {name!r} holds {float(values[~whole][0])!r}, not a whole number; {name} indexes are 0-based integers")
    if (values[whole] < 0).any():
        problems.append(f"column {name!r} holds {int(values[whole].min())}; {name} indexes are 0-based, so not negative")
    if (values[whole] >= 2.0**63).any():  # would wrap around in int64
        problems.append(f"column {name!r} holds a number too large to be an index; fix that column")
    return problems


def plain(value: object) -> object:
    """A numpy scalar as the Python value it holds, so messages read ``1.5``, not ``np.float64(1.5)``."""
    return value.item() if isinstance(value, np.generic) else value


def not_numbers(column: pd.Series) -> np.ndarray:
    """Where ``column`` holds a boolean, a date, a duration or a complex number: values pandas would turn into numbers."""
    if column.dtype.kind in "bcmM":
        return np.ones(len(column), dtype=bool)
    if column.dtype.kind != "O":
        return np.zeros(len(column), dtype=bool)
    kinds = (bool, np.bool_, complex, np.complexfloating, datetime.date, datetime.timedelta, np.datetime64,
             np.timedelta64)
    return np.fromiter((isinstance(v, kinds) for v in column), dtype=bool, count=len(column))


def as_index(column: pd.Series, name: str) -> pd.Series:
    """A validated layer/head column as int64 (raises on the first problem)."""
    problems = index_problems(column, name)
    if problems:
        raise InputError(problems[0])
    return pd.Series(pd.to_numeric(column).to_numpy(dtype="float64").astype("int64"), index=column.index)


def name_problems(column: pd.Series, name: str) -> list[str]:
    """Every reason ``column`` is not a column of non-empty names."""
    problems = []
    missing = column.isna().to_numpy()
    if missing.any():
        problems.append(f"column {name!r} has a missing value (row {int(np.flatnonzero(missing)[0])}); fill or drop that row")
    if (column[~missing].astype(str).str.strip() == "").any():
        problems.append(f"column {name!r} has an empty name; give every row a {name}")
    return problems


def as_names(column: pd.Series, name: str) -> pd.Series:
    """A validated name column (category, relation) as stripped text."""
    problems = name_problems(column, name)
    if problems:
        raise InputError(problems[0])
    return column.astype(str).str.strip()


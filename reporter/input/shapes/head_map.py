"""Head maps: objects keyed by head id (JSON files, Python dicts) -> a tidy frame.

``{head_id: value}`` is one category, its value a score, a list of scores (rows
combined with ``aggregate``) or a boolean; ``{category: {head_id: value}}``,
``{category: [head ids]}`` and ``{category: array}`` name several. Head ids are
every spelling of the head-id shape (``L12H5``, ``12.5``, ``12-5``, ``(12, 5)``)
or a (layer, head) pair.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ...errors import InputError
from .columns import ALIASES
from .matrix import combine, matrix_frame
from .shapes import HEAD_ID, parse_head_ids

COLUMN_NAMES = {alias for aliases in ALIASES.values() for alias in aliases} | {"score"}


def head_map_frame(document: object, name: str | None, where: str) -> pd.DataFrame | None:
    """The tidy frame of a head map, or None when ``document`` is not one (a table in JSON, say)."""
    if not isinstance(document, Mapping) or not document:
        return None
    if all(is_head_key(k) for k in document):
        return single_map(document, named(name, where), where)
    if any(str(k).strip().lower() in COLUMN_NAMES for k in document):
        return None  # an object of columns: {"layer": [...], "head": [...], ...}
    values = list(document.values())
    if all(isinstance(v, Mapping) and v and all(is_head_key(k) for k in v) for v in values):
        return combine([single_map(v, str(k), f"{where}[{k!r}]") for k, v in document.items()], where)
    if all(is_array(v) for v in values):
        return combine([matrix_frame(v, [str(k)], f"{where}[{k!r}]") for k, v in document.items()], where)
    if all(is_head_list(v) for v in values):
        return head_lists(document)
    return None


def named(name: str | None, where: str, what: str = "a map of head ids") -> str:
    """The category of a single-category input: the name given, else a problem saying how to give one."""
    if name is None or not str(name).strip():
        raise InputError(f"{where}: {what} is one category; name it with --category NAME")
    return str(name).strip()


def is_head_key(key: object) -> bool:
    """A head id in any accepted spelling (not a bare number: 125 is ambiguous) or a (layer, head) pair."""
    if isinstance(key, tuple):
        return len(key) == 2 and all(isinstance(v, numbers.Integral) and v >= 0 for v in key)
    text = str(key)
    return isinstance(key, str) and HEAD_ID.match(text) is not None and not text.strip().isdigit()


def is_head_list(value: object) -> bool:
    """A list of head ids or of [layer, head] pairs."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        return False
    return all(is_head_key(tuple(v) if isinstance(v, list) else v) for v in value)


def is_array(value: object) -> bool:
    """An array-like of two or more dimensions (numpy, or anything with ``__array__``)."""
    return hasattr(value, "__array__") and np.ndim(value) >= 2


def heads_of_keys(keys: list) -> pd.DataFrame:
    """Layer and head of each head key."""
    if all(isinstance(k, tuple) for k in keys):
        return pd.DataFrame(keys, columns=["layer", "head"], dtype=object)  # checked as indexes later (10**30, True)
    return parse_head_ids(pd.Series([str(k) if not isinstance(k, tuple) else f"{k[0]}-{k[1]}" for k in keys]))


def single_map(mapping: Mapping, name: str, where: str) -> pd.DataFrame:
    """One category: booleans are memberships, numbers or lists of numbers are scores."""
    keys, values = list(mapping), list(mapping.values())
    heads = heads_of_keys(keys)
    if all(isinstance(v, (bool, np.bool_)) for v in values):
        return heads.assign(category=name, member=np.array(values, dtype=bool))
    counts = [len(v) if is_list(v) else 1 for v in values]
    flat = [x for v in values for x in (v if is_list(v) else [v])]
    if not all(x is None or (isinstance(x, numbers.Real) and not isinstance(x, bool)) for x in flat):
        bad = next(v for v in values if not all(is_number_or_none(x) for x in (v if is_list(v) else [v])))
        raise InputError(f"{where}: the value {bad!r} is not a score, a list of scores or true/false; "
                         "give one kind of value per head")
    rows = heads.loc[heads.index.repeat(counts)].reset_index(drop=True)
    score = np.array([np.nan if x is None else float(x) for x in flat], dtype="float64")
    return rows.assign(relation=name, category=name, score=score)


def is_list(value: object) -> bool:
    """A list of values (not text)."""
    return isinstance(value, (list, tuple)) or (hasattr(value, "__array__") and np.ndim(value) == 1)


def is_number_or_none(value: object) -> bool:
    """A score or a missing score."""
    return value is None or (isinstance(value, numbers.Real) and not isinstance(value, bool))


def head_lists(document: Mapping) -> pd.DataFrame:
    """``{category: [head ids]}`` as a long table."""
    parts = []
    for category, ids in document.items():
        keys = [tuple(v) if isinstance(v, list) else v for v in ids]
        parts.append(heads_of_keys(keys).assign(category=str(category)) if keys else None)
    parts = [p for p in parts if p is not None]
    if not parts:
        raise InputError("every category lists no heads; give at least one head id")
    return pd.concat(parts, ignore_index=True)

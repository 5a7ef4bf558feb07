"""Shapes: memberships from a long, wide or head-id table (scores live in scores.py).

registry.py says which shape a table has; ``head_index_problems`` and
``heads_of`` resolve layer/head from ``layer``+``head`` or ``head_id``;
``long_memberships`` and ``wide_memberships`` produce a Parsed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .columns import as_index, as_names, index_problems, missing_column, name_problems, plain
from ...errors import InputError, listed

log = logging.getLogger(__name__)

# Columns that are never a wide-shape category.
RESERVED = {"layer", "head", "head_id", "model", "score", "category", "relation", "template", "prompt", "member"}
# Layer and head need something between them (a separator or H): "L10" could be L1H0 or layer 10.
HEAD_ID = re.compile(
    r"^\s*[(\[]?\s*L?\s*(\d+)(?:\s*[-.,:_/]\s*H?|\s*H|\s+H?)\s*(\d+)\s*[)\]]?\s*$", re.IGNORECASE
)
SHAPE_HINT = (
    "; give layer, head, category columns (long), one true/false column per category (wide), "
    "or relation and score columns (scores)"
)


@dataclass(frozen=True, eq=False)
class Parsed:
    """Memberships read from one table, before the model shape is known.

    ``extent`` holds every (layer, head) the table mentions, members or not,
    so the shape can be inferred and checked even when few heads are members.
    """

    shape: str
    memberships: pd.DataFrame
    categories: tuple[str, ...]
    extent: pd.DataFrame
    scores: pd.DataFrame | None = None
    rule: str | None = None
    rule_spec: dict | None = None
    warnings: tuple[str, ...] = field(default=())
    ordered: bool = True  # whether ``categories`` is in an order the input gives (input/order.py)


def head_index_problems(frame: pd.DataFrame) -> list[str]:
    """Every problem with the layer/head or head_id columns (including the two disagreeing)."""
    has_pair = "layer" in frame.columns and "head" in frame.columns
    if "head_id" not in frame.columns:
        missing = [missing_column(frame, name, SHAPE_HINT) for name in ("layer", "head") if name not in frame.columns]
        return missing or pair_problems(frame)
    problems = [numeric_head_ids(frame["head_id"])] if is_numeric_ids(frame["head_id"]) else [
        f"row {row}: head_id {value!r} is not a head id; write L12H5, L12-H5, 12.5, 12-5 or (12, 5)"
        for row, value in bad_head_ids(frame["head_id"])[:1]
    ]
    if has_pair:
        problems += pair_problems(frame)
        if not problems:
            problems += head_id_disagreements(frame)
    return problems


def is_numeric_ids(column: pd.Series) -> bool:
    """A head_id column of numbers: read from text that said 12.5 as the number 12.5 (pandas' default)."""
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column) and not column.isna().all()


def numeric_head_ids(column: pd.Series) -> str:
    """Why a head_id column of numbers cannot be read, and the fix."""
    value = plain(column.dropna().iloc[0])
    return (f"column 'head_id' holds numbers (such as {value!r}), not text: as numbers 10.10 and 10.1 are the same, "
            "so which head is meant cannot be told; read that column as text (pd.read_csv(..., "
            "dtype={'head_id': str})) or give layer and head columns")


def pair_problems(frame: pd.DataFrame) -> list[str]:
    """Problems of the layer and head columns."""
    return index_problems(frame["layer"], "layer") + index_problems(frame["head"], "head")


def heads_of(frame: pd.DataFrame) -> pd.DataFrame:
    """Validated int64 layer and head for every row (from layer/head, else head_id)."""
    problems = head_index_problems(frame)
    if problems:
        raise InputError(problems[0])
    if "layer" in frame.columns and "head" in frame.columns:
        return pd.DataFrame({"layer": as_index(frame["layer"], "layer"), "head": as_index(frame["head"], "head")})
    return parse_head_ids(frame["head_id"])


def bad_head_ids(column: pd.Series) -> list[tuple[int, object]]:
    """(row, value) of every head id that does not parse; numbers are ambiguous (12.10 vs 12.1)."""
    if pd.api.types.is_numeric_dtype(column) and not column.isna().all():
        return [(0, plain(column.iloc[0]))]
    text = column.astype("string")
    ok = text.str.fullmatch(HEAD_ID.pattern, case=False).fillna(False).to_numpy(dtype=bool)
    rows = np.flatnonzero(~ok)
    return [(int(r), plain(column.iloc[r])) for r in rows]


def parse_head_ids(column: pd.Series) -> pd.DataFrame:
    """Layer and head from head ids such as ``L12H5``, ``L12-H5``, ``12.5``, ``12-5``, ``(12, 5)``."""
    parts = column.astype("string").str.extract(HEAD_ID.pattern, flags=re.IGNORECASE)
    if (parts[0].str.len() > 18).any() or (parts[1].str.len() > 18).any():  # beyond int64
        raise InputError("column 'head_id' holds a number too large to be an index; fix that column")
    return pd.DataFrame(
        {"layer": parts[0].astype("int64").to_numpy(), "head": parts[1].astype("int64").to_numpy()},
        index=column.index,
    )


def head_id_disagreements(frame: pd.DataFrame) -> list[str]:
    """A problem when head_id and layer/head name different heads in some row."""
    parsed = parse_head_ids(frame["head_id"])
    layer = pd.to_numeric(frame["layer"]).to_numpy()
    head = pd.to_numeric(frame["head"]).to_numpy()
    differ = np.flatnonzero((parsed["layer"].to_numpy() != layer) | (parsed["head"].to_numpy() != head))
    if len(differ) == 0:
        return []
    r = int(differ[0])
    return [
        f"row {r}: head_id {frame['head_id'].iloc[r]!r} disagrees with layer {layer[r]:g}, head {head[r]:g} "
        f"({len(differ)} rows disagree); drop one of the two or fix the table"
    ]


def long_memberships(frame: pd.DataFrame) -> Parsed:
    """Memberships from the long shape: one row per (layer, head, category).

    An optional true/false ``member`` column (what a dense membership matrix
    becomes) keeps only its true rows; the false rows still name the heads and
    categories the input covers, so a category with no member stays in.
    """
    problems = long_problems(frame)
    if problems:
        raise InputError(problems[0])
    heads = heads_of(frame)
    out = heads.assign(category=as_names(frame["category"], "category"))
    categories = tuple(pd.unique(out["category"]))  # first appearance: the input's order
    if "member" in frame.columns:
        keep = flag_values(frame["member"]).to_numpy()
        frame, out = frame[keep], out[keep]
    memberships, warnings = collapse_duplicates(out)
    return Parsed("long", memberships, categories, heads, scores=given_scores(frame, out), warnings=warnings)


def long_problems(frame: pd.DataFrame) -> list[str]:
    """Every problem of a long-shape table."""
    problems = head_index_problems(frame) + name_problems(frame["category"], "category")
    if "member" in frame.columns and flag_values(frame["member"]) is None:
        problems.append("column 'member' must hold only true/false or 0/1; fix its values")
    return problems


def given_scores(frame: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame | None:
    """The ``score`` column of a long table, averaged per (layer, head, category), for tooltips."""
    if "score" not in frame.columns:
        return None
    score = pd.to_numeric(frame["score"], errors="coerce")
    scored = rows.assign(score=score.to_numpy()).dropna(subset=["score"])
    out = scored.groupby(["layer", "head", "category"], sort=True)["score"].mean().reset_index()
    out.insert(2, "relation", pd.Series(pd.NA, index=out.index, dtype="string"))
    return out[["layer", "head", "relation", "category", "score"]]


def collapse_duplicates(rows: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Sorted memberships with exact duplicates collapsed (and a warning saying how many)."""
    warnings = []
    duplicated = int(rows.duplicated().sum())
    if duplicated:
        warnings.append(f"{duplicated} duplicate (layer, head, category) rows were collapsed")
        log.warning(warnings[-1])
        rows = rows.drop_duplicates()
    return rows.sort_values(["layer", "head", "category"], kind="stable").reset_index(drop=True), tuple(warnings)


# -- wide ------------------------------------------------------------------------------------------

TRUE = {"1", "true", "yes", "y", "t", "1.0"}
FALSE = {"0", "false", "no", "n", "f", "0.0"}


def wide_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of a wide table that say membership: boolean or 0/1 (and every ``is_*`` column)."""
    return [
        c for c in frame.columns
        if c.lower() not in RESERVED and not c.endswith(" (original)")
        and (c.lower().startswith("is_") or flag_values(frame[c]) is not None)
    ]


def flag_values(column: pd.Series) -> pd.Series | None:
    """A column as booleans when every value is true/false, 0/1 or yes/no; else None."""
    if column.isna().any() or len(column) == 0:
        return None
    if pd.api.types.is_bool_dtype(column):
        return column.astype(bool)
    text = column.astype(str).str.strip().str.lower()
    if not text.isin(TRUE | FALSE).all():
        return None
    return text.isin(TRUE)


def category_name(column: str) -> str:
    """``is_algorithmic`` -> ``Algorithmic``: strip ``is_``; title-case only an all-lower-case name."""
    name = column[3:] if column.lower().startswith("is_") and len(column) > 3 else column
    if name == name.lower():
        name = name.replace("_", " ").title()
    return name


def wide_problems(frame: pd.DataFrame) -> list[str]:
    """Every problem of a wide-shape table."""
    problems = head_index_problems(frame)
    columns = wide_columns(frame)
    if not columns:
        problems.append(missing_column(frame, "category", SHAPE_HINT))
    bad = [c for c in columns if flag_values(frame[c]) is None]
    if len(bad) == 1:
        problems.append(f"column {bad[0]!r} must hold only true/false or 0/1 (one column per category); fix its values")
    elif bad:
        problems.append(f"{len(bad):,} columns must hold only true/false or 0/1 (one column per category) and do not: "
                        f"{listed(repr(c) for c in bad)}; fix their values")
    names = [category_name(c) for c in columns]
    clash = sorted({n for n in names if names.count(n) > 1})
    if clash:
        problems.append(f"two columns give the category name {clash[0]!r}; rename one")
    return problems


def wide_memberships(frame: pd.DataFrame) -> Parsed:
    """Memberships from the wide shape: a true/false column per category."""
    problems = wide_problems(frame)
    if problems:
        raise InputError(problems[0])
    heads = heads_of(frame)
    columns = wide_columns(frame)
    parts = [heads[flag_values(frame[c]).to_numpy()].assign(category=category_name(c)) for c in columns]
    rows = pd.concat(parts, ignore_index=True) if parts else heads.iloc[:0].assign(category="")
    rows = rows.astype({"layer": "int64", "head": "int64", "category": "object"})
    memberships, warnings = collapse_duplicates(rows)
    return Parsed("wide", memberships, tuple(category_name(c) for c in columns), heads, warnings=warnings)

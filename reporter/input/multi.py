"""Multi: split one or more inputs into one HeadTable per model, each with a unique, URL-safe slug."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pandas as pd

from ..errors import InputError, UsageError
from .columns import normalize_columns
from .load import load_raw, order_categories
from ..options import Options
from .read import RawInput, read
from .table import HeadTable

log = logging.getLogger(__name__)

# Folders the overview page itself uses; a model slug must not take them.


@dataclass(frozen=True)
class ModelInput:
    """One model to load: its input (read once, shared by the input's models), its ``model`` value and name."""

    source: RawInput
    select: str | None
    name: str
    stem: str


def model_inputs(inputs: Sequence[object], model: str | None = None, category: str | None = None,
                 options: Options | None = None) -> list[ModelInput]:
    """Every model in ``inputs``, in input order and then order of first appearance in the table.

    A table with a ``model`` column gives one model per distinct name; a table
    without one is a single model named after ``model`` or the file's stem.
    Names that repeat across inputs get the input's stem appended.
    """
    found: list[ModelInput] = []
    for index, source in enumerate(input_list(inputs)):
        stem = input_stem(source, index)
        raw = read(source, category, options)  # with options, datasets and engine frames are aggregated where they live
        names = [model] if model is not None else model_names(raw)
        if names is None:
            found.append(ModelInput(raw, None, stem, stem))
        else:
            found.extend(ModelInput(raw, name, name, stem) for name in names)
    return disambiguate(found)


def input_list(inputs: object) -> list[object]:
    """``inputs`` as a list of tables; one table given alone is a slip (a path would be read letter by letter)."""
    if isinstance(inputs, (str, Path, pd.DataFrame)) or not isinstance(inputs, (list, tuple)):
        raise UsageError(f"give the inputs as a list of paths or DataFrames, not {type(inputs).__name__}")
    return list(inputs)


def input_stem(source: object, index: int) -> str:
    """A file's name without its suffix, or ``table-N`` for an in-memory frame."""
    if not isinstance(source, (str, Path)):  # a pandas frame or another engine's
        return f"table-{index + 1}"
    return Path(source).stem  # type: ignore[arg-type]


def model_names(raw: RawInput) -> list[str] | None:
    """Distinct values of the table's ``model`` column in order of appearance, or None without one."""
    frame = normalize_columns(raw.frame)
    if "model" not in frame.columns:
        return None
    column = frame["model"]
    if column.isna().any():
        row = int(column.isna().to_numpy().nonzero()[0][0])
        raise InputError(f"column 'model' has a missing value (row {row}); fill or drop that row")
    names = [str(n).strip() for n in pd.unique(column.astype(str))]
    if any(not n for n in names):
        raise InputError("column 'model' has an empty name; give every row a model name")
    return names


def disambiguate(found: list[ModelInput]) -> list[ModelInput]:
    """Append the input's stem to names that occur in more than one input."""
    counts: dict[str, int] = {}
    for m in found:
        counts[m.name] = counts.get(m.name, 0) + 1
    out = [dataclasses.replace(m, name=f"{m.name} ({m.stem})") if counts[m.name] > 1 else m for m in found]
    if len({m.name for m in out}) != len(out):
        raise UsageError("two inputs give the same model name and file name; rename one of the files")
    return out


def load_models(found: Sequence[ModelInput], options: Options) -> list[HeadTable]:
    """Load every model found by model_inputs, all sharing one category order (so colours match across pages)."""
    if not found:
        raise UsageError("give at least one input table")
    tables = []
    for m in found:
        opts = dataclasses.replace(options, model=m.select if m.select is not None else m.name, categories=None,
                                   category_order=None)
        table = load_raw(m.source, opts)
        tables.append(dataclasses.replace(table, model=m.name))
    order = shared_categories(tables, options.categories, options.category_order)
    return [with_categories(t, order) for t in tables]


def shared_categories(tables: Sequence[HeadTable], requested: tuple[str, ...] | None,
                      order: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The panel order for every model: ``requested``, else every category of any model in input/order.py's order.

    The models' own orders are joined in model order (each category where it first appears).
    """
    found = tuple(dict.fromkeys(c for t in tables for c in t.categories))
    return order_categories(found, requested, lacking="no model has", having="they have", order=order)


def with_categories(table: HeadTable, order: tuple[str, ...]) -> HeadTable:
    """The table with ``order`` as its categories; categories it lacks stay in, with no heads.

    A scores table lacks a category when none of its relations was scored: that category is not
    measured for this model (``unmeasured``), which is not the same as measured and empty.
    """
    memberships = table.memberships[table.memberships["category"].isin(order)].reset_index(drop=True)
    scored = (table.rule_spec or {}).get("kind") == "scores"
    unmeasured = tuple(c for c in order if c not in table.categories) if scored else ()
    return dataclasses.replace(table, categories=order, memberships=memberships, unmeasured=unmeasured)

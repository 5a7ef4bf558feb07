"""Multi: split one or more inputs into one HeadTable per model, each with a unique, URL-safe slug."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pandas as pd

from ...errors import InputError, UsageError
from ..shapes.columns import normalize_columns
from ..checks.limits import check_categories, check_site
from ..load import load_raw, order_categories
from ...options import Options
from ..sources.read import RawInput, read
from ..table import HeadTable, Source

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
    Names that repeat across inputs get the input's stem appended. Several inputs
    that each hold one category named for the file (matrices, head lists) are the
    categories of one model, unless ``options.one_model_per_file``.
    """
    sources = input_list(inputs)
    names = input_categories(category, len(sources))
    # with options, datasets and engine frames are aggregated where they live
    raws = [read(source, name, options) for source, name in zip(sources, names)]
    return models_of(raws, [input_stem(s, i) for i, s in enumerate(sources)], model, options)


def input_categories(category: str | None, count: int) -> list[str | None]:
    """The category name of each input: ``--category A,B`` names several inputs one each, in order."""
    parts = [p.strip() for p in (category or "").split(",") if p.strip()]
    if count > 1 and len(parts) == count:
        return parts
    return [category] * count


def models_of(raws: Sequence[RawInput], stems: Sequence[str], model: str | None,
              options: Options | None) -> list[ModelInput]:
    """The models of inputs already read (each read once): see model_inputs."""
    merged = one_model(raws, stems, options)
    if merged is not None:
        stem = " + ".join(stems)
        return [ModelInput(merged, model, model or next(iter(model_names(merged) or [stem])), stem)]
    found: list[ModelInput] = []
    for raw, stem in zip(raws, stems):
        names = [model] if model is not None else model_names(raw)
        if names is None:
            found.append(ModelInput(raw, None, stem, stem))
        else:
            found.extend(ModelInput(raw, name, name, stem) for name in names)
    return disambiguate(found)


def one_model(raws: Sequence[RawInput], stems: Sequence[str], options: Options | None) -> RawInput | None:
    """Several single-category inputs of one model (or of no named model) as one input; else None."""
    if len(raws) < 2 or (options is not None and options.one_model_per_file) or not all(r.named for r in raws):
        return None
    models = {m for r in raws if "model" in r.frame.columns for m in r.frame["model"].astype(str).unique()}
    if len(models) > 1:
        return None  # each names its own model: several models
    twice = sorted({r.named for r in raws if [q.named for q in raws].count(r.named) > 1})
    if twice:
        raise UsageError(f"two inputs give the category {twice[0]!r}; rename one file or name them with "
                         "--category A,B,... (one per input)")
    kinds = {"relation" in r.frame.columns for r in raws}
    if len(kinds) > 1:
        raise InputError(f"{' and '.join(stems)}: some inputs hold scores and some memberships; give one kind, "
                         "or --one-model-per-file to make each a model")
    model = next(iter(models), None)
    frames = [r.frame if model is None or "model" in r.frame.columns else r.frame.assign(model=model) for r in raws]
    return merged_input(raws, frames)


def merged_input(raws: Sequence[RawInput], frames: list[pd.DataFrame]) -> RawInput:
    """One RawInput of several inputs' frames: one source (the names joined, a digest of the digests)."""
    frame = pd.concat(frames, ignore_index=True)
    dense = {r.dense for r in raws}
    source = None
    if all(r.source for r in raws):
        digest = hashlib.sha256("".join(f"{r.source.name}\0{r.source.sha256}\n" for r in raws).encode()).hexdigest()
        files = tuple(f for r in raws for f in r.source.files)
        source = Source(" + ".join(r.source.name for r in raws), digest, files)
    return RawInput(frame, "category-files", {}, source, dense.pop() if len(dense) == 1 else None)


def input_list(inputs: object) -> list[object]:
    """``inputs`` as a list of tables: a list or tuple of them, or one table given alone."""
    if isinstance(inputs, (list, tuple)):
        return list(inputs)
    return [inputs]  # one path, frame, array or dict: a path is not read letter by letter


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
    check_site(len(found))  # before any model is loaded
    tables = []
    for m in found:
        opts = dataclasses.replace(options, model=m.select if m.select is not None else m.name, categories=None,
                                   category_order=None)
        table = load_raw(m.source, opts)
        tables.append(dataclasses.replace(table, model=m.name))
    check_site(len(tables), sum(len(t.memberships) for t in tables))
    order = shared_categories(tables, options.categories, options.category_order)
    return [with_categories(t, order) for t in tables]


def shared_categories(tables: Sequence[HeadTable], requested: tuple[str, ...] | None,
                      order: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The panel order for every model: ``requested``, else every category of any model in input/order.py's order.

    The models' own orders are joined in model order (each category where it first appears).
    """
    found = tuple(dict.fromkeys(c for t in tables for c in t.categories))
    shown = order_categories(found, requested, lacking="no model has", having="they have", order=order)
    check_categories(shown, f"together, the {len(tables)} tables have")  # each may be within the limit alone
    return shown


def with_categories(table: HeadTable, order: tuple[str, ...]) -> HeadTable:
    """The table with ``order`` as its categories; categories it lacks stay in, with no heads.

    A scores table lacks a category when none of its relations was scored: that category is not
    measured for this model (``unmeasured``), which is not the same as measured and empty.
    """
    memberships = table.memberships[table.memberships["category"].isin(order)].reset_index(drop=True)
    scored = (table.rule_spec or {}).get("kind") == "scores"
    unmeasured = tuple(c for c in order if c not in table.categories) if scored else ()
    return dataclasses.replace(table, categories=order, memberships=memberships, unmeasured=unmeasured)

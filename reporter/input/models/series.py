"""Series: checkpoints of one model across training -> one HeadTable per step, sharing a shape and categories.

Two forms: one table with a step column (``step``, ``checkpoint``, ``revision`` or ``tokens``), split into
one table per value; or several inputs, one per checkpoint, their steps from ``steps`` (a flag) or from
their file names (``step143000.parquet``). Each checkpoint then goes through ``load_raw``, the path every
``build`` input takes, so every shape and rule that ``build`` reads works here too.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Sequence

import pandas as pd

from ...errors import InputError, UsageError, listed
from ...options import Options
from ..load import load_raw
from .multi import input_list, input_stem, shared_categories, with_categories
from ..sources.read import RawInput, read
from ..table import HeadTable

STEP_COLUMNS = ("step", "checkpoint", "revision", "tokens")  # the first found names the timeline's axis
STEP_IN_NAME = re.compile(r"(?:^|[^a-z])(?:step|ckpt|checkpoint|iter)[-_=]?(\d+)", re.IGNORECASE)
WHOLE = re.compile(r"\d+")


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint: its step (the axis value), its label as the input wrote it, and its loaded table."""

    step: int
    label: str
    table: HeadTable


@dataclass(frozen=True)
class Series:
    """Checkpoints in step order, all of one model shape and sharing one category order."""

    checkpoints: tuple[Checkpoint, ...]
    axis: str  # what the steps count: "step", "checkpoint", "revision" or "tokens"

    @property
    def first(self) -> HeadTable:
        """The first checkpoint's table (every checkpoint has its shape and categories)."""
        return self.checkpoints[0].table

    @property
    def steps(self) -> tuple[int, ...]:
        """The checkpoints' steps, ascending."""
        return tuple(c.step for c in self.checkpoints)


def load_series(inputs: Sequence[object], options: Options, steps: Sequence[int] | None = None) -> Series:
    """The checkpoints of ``inputs``: one table with a step column, or one input per checkpoint."""
    sources = input_list(inputs)
    if steps is not None and len(steps) != len(sources):
        raise UsageError(f"--steps gives {len(steps)} steps for {len(sources)} inputs; give one step per input")
    raws = [read(source, options.category) for source in sources]
    column = step_column(raws[0].frame) if len(raws) == 1 and steps is None else None
    if column is not None:
        parts = split_by_step(raws[0], column)
    elif len(raws) == 1 and steps is None:
        raise UsageError(f"the table has no {', '.join(STEP_COLUMNS[:-1])} or {STEP_COLUMNS[-1]} column; add one, or "
                         "give one input per checkpoint")
    else:
        parts = [(step, label, raw) for step, label, raw in zip(input_steps(sources, steps), labels(sources), raws)]
        column = "step"
    return Series(tuple(loaded(parts, options)), axis=column)


def step_column(frame: pd.DataFrame) -> str | None:
    """The canonical name of the table's step column (``step`` … ``tokens``, any case), or None."""
    lowered = {str(c).strip().lower() for c in frame.columns}
    return next((name for name in STEP_COLUMNS if name in lowered), None)


def split_by_step(raw: RawInput, column: str) -> list[tuple[int, str, RawInput]]:
    """One RawInput per distinct value of the step column, without that column, labelled as the table wrote it."""
    name = next(c for c in raw.frame.columns if str(c).strip().lower() == column)
    values = raw.frame[name]
    if values.isna().any():
        row = int(values.isna().to_numpy().nonzero()[0][0])
        raise InputError(f"column {str(name)!r} has a missing value (row {row}); give every row its {column}")
    text = values.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
    frame = raw.frame.drop(columns=[name])
    return [(step_of(label, column), label, dataclasses.replace(raw, frame=rows.reset_index(drop=True)))
            for label, rows in frame.groupby(text.str.strip(), sort=False)]


def step_of(label: str, column: str) -> int:
    """The step a label names: a whole number, or the number after "step" in a revision like ``step143000``."""
    if WHOLE.fullmatch(label):
        return int(label)
    match = STEP_IN_NAME.search(label)
    if match is None:
        raise InputError(f"column {column!r} holds {label!r}, which names no step; give whole numbers "
                         "(1000) or revisions like step1000")
    return int(match.group(1))


def input_steps(sources: list[object], steps: Sequence[int] | None) -> list[int]:
    """The step of each input: ``steps`` as given, else the number after "step" in each file name."""
    if steps is not None:
        return [int(s) for s in steps]
    found = []
    for index, source in enumerate(sources):
        match = STEP_IN_NAME.search(input_stem(source, index))
        if match is None:
            raise UsageError(f"cannot tell the step of {input_stem(source, index)!r}: name the files like "
                             "step1000.parquet, or give --steps 0,1000,… in the inputs' order")
        found.append(int(match.group(1)))
    return found


def labels(sources: list[object]) -> list[str]:
    """What the page calls each input's checkpoint: its file name without the suffix."""
    return [input_stem(source, index) for index, source in enumerate(sources)]


def loaded(parts: list[tuple[int, str, RawInput]], options: Options) -> list[Checkpoint]:
    """Each part loaded as ``build`` loads a table, in step order, one shape and one category order for all."""
    twice = sorted({s for s, *_ in parts if [p[0] for p in parts].count(s) > 1})
    if twice:
        raise UsageError(f"two checkpoints give step {twice[0]:,}; keep one table per step")
    if len(parts) < 2:
        raise UsageError("a timeline needs at least two checkpoints; give a step column with two values or "
                         "two inputs (a single checkpoint is a `reporter build`)")
    opts = dataclasses.replace(options, categories=None)
    parts = sorted(parts, key=lambda p: p[0])
    tables = one_shape([load_raw(raw, opts) for _, _, raw in parts], [label for _, label, _ in parts])
    order = shared_categories(tables, options.categories)
    return [Checkpoint(step, label, with_categories(t, order)) for (step, label, _), t in zip(parts, tables)]


def one_shape(tables: list[HeadTable], names: list[str]) -> list[HeadTable]:
    """The tables, all of one model shape: an inferred shape grows to the largest, a declared one must agree."""
    shapes = {(t.n_layers, t.n_heads) for t in tables}
    if len(shapes) == 1:
        return tables
    if all(t.shape_source == "inferred" for t in tables):
        n_layers, n_heads = max(t.n_layers for t in tables), max(t.n_heads for t in tables)
        return [dataclasses.replace(t, n_layers=n_layers, n_heads=n_heads) for t in tables]
    a, b = next((i, t) for i, t in enumerate(tables) if (t.n_layers, t.n_heads) != (tables[0].n_layers, tables[0].n_heads))
    raise InputError(f"checkpoint {names[0]!r} is {tables[0].n_layers}x{tables[0].n_heads} but {names[a]!r} is "
                     f"{b.n_layers}x{b.n_heads}; a timeline follows one model shape (give --layers/--heads or "
                     f"drop the other checkpoints; shapes found: {listed(sorted(f'{l}x{h}' for l, h in shapes))})")

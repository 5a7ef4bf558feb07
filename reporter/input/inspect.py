"""Inspect: what a build would make of an input, and every problem found, without writing anything."""

from __future__ import annotations

from dataclasses import dataclass, field

from pathlib import Path

import pandas as pd

from ..errors import ReporterError
from .load import check_not_empty, check_options_fit, kv_granular_heads, parse, resolve_shape
from .models import models_in, select_model
from ..options import Options
from .engines import SAMPLE_ROWS, read_bounded
from .read import RawInput
from .registry import shape_of
from .shapes import Parsed
from .ranking import tie_problems
from .suggest import scale_warnings, too_little_kept
from .validate import checked_table, validated_frame


@dataclass
class Inspection:
    """What ``reporter inspect`` found: the input, its shape, the model shape, categories and problems."""

    input: str
    format: str | None = None
    rows: int | None = None
    rows_read: int | None = None  # a dataset or engine frame is checked on its first rows only
    dense: tuple[int, int] | None = None  # (layers, heads) of a matrix input
    models: tuple[str, ...] = ()
    model: str | None = None
    shape: str | None = None
    n_layers: int | None = None
    n_heads: int | None = None
    shape_source: str | None = None
    query_heads: int | None = None  # set when the matrix has one column per key/value head
    rule: str | None = None
    categories: dict[str, int] = field(default_factory=dict)
    classified: int | None = None
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # what the shape adds (a scores table: its distribution)

    @property
    def ok(self) -> bool:
        """True when nothing stops a build."""
        return not self.problems

    def lines(self) -> list[str]:
        """The inspection as lines of text for the terminal."""
        size = f"{self.dense[0]} x {self.dense[1]} matrix" if self.dense else self.counted()
        out = [f"input: {self.input}" + (f" ({self.format}, {size})" if self.format else "")]
        if self.models:
            out.append(f"models in the table: {', '.join(self.models)}")
        if self.model:
            out.append(f"model: {self.model}")
        if self.shape:
            out.append(f"shape: {self.shape}")
        if self.n_layers and self.query_heads:
            out.append(f"model shape: {self.n_layers} layers x {self.query_heads} heads (from {self.shape_source}); "
                       f"the matrix has one column per key/value head ({self.n_heads} per layer, each shared by "
                       f"{self.query_heads // self.n_heads} query heads), drawn as {self.n_layers} x {self.n_heads}")
        elif self.n_layers:
            out.append(f"model shape: {self.n_layers} layers x {self.n_heads} heads (from {self.shape_source})")
        out += self.details
        if self.rule:
            out.append(f"rule: {self.rule}")
        if self.categories:
            out.append("categories:" if self.rows_read is None else f"categories (in the {self.rows_read:,} rows read):")
            width = max(len(name) for name in self.categories)
            out += [f"  {name:<{width}}  {count:,} head{'' if count == 1 else 's'}" for name, count in self.categories.items()]
        if self.classified is not None and self.n_layers:
            total = self.n_layers * self.n_heads
            unit = "key/value heads" if self.query_heads else "heads"
            out.append(f"{unit}: {total:,} in all, {self.classified:,} classified, {total - self.classified:,} unclassified")
        out += [f"warning: {w}" for w in self.warnings]
        out += [f"problem: {p}" for p in self.problems] or ["problems: none"]
        return out


    def counted(self) -> str:
        """How many rows the input has and, for a bounded scan, how many were read."""
        if self.rows_read is None:
            return f"{self.rows or 0:,} rows"
        whole = f"{self.rows:,} rows in its Parquet footers; " if self.rows is not None else ""
        return f"{whole}read the first {self.rows_read:,} for these checks"


def inspect(table: object, options: Options, sample_rows: int = SAMPLE_ROWS) -> Inspection:
    """Inspect an input the way ``build`` would read it, collecting problems instead of stopping at the first.

    A dataset or another engine's frame is checked on its first ``sample_rows`` rows.
    """
    found = Inspection(input=str(table) if isinstance(table, (str, Path)) else type(table).__name__)
    try:
        raw, found.rows, found.rows_read = read_bounded(table, options, sample_rows)
    except ReporterError as exc:
        found.problems.append(str(exc))
        return found
    found.format, found.dense = raw.format, raw.dense
    inspect_frame(raw, options, found)
    return found


def inspect_frame(raw: RawInput, options: Options, found: Inspection) -> None:
    """The checks after reading; each stage runs only when the ones it needs passed."""
    try:
        pushed = raw.frame.attrs  # a dataset's hive model= folders name every model; --model pushed down: engines.py
        frame = validated_frame(raw.frame, options)
        found.models = pushed.get("models") or models_in(frame)
        check_not_empty(frame)
        frame, found.model = select_model(frame, pushed.get("model", options.model))
    except ReporterError as exc:
        found.problems.append(str(exc))
        return
    shape = shape_of(frame, options)
    found.shape = shape.describe(frame, options)
    found.problems += collect(lambda: check_options_fit(frame, shape.name, options))
    # per-table validation: checks every shape shares add their problems here, beside the shape's own.
    found.problems += shape.problems(frame, options)
    if found.problems:
        return
    found.details = shape.details(frame, options)
    parsed = attempt(lambda: parse(frame, options), found)
    if parsed is None:
        return
    found.rule, found.warnings = parsed.rule, list(parsed.warnings) + scale_warnings(parsed.scores, options)
    found.problems += tie_problems(parsed.rule_spec)  # a tie across a rank cut: the rule's count is not the data's
    resolved = attempt(lambda: resolve_shape(parsed.extent, raw.metadata, options, found.model), found)
    if resolved is None:
        return
    found.n_layers, found.n_heads, found.shape_source = resolved
    kv = kv_granular_heads(raw.dense, found.n_heads, options, found.model)
    if kv:
        found.query_heads, found.n_heads = found.n_heads, kv
        resolved = (found.n_layers, kv, found.shape_source)
    # The same checks as build's, so inspect refuses what build refuses.
    categories = attempt(lambda: checked_table(parsed, *resolved, options, found.model), found)
    if categories is not None:
        count_categories(parsed, categories, found)


def count_categories(parsed: Parsed, categories: tuple[str, ...], found: Inspection) -> None:
    """Heads per category in panel order, and the number of classified heads."""
    counts = parsed.memberships["category"].value_counts()
    found.categories = {name: int(counts.get(name, 0)) for name in categories}
    members = parsed.memberships[parsed.memberships["category"].isin(categories)]
    found.classified = len(members[["layer", "head"]].drop_duplicates())
    found.problems += too_little_kept(found.categories, found.classified, found.n_layers * found.n_heads, parsed.scores, parsed.rule)


def collect(check) -> list[str]:
    """The message of the ReporterError a check raises, as a list (empty when it passes)."""
    try:
        check()
    except ReporterError as exc:
        return [str(exc)]
    return []


def attempt(step, found: Inspection):
    """Run one step; on a ReporterError record the problem and return None."""
    try:
        return step()
    except ReporterError as exc:
        found.problems.append(str(exc))
        return None

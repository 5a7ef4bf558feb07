"""Inspect: what a build would make of an input, and every problem found, without writing anything."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from pathlib import Path

import pandas as pd

from ..errors import ReporterError
from .load import check_not_empty, check_options_fit, kv_granular_heads, parse, resolve_shape
from .models.models import models_in, select_model
from ..options import Options
from .sources.engines import SAMPLE_ROWS, read_bounded
from .models.known_models import matched_text
from .models.multi import ModelInput, input_categories, input_list, input_stem, models_of
from .sources.read import RawInput
from .shapes.registry import shape_of
from .shapes.shapes import Parsed
from .scores.ranking import tie_problems
from .scores.suggest import scale_warnings, too_little_kept
from .checks.validate import checked_table, validated_frame


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
    known_model: str | None = None  # the known model whose shape was used, and the name it was matched from
    query_heads: int | None = None  # set when the matrix has one column per key/value head
    rule: str | None = None
    categories: dict[str, int] = field(default_factory=dict)
    classified: int | None = None
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)  # problems a build still runs with (an inferred shape)
    details: list[str] = field(default_factory=list)  # what the shape adds (a scores table: its distribution)
    structure: str | None = None  # what was read, when the shape does not show it (a ranking read as scores)
    parts: list["Inspection"] = field(default_factory=list)  # one per model, when the inputs hold several

    @property
    def ok(self) -> bool:
        """True when nothing stops a build (``limits`` do not: a build runs with them and its page says them)."""
        return not self.problems and all(part.ok for part in self.parts)

    def lines(self) -> list[str]:
        """The inspection as lines of text for the terminal."""
        if not self.parts:
            return self.own_lines()
        out = [f"{len(self.parts)} models: {', '.join(p.model or p.input for p in self.parts)} "
               "(a build makes an overview and one page per model)"]
        out += [f"problem: {p}" for p in self.problems]
        for part in self.parts:
            out += ["", *part.own_lines()]
        return out

    def own_lines(self) -> list[str]:
        """One input's or one model's lines."""
        size = f"{self.dense[0]} x {self.dense[1]} matrix" if self.dense else self.counted()
        out = [f"input: {self.input}" + (f" ({self.format}, {size})" if self.format else "")]
        if self.models:
            out.append(f"models in the table: {', '.join(self.models)}")
        if self.model:
            out.append(f"model: {self.model}")
        if self.structure:
            out.append(f"read as: {self.structure}")
        if self.shape:
            out.append(f"shape: {self.shape}")
        if self.n_layers and self.query_heads:
            out.append(f"model shape: {self.n_layers} layers x {self.query_heads} heads (from {self.shape_source}); "
                       f"the matrix has one column per key/value head ({self.n_heads} per layer, each shared by "
                       f"{self.query_heads // self.n_heads} query heads), drawn as {self.n_layers} x {self.n_heads}")
        elif self.n_layers:
            out.append(f"model shape: {self.n_layers} layers x {self.n_heads} heads (from {self.shape_source})")
        if self.known_model:
            out.append(f"known model: {self.known_model}")
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
        out += [f"problem (a build still runs): {p}" for p in self.limits]
        out += [f"problem: {p}" for p in self.problems] or ([] if self.limits else ["problems: none"])
        return out


    def counted(self) -> str:
        """How many rows the input has and, for a bounded scan, how many were read."""
        if self.rows_read is None:
            return f"{self.rows or 0:,} rows"
        whole = f"{self.rows:,} rows in its Parquet footers; " if self.rows is not None else ""
        return f"{whole}read the first {self.rows_read:,} for these checks"


def inspect(tables: object, options: Options, sample_rows: int = SAMPLE_ROWS) -> Inspection:
    """Inspect input(s) the way ``build`` would read them, collecting problems instead of stopping at the first.

    ``tables`` is one input or a list of them, resolved into models as build resolves
    them (multi.models_of): several models give one part each. A dataset or another
    engine's frame is checked on its first ``sample_rows`` rows.
    """
    sources = input_list(tables)
    names = [input_name(t) for t in sources]
    found = Inspection(input=" + ".join(names))
    try:
        read = [read_bounded(t, dataclasses.replace(options, category=c), sample_rows)
                for t, c in zip(sources, input_categories(options.category, len(sources)))]
        models = models_of([r[0] for r in read], [input_stem(t, i) for i, t in enumerate(sources)], options.model, options)
    except ReporterError as exc:
        found.problems.append(str(exc))
        return found
    counts = {id(raw): (rows, rows_read) for raw, rows, rows_read in read}
    parts = [inspect_model(m, options, found if len(models) == 1 else None) for m in models]
    for m, part in zip(models, parts):
        part.input = found.input
        part.rows, part.rows_read = counts.get(id(m.source), (len(m.source.frame), None))
    if len(models) > 1:
        found.parts = parts
    return found


def input_name(table: object) -> str:
    """How inspect names an input: its path, or the type of an object."""
    return str(table) if isinstance(table, (str, Path)) else type(table).__name__


def inspect_model(m: ModelInput, options: Options, found: Inspection | None) -> Inspection:
    """One model's inspection (into ``found`` when the input holds only this model)."""
    part = found or Inspection(input=m.stem)
    part.format, part.dense, part.structure = m.source.format, m.source.dense, m.source.structure
    inspect_frame(m.source, dataclasses.replace(options, model=m.select if m.select is not None else options.model),
                  part)
    if found is None:
        part.models = ()  # the overview line names them all once
    return part


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
    parsed = attempt(lambda: parse(frame, options, raw.structure), found)
    if parsed is None:
        return
    found.rule, found.warnings = parsed.rule, list(parsed.warnings) + scale_warnings(parsed.scores, options)
    found.problems += tie_problems(parsed.rule_spec)  # a tie across a rank cut: the rule's count is not the data's
    resolved = attempt(lambda: resolve_shape(parsed.extent, raw.metadata, options, found.model), found)
    if resolved is None:
        return
    found.n_layers, found.n_heads, found.shape_source = resolved
    shape_found(found)
    kv = kv_granular_heads(raw.dense, found.n_heads, options, found.model)
    if kv:
        found.query_heads, found.n_heads = found.n_heads, kv
        resolved = (found.n_layers, kv, found.shape_source)
    # The same checks as build's, so inspect refuses what build refuses.
    categories = attempt(lambda: checked_table(parsed, *resolved, options, found.model), found)
    if categories is not None:
        count_categories(parsed, categories, found)


def shape_found(found: Inspection) -> None:
    """Which known model gave the shape, or the problem of a shape guessed from the indexes."""
    if found.shape_source == "known-model":
        found.known_model = matched_text(found.model)
    elif found.shape_source == "inferred":
        found.limits.append(inferred_problem(found.n_layers, found.n_heads))


def inferred_problem(n_layers: int, n_heads: int) -> str:
    """The one-line problem of an inferred shape: the model's depth is unknown beyond the largest index."""
    return (f"the model's shape was not given: {n_layers} x {n_heads} is the largest layer and head index + 1, "
            f"and the model may have more layers; pass --model NAME (a known model), --layers N --heads N "
            f"or --model-config FILE")


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

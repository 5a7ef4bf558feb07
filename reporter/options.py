"""Options: everything a user can ask of one build, validated once."""

from __future__ import annotations

import difflib
import math
import numbers
import os
from dataclasses import dataclass, fields
from typing import Sequence, TypedDict

from .errors import UsageError, listed

FORMATS = ("svg", "png", "pdf")
API_KEYWORDS = {"n_layers", "n_heads", "cfg"}  # read by input.models.model_config.options_of before Options
AGGREGATES = ("mean", "max", "median")
TIES = ("keep", "drop", "first")
NORMALIZE = ("none", "max", "z", "rank")
WITHIN = ("relation", "layer", "kv-group")
ENGINES = ("auto", "pandas", "duckdb")


@dataclass(frozen=True)
class Options:
    """Build options shared by the CLI and the Python API."""

    title: str | None = None
    model: str | None = None
    layers: int | None = None
    heads: int | None = None
    categories: tuple[str, ...] | None = None
    category_order: tuple[str, ...] | None = None  # these categories first, in this order; the rest after them
    formats: tuple[str, ...] = FORMATS
    example: bool = False  # label the report as the bundled synthetic example
    score_column: str = "score"
    threshold: float | None = None
    top_k: int | None = None
    top_percent: float | None = None
    aggregate: str = "mean"
    category_map: str | None = None
    force: bool = False  # write into an existing folder reporter did not make, keeping its files
    kv_heads: int | None = None  # grouped-query attention: key/value heads per layer
    category: str | None = None  # the name of an input's one category (a matrix, a map of head ids)
    model_config: str | None = None  # a Hugging Face config.json giving layers, heads and KV heads
    shape_from: str = "flag"  # where layers/heads came from: "flag" or "model-config"
    engine: str = "auto"  # how files are read: auto (DuckDB for datasets and large Parquet), pandas or duckdb
    # Rank and threshold rules (input/ranking.py): ties at a rank cut, per-relation scales, groups, mass.
    top_mass: float | None = None  # keep the fewest heads holding P% of a relation's summed score
    ties: str = "keep"  # at a rank cut: keep every tied head, drop them all, or split them by row order (first)
    normalize: str = "none"  # a threshold reads the score as given, or per relation: max, z, rank
    rank_within: str = "relation"  # a rank rule ranks within each relation, each layer or each KV group of it
    threshold_map: str | None = None  # a file of per-relation thresholds
    field: tuple[int, ...] | None = None  # which value(s) of each head's list is the category or the score
    one_model_per_file: bool = False  # several single-category files: one model each, not one model's categories

    def __post_init__(self) -> None:
        check_types(self)
        if (self.layers is None) != (self.heads is None):
            raise UsageError("--layers and --heads go together: give both or neither")
        for name in ("layers", "heads"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise UsageError(f"--{name} must be a positive whole number, got {value}")
        check_rule(self)
        if self.kv_heads is not None and (not isinstance(self.kv_heads, numbers.Integral) or self.kv_heads < 1):
            raise UsageError(f"--kv-heads must be a positive whole number, got {self.kv_heads!r}")
        if self.engine not in ENGINES:
            raise UsageError(f"--engine must be one of {', '.join(ENGINES)}, got {self.engine!r}")
        unknown = sorted(set(self.formats) - set(FORMATS))
        if unknown:
            raise UsageError(f"unknown figure format {unknown[0]!r}: choose from {', '.join(FORMATS)}")

    @classmethod
    def from_kwargs(cls, **kwargs: object) -> "Options":
        """Build Options from keyword arguments, rejecting unknown names."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(kwargs) - known)
        if unknown:
            close = difflib.get_close_matches(unknown[0], sorted(known | API_KEYWORDS), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise UsageError(f"unknown option {unknown[0]!r}: {hint}known options are "
                             f"{listed(sorted(known | API_KEYWORDS))}")
        for key in ("categories", "category_order", "formats"):
            if isinstance(kwargs.get(key), str):
                kwargs[key] = split_list(kwargs[key])
        if isinstance(kwargs.get("field"), (str, int)) and not isinstance(kwargs.get("field"), bool):
            kwargs["field"] = field_list(kwargs["field"])
        for key in ("categories", "category_order", "formats", "field"):
            if isinstance(kwargs.get(key), (list, tuple)):
                kwargs[key] = tuple(kwargs[key])
        return cls(**kwargs)


# The type each option must have (None is always allowed where the default is None).
WHOLE, NUMBER, TEXT, TEXTS, FLAG = "a whole number", "a number", "text", "a list of text", "True or False"
WHOLES = "a list of whole numbers"
KINDS = {"layers": WHOLE, "heads": WHOLE, "top_k": WHOLE, "kv_heads": WHOLE, "threshold": NUMBER,
         "top_percent": NUMBER, "top_mass": NUMBER, "ties": TEXT, "normalize": TEXT, "rank_within": TEXT,
         "threshold_map": TEXT, "title": TEXT, "model": TEXT, "score_column": TEXT, "aggregate": TEXT,
         "category_map": TEXT, "category": TEXT, "categories": TEXTS, "category_order": TEXTS, "formats": TEXTS,
         "example": FLAG, "force": FLAG, "field": WHOLES, "one_model_per_file": FLAG}


def check_types(options: Options) -> None:
    """Refuse an option of the wrong type (``layers="8"``) before it is compared or iterated."""
    for name, kind in KINDS.items():
        value = getattr(options, name)
        if value is not None and not has_kind(value, kind):
            raise UsageError(f"option {name!r} must be {kind}, got {type(value).__name__} {value!r}")
        if any(not encodable(text) for text in (value if isinstance(value, tuple) else [value])):
            raise UsageError(f"option {name!r} holds a lone surrogate ({value!r}), which no page can hold; fix that text")


def encodable(value: object) -> bool:
    """False for text with a lone surrogate, which UTF-8 cannot write."""
    try:
        value.encode("utf-8") if isinstance(value, str) else None
    except UnicodeEncodeError:
        return False
    return True


def has_kind(value: object, kind: str) -> bool:
    """Whether ``value`` is of ``kind`` (bool is not a number here: True layers is a slip)."""
    if kind == FLAG:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == WHOLE:
        return isinstance(value, numbers.Integral)
    if kind == NUMBER:
        return isinstance(value, numbers.Real)
    if kind == TEXT:
        return isinstance(value, (str, os.PathLike))
    if kind == WHOLES:
        return isinstance(value, tuple) and bool(value) and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 0 for v in value)
    return isinstance(value, tuple) and all(isinstance(v, str) for v in value)


def check_rule(options: Options) -> None:
    """Validate the options that turn scores into categories."""
    if options.aggregate not in AGGREGATES:
        raise UsageError(f"--aggregate must be one of {', '.join(AGGREGATES)}, got {options.aggregate!r}")
    ranks = [f"--{n.replace('_', '-')}" for n in ("top_k", "top_percent", "top_mass") if getattr(options, n) is not None]
    if len(ranks) > 1:
        raise UsageError(f"{' and '.join(ranks)} are different rank rules: give one (any may go with --threshold)")
    for name, allowed in (("ties", TIES), ("normalize", NORMALIZE), ("rank_within", WITHIN)):
        if getattr(options, name) not in allowed:
            raise UsageError(f"--{name.replace('_', '-')} must be one of {', '.join(allowed)}, got {getattr(options, name)!r}")
    if options.top_mass is not None and not 0 < options.top_mass <= 100:
        raise UsageError(f"--top-mass must be above 0 and at most 100, got {options.top_mass}")
    if options.top_k is not None and (isinstance(options.top_k, bool) or int(options.top_k) != options.top_k
                                      or options.top_k < 1):
        raise UsageError(f"--top-k must be a whole number of at least 1, got {options.top_k}")
    if options.top_percent is not None and not 0 < options.top_percent <= 100:
        raise UsageError(f"--top-percent must be above 0 and at most 100, got {options.top_percent}")
    if options.threshold is not None and not math.isfinite(options.threshold):
        raise UsageError(f"--threshold must be a finite number, got {options.threshold}")
    if not str(options.score_column).strip():
        raise UsageError("--score-column needs a column name")


def field_list(value: str | int) -> tuple[int, ...] | str:
    """``--field 0`` or ``--field 0,1,2`` as positions; text that is not whole numbers is left for check_types."""
    if isinstance(value, int):
        return (value,)
    parts = split_list(value)
    return tuple(int(p) for p in parts) if parts and all(p.isdigit() for p in parts) else value


def split_list(text: str) -> tuple[str, ...]:
    """Split a comma-separated option value, dropping blanks."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


class BuildOptions(TypedDict, total=False):
    """The keywords of reporter.build, build_site and build_diff, for type checkers (``**options: Unpack[...]``).

    One per Options field, plus what input.models.model_config.options_of reads first (tests/test_api_types.py
    checks that they match, and that build's docstring lists each on a line of its own).
    """

    title: str | None
    model: str | None
    layers: int | None
    heads: int | None
    categories: str | Sequence[str] | None
    category_order: str | Sequence[str] | None
    formats: str | Sequence[str]
    example: bool
    score_column: str
    threshold: float | None
    top_k: int | None
    top_percent: float | None
    aggregate: str
    category_map: str | None
    force: bool
    kv_heads: int | None
    category: str | None
    model_config: str | None
    shape_from: str
    engine: str
    top_mass: float | None
    ties: str
    normalize: str
    rank_within: str
    threshold_map: str | None
    field: int | Sequence[int] | None
    one_model_per_file: bool
    n_layers: int
    n_heads: int
    cfg: object

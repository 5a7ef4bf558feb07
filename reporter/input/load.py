"""Load: read a table, validate it and resolve the model shape -> HeadTable.

The stages live in modules named after what they produce: read.py (raw frame,
metadata, Source), columns.py (canonical columns), models.py (one model's
rows), shapes.py (long / wide / head-id memberships), scores.py (memberships
from scores and a rule), known_models.py (shapes of known models).
"""

from __future__ import annotations

import logging

import pandas as pd

from .columns import normalize_columns
from ..errors import InputError, UsageError
from .known_models import lookup
from ..palette import UNCLASSIFIED, multi_label
from .limits import check_limits
from .models import select_model
from ..options import Options
from .read import RawInput, read
from .scores import has_rule, rule_flag, score_memberships
from .shapes import Parsed, detect_shape, long_memberships, wide_memberships
from .table import HeadTable

log = logging.getLogger(__name__)

AS_GIVEN = "categories as given in the table"


def load(table: object, options: Options) -> HeadTable:
    """Read ``table`` (a path, a folder of Parquet files or a DataFrame) and validate it into a HeadTable."""
    return load_raw(read(table, options), options)


def load_raw(raw: RawInput, options: Options) -> HeadTable:
    """Validate an already-read table into a HeadTable."""
    frame, model = prepare(raw, options)
    parsed = parse(frame, options)
    n_layers, n_heads, shape_source = resolve_shape(parsed.extent, raw.metadata, options, model)
    check_limits(parsed.memberships, n_layers, n_heads, options.categories)
    check_inside_shape(parsed.extent, n_layers, n_heads, shape_source)
    categories = order_categories(parsed.categories, options.categories)
    check_category_names(categories)
    memberships = parsed.memberships[parsed.memberships["category"].isin(categories)]
    return HeadTable(
        memberships=memberships.reset_index(drop=True),
        categories=categories,
        n_layers=n_layers,
        n_heads=n_heads,
        shape_source=shape_source,
        model=model,
        source=raw.source,
        rule=parsed.rule,
        rule_spec=parsed.rule_spec or {"kind": "given", "text": AS_GIVEN},
        scores=parsed.scores,
        example=options.example,
        warnings=parsed.warnings,
    )


def prepare(raw: RawInput, options: Options) -> tuple[pd.DataFrame, str | None]:
    """Canonical columns and the rows of the chosen model, with its name."""
    frame = normalize_columns(raw.frame, options.score_column)
    check_not_empty(frame)
    # A model filter pushed down to the engine leaves one model; keep the table's spelling of its name.
    return select_model(frame, frame.attrs.get("model", options.model))


def check_not_empty(frame: pd.DataFrame) -> None:
    """An empty table cannot make a report."""
    if frame.empty:
        raise InputError("the table has no rows; give at least one (layer, head, category) row")


def input_shape(frame: pd.DataFrame, options: Options) -> str:
    """The shape the table will be read as, given the options (a long table plus a rule is read as scores)."""
    shape = detect_shape(frame)
    if shape == "long" and has_rule(options) and "score" in frame.columns:
        return "scores"
    return shape


def parse(frame: pd.DataFrame, options: Options) -> Parsed:
    """Memberships from whichever shape the columns describe."""
    shape = input_shape(frame, options)
    check_options_fit(frame, shape, options)
    if shape == "scores":
        if "relation" not in frame.columns:  # a long table with scores: each category is its own relation
            frame = frame.assign(relation=frame["category"])
        return score_memberships(frame, options)
    return long_memberships(frame) if shape == "long" else wide_memberships(frame)


def check_options_fit(frame: pd.DataFrame, shape: str, options: Options) -> None:
    """Score options on a table without scores are a usage error, not silently ignored."""
    if shape == "scores":
        return
    if has_rule(options):
        flag = rule_flag(options)
        raise UsageError(f"{flag} needs per-head scores, but this {shape} table has no relation/{options.score_column!r} "
                         f"columns to apply it to; drop {flag} or give a scores table")
    if options.category_map:
        raise UsageError(f"--category-map maps relations, but this {shape} table has no 'relation' column; "
                         "drop --category-map or give a scores table")


def resolve_shape(extent: pd.DataFrame, metadata: dict[str, str], options: Options,
                  model: str | None) -> tuple[int, int, str]:
    """Pick (n_layers, n_heads, source): flags, file metadata, the known-model table, else inferred."""
    if options.layers is not None and options.heads is not None:
        return options.layers, options.heads, "flag"
    if "n_layers" in metadata and "n_heads" in metadata:
        return metadata_shape(metadata)
    known = lookup(model)
    if known is not None:
        return known.n_layers, known.n_heads, "known-model"
    return int(extent["layer"].max()) + 1, int(extent["head"].max()) + 1, "inferred"


def metadata_shape(metadata: dict[str, str]) -> tuple[int, int, str]:
    """The shape stored in the file's n_layers/n_heads key-value metadata."""
    try:
        n_layers, n_heads = int(metadata["n_layers"]), int(metadata["n_heads"])
    except ValueError as exc:
        raise InputError("the file's n_layers/n_heads metadata is not a whole number; fix it or pass --layers/--heads") from exc
    if n_layers < 1 or n_heads < 1:
        raise InputError(f"the file's metadata says {n_layers}x{n_heads} heads; fix it or pass --layers/--heads")
    return n_layers, n_heads, "metadata"


def check_inside_shape(extent: pd.DataFrame, n_layers: int, n_heads: int, source: str) -> None:
    """Every index must fall inside the declared model shape."""
    for name, limit in (("layer", n_layers), ("head", n_heads)):
        top = int(extent[name].max())
        if top >= limit:
            raise InputError(
                f"{name} index {top} is outside the model shape {n_layers}x{n_heads} (from {source}); "
                f"indexes are 0-based, so fix the table or the shape"
            )


def check_category_names(categories: tuple[str, ...]) -> None:
    """Refuse a category named like a legend entry reporter adds itself: the legend would show it twice."""
    reserved = {UNCLASSIFIED, *(multi_label(n) for n in range(2, len(categories) + 1))}
    clash = next((c for c in categories if c in reserved), None)
    if clash is not None:
        raise InputError(
            f"category {clash!r} has the name of a legend entry reporter adds itself ({UNCLASSIFIED!r} for heads "
            "in no category, 'N categories' for heads in several); rename that category in the table or --category-map"
        )


def order_categories(found, requested: tuple[str, ...] | None,
                     lacking: str = "the table does not have", having: str = "it has") -> tuple[str, ...]:
    """Panel order: the requested categories, else all found, alphabetically.

    ``lacking``/``having`` word the error for where the categories came from (a table, several models).
    """
    found = tuple(sorted(found))
    if not requested:
        return found
    missing = [c for c in requested if c not in found]
    if missing:
        raise UsageError(f"--categories names {missing[0]!r}, which {lacking} ({having}: {', '.join(found)})")
    if len(set(requested)) != len(requested):
        raise UsageError("--categories names a category twice; list each once")
    return tuple(requested)

"""Load: read a table, validate it and resolve the model shape -> HeadTable.

The stages live in modules named after what they produce: read.py (raw frame,
metadata, Source), columns.py (canonical columns), models.py (one model's
rows), shapes.py (long / wide / head-id memberships), scores.py (memberships
from scores and a rule), known_models.py (shapes of known models).
"""

from __future__ import annotations

import logging

import pandas as pd

from ..errors import InputError, ReporterError, UsageError, listed
from .models.known_models import lookup
from .models.models import select_model
from .shapes.order import order_categories  # noqa: F401  (validate and multi take it from here)
from ..options import Options
from .sources.read import RawInput, read
from .scores.scores import has_rule, rule_flag
from .shapes.registry import shape_of
from .shapes.shapes import Parsed
from .table import HeadTable
from .checks.validate import checked_table, validated_frame

log = logging.getLogger(__name__)

AS_GIVEN = "categories as given in the table"


def load(table: object, options: Options) -> HeadTable:
    """Read ``table`` (a path, a folder of Parquet files or a DataFrame) and validate it into a HeadTable."""
    return load_raw(read(table, options.category, options), options)


def load_raw(raw: RawInput, options: Options) -> HeadTable:
    """Validate an already-read table into a HeadTable."""
    frame, model = prepare(raw, options)
    parsed = parse(frame, options, raw.structure)
    n_layers, n_heads, shape_source = resolve_shape(parsed.extent, raw.metadata, options, model)
    query_heads = n_heads
    n_heads = kv_granular_heads(raw.dense, n_heads, options, model) or n_heads
    categories = checked_table(parsed, n_layers, n_heads, shape_source, options, model)
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
        query_heads=query_heads if query_heads != n_heads else None,
    )


def prepare(raw: RawInput, options: Options) -> tuple[pd.DataFrame, str | None]:
    """Canonical columns and the rows of the chosen model, with its name."""
    frame = validated_frame(raw.frame, options)
    check_not_empty(frame)
    # A model filter pushed down to the engine leaves one model; keep the table's spelling of its name.
    return select_model(frame, frame.attrs.get("model", options.model))


def check_not_empty(frame: pd.DataFrame) -> None:
    """An empty table cannot make a report."""
    if frame.empty:
        raise InputError("the table has no rows; give at least one (layer, head, category) row")


def parse(frame: pd.DataFrame, options: Options, structure: str | None = None) -> Parsed:
    """Memberships from whichever registered shape the columns describe.

    ``structure`` says what a reader made the frame from (a ranking read as scores); a refusal names it,
    since the frame's columns are not what the user wrote.
    """
    shape = shape_of(frame, options)
    try:
        check_options_fit(frame, shape.name, options)
        # per-table validation: checks every shape shares run here, before the shape's own parse.
        return shape.parse(frame, options)
    except ReporterError as exc:
        if structure is None:
            raise
        raise type(exc)(f"{structure}: {exc}") from exc


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
        return options.layers, options.heads, options.shape_from
    if "n_layers" in metadata and "n_heads" in metadata:
        return metadata_shape(metadata)
    known = lookup(model)
    if known is not None:
        return known.n_layers, known.n_heads, "known-model"
    return int(extent["layer"].max()) + 1, int(extent["head"].max()) + 1, "inferred"


def kv_granular_heads(dense: tuple[int, int] | None, n_heads: int, options: Options, model: str | None) -> int | None:
    """The model's KV heads when a matrix has one column per key/value head (not per query head), else None.

    The KV heads come from ``kv_heads`` (the flag or a model config), else the known-model table.
    Such a matrix is drawn as it is, one column per KV head: expanding it would copy each value
    to every query head of the group and count one measurement several times.
    """
    if dense is None or dense[1] >= n_heads:
        return None
    known = lookup(model)
    kv = options.kv_heads or (known.n_kv_heads if known is not None and known.n_heads == n_heads else None)
    return kv if kv == dense[1] else None


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

"""Validate: the checks `build` and `inspect` share, so that both refuse the same inputs.

``validated_frame`` runs on the table as read, before its shape is parsed:
columns a table can have, text that is text, scores that are numbers.
``checked_table`` runs on the parsed memberships once the model shape is
known: limits, indexes inside the shape, the categories shown and the names.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import InputError, UsageError
from ...options import Options
from ...palette import UNCLASSIFIED, multi_label
from ..shapes.columns import normalize_columns
from .limits import HINT, check_limits
from .names import check_names, shown
from ..shapes.shapes import Parsed

MAX_COLUMNS = 256  # a wide table has one column per category (at most 64) besides layer, head and a few more


def validated_frame(frame: pd.DataFrame, options: Options) -> pd.DataFrame:
    """The table as read with canonical column names, once its columns, text and scores pass."""
    check_columns(frame)
    frame = normalize_columns(decoded(frame), options.score_column)
    check_scores(frame, options.score_column)
    return frame


def check_columns(frame: pd.DataFrame) -> None:
    """Refuse too many columns (before any per-column work) and two columns of one name."""
    if len(frame.columns) > MAX_COLUMNS:
        raise InputError(f"the table has {len(frame.columns):,} columns, more than the {MAX_COLUMNS} reporter reads; "
                         f"keep layer, head and the category columns ({HINT})")
    names = pd.Index([str(c).strip().lower() for c in frame.columns])
    if names.has_duplicates:
        twice = names[names.duplicated()][0]
        raise InputError(f"the table has two columns named {shown(twice)}; rename or drop one")


def decoded(frame: pd.DataFrame) -> pd.DataFrame:
    """Binary columns (Parquet/Arrow ``binary``) as text; bytes that are not UTF-8, or a lone surrogate, are an error."""
    objects = {c: pd.api.types.infer_dtype(frame[c], skipna=True) for c in frame.columns if frame[c].dtype == object}
    binary = [c for c, kind in objects.items() if kind == "bytes"]
    for column in (c for c, kind in objects.items() if kind in ("string", "mixed")):
        check_encodable(frame[column], column)
    if not binary:
        return frame
    frame = frame.copy()
    for column in binary:
        try:
            frame[column] = frame[column].str.decode("utf-8", errors="strict")
        except UnicodeDecodeError as exc:
            raise InputError(f"column {shown(column)} holds bytes that are not UTF-8 text ({exc.reason}); "
                             "write it as text") from exc
    return frame


def check_encodable(column: pd.Series, name: object) -> None:
    """Refuse text that cannot be written as UTF-8 (a lone surrogate, from a DataFrame made in Python)."""
    try:
        values = pd.unique(column.dropna())
    except TypeError as exc:  # a list or dict in a cell
        raise InputError(f"column {shown(name)} holds a value that is neither text nor a number ({exc}); "
                         "give one value per cell") from exc
    for value in values:
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise InputError(f"column {shown(name)} holds {shown(value)}, with a lone surrogate "
                                 f"(U+{ord(value[exc.start]):04X}) that no file can hold; fix that text") from exc


def check_scores(frame: pd.DataFrame, score_column: str) -> None:
    """Refuse infinite scores: no rule can rank them, and JSON (the charts' data) cannot hold them."""
    if "score" not in frame.columns:
        return
    score = pd.to_numeric(frame["score"], errors="coerce").to_numpy(dtype="float64")
    infinite = np.flatnonzero(np.isinf(score))
    if len(infinite):
        row = int(infinite[0])
        raise InputError(f"column {shown(score_column)} holds {score[row]:g} (row {row}, {len(infinite):,} rows in all); "
                         "scores must be finite numbers, so fix or drop those rows")


def checked_table(parsed: Parsed, n_layers: int, n_heads: int, shape_source: str, options: Options,
                  model: str | None) -> tuple[str, ...]:
    """The categories shown, in panel order, once the parsed table passes every check of its shape."""
    from ..load import check_inside_shape, order_categories  # load imports this module

    check_limits(parsed.memberships, n_layers, n_heads, options.categories or parsed.categories)
    if options.kv_heads is not None:
        check_kv_heads(n_heads, options.kv_heads)  # the grouped-query view needs it; inspect says so as build does
    check_inside_shape(parsed.extent, n_layers, n_heads, shape_source)
    categories = order_categories(parsed.categories, options.categories, order=options.category_order,
                                  ordered=parsed.ordered)
    check_names(categories, "category")
    check_legend_names(categories)
    if model is not None:
        check_names([model], "model")  # repeated in every record of the overview's figures, as a category is
    return categories


def check_kv_heads(n_heads: int, kv_heads: int) -> None:
    """A UsageError unless ``kv_heads`` key/value heads divide ``n_heads`` query heads into equal groups."""
    if kv_heads < 1 or kv_heads > n_heads or n_heads % kv_heads:
        raise UsageError(
            f"--kv-heads {kv_heads} does not divide the {n_heads} heads per layer; "
            f"give the model's number of key/value heads (a divisor of {n_heads}, e.g. {divisor_hint(n_heads)})"
        )


def divisor_hint(n: int) -> int:
    """A plausible KV head count for ``n`` query heads: the largest divisor <= n // 4, else 1."""
    return max([d for d in range(1, n // 4 + 1) if n % d == 0] or [1])


def check_legend_names(categories: tuple[str, ...]) -> None:
    """Refuse a category named like a legend entry reporter adds itself: the legend would show it twice."""
    reserved = {UNCLASSIFIED, *(multi_label(n) for n in range(2, len(categories) + 1))}
    clash = next((c for c in categories if c in reserved), None)
    if clash is not None:
        raise InputError(
            f"category {clash!r} has the name of a legend entry reporter adds itself ({UNCLASSIFIED!r} for heads "
            "in no category, 'N categories' for heads in several); rename that category in the table or --category-map"
        )

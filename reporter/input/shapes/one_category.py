"""One category: the name an input without a category column takes, for every input form.

A ``layer, head, score`` table (no relation, no category) is a scores table of one relation,
named by ``--category NAME``, else the file's name; a scores table with relations but neither a
category column nor ``--category-map`` puts every relation in the ``--category NAME`` category.
"""

from __future__ import annotations

import pandas as pd

from ...errors import InputError
from .columns import normalize_columns
from .shapes import wide_columns


def with_category(frame: pd.DataFrame, name: str | None, given: str | None, score_column: str = "score",
                  category_map: str | None = None) -> pd.DataFrame:
    """``frame`` with relation/category columns where it has none of its own; ``given`` is --category."""
    if pd.Index([str(c).strip().lower() for c in frame.columns]).has_duplicates:
        return frame  # validate.check_columns refuses it, naming the column
    columns = set(normalize_columns(frame.iloc[:0], score_column).columns)
    if "category" in columns or not ({"layer", "head"} <= columns or "head_id" in columns):
        return frame
    if "relation" in columns:
        return frame.assign(category=given) if given and not category_map else frame
    if "score" not in columns or wide_columns(normalize_columns(frame, score_column)):
        return frame
    category = given or name
    if not category:
        raise InputError("a layer, head, score table (no relation, no category column) is one category; "
                         "name it with --category NAME")
    return frame.assign(relation=category, category=category)

"""Registry: the table shapes reporter reads, each declared once and used by both ``load`` and ``inspect``.

Every file form and object (matrices, head-id maps, arrays, folders of one file
per category; see read.py and objects.py) is first turned into a tidy frame;
this registry then says what the frame's columns mean. A shape is one
``TableShape`` entry: when it applies, how it is described, every problem of
its columns (for ``inspect``) and how it becomes memberships (for ``load``).

To add a table shape: write its four functions, add one ``TableShape`` to
``SHAPES`` before the shapes it must win over. Per-table validation that is
not specific to a shape runs in ``load.load_raw`` and ``inspect.inspect_frame``
right before ``shape.parse`` / ``shape.problems`` (the lines marked ``# per-table validation``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from ...errors import ReporterError
from ...options import Options
from ..scores.scores import aggregated_scores, has_rule, read_category_map, score_memberships, score_problems
from ..scores.suggest import distribution_lines
from .shapes import Parsed, long_memberships, long_problems, wide_memberships, wide_problems


@dataclass(frozen=True)
class TableShape:
    """One shape of tidy table: how to recognise, describe, check and parse it."""

    name: str
    applies: Callable[[pd.DataFrame, Options], bool]
    describe: Callable[[pd.DataFrame, Options], str]
    problems: Callable[[pd.DataFrame, Options], list[str]]
    parse: Callable[[pd.DataFrame, Options], Parsed]
    details: Callable[[pd.DataFrame, Options], list[str]] = lambda frame, options: []  # more lines for inspect


def index_words(frame: pd.DataFrame) -> str:
    """How the frame names heads: ``layer, head`` or ``head_id``."""
    return "head_id" if "head_id" in frame.columns and not {"layer", "head"} <= set(frame.columns) else "layer, head"


# -- scores ----------------------------------------------------------------------------------------

def is_scores(frame: pd.DataFrame, options: Options) -> bool:
    """A relation column, or a long table with a score column and a rule (each category its own relation)."""
    return "relation" in frame.columns or ("category" in frame.columns and "score" in frame.columns
                                           and has_rule(options))


def with_relation(frame: pd.DataFrame) -> pd.DataFrame:
    """A long table with scores read as a scores table: each category is its own relation."""
    return frame if "relation" in frame.columns else frame.assign(relation=frame["category"])


def describe_scores(frame: pd.DataFrame, options: Options) -> str:
    """The scores shape in words."""
    relations = with_relation(frame)["relation"].nunique()
    return (f"scores ({index_words(frame)}, relation, score column {options.score_column!r}; "
            f"{relations} relation{'' if relations == 1 else 's'})")


def scores_problems(frame: pd.DataFrame, options: Options) -> list[str]:
    """Every problem of a scores table, the category map file included."""
    problems: list[str] = []
    category_map = None
    if options.category_map:
        try:
            category_map = read_category_map(options.category_map)
        except ReporterError as exc:
            problems.append(str(exc))
    return problems + score_problems(with_relation(frame), options, category_map)


def score_distribution(frame: pd.DataFrame, options: Options) -> list[str]:
    """The score distribution and what candidate rules keep, to help choose a rule."""
    return distribution_lines(*aggregated_scores(with_relation(frame), options))


SCORES = TableShape("scores", is_scores, describe_scores, scores_problems,
                    lambda frame, options: score_memberships(with_relation(frame), options), score_distribution)

LONG = TableShape(
    "long",
    lambda frame, options: "category" in frame.columns,
    lambda frame, options: f"long ({index_words(frame)}, category" + (", member)" if "member" in frame.columns else ")"),
    lambda frame, options: long_problems(frame),
    lambda frame, options: long_memberships(frame),
)

WIDE = TableShape(
    "wide",
    lambda frame, options: True,
    lambda frame, options: f"wide ({index_words(frame)}, one true/false column per category)",
    lambda frame, options: wide_problems(frame),
    lambda frame, options: wide_memberships(frame),
)

# In the order they are tried: the first that applies is the table's shape.
SHAPES = (SCORES, LONG, WIDE)


def shape_of(frame: pd.DataFrame, options: Options) -> TableShape:
    """The first registered shape that applies to a normalized frame."""
    return next(shape for shape in SHAPES if shape.applies(frame, options))

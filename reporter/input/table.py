"""HeadTable: the validated memberships a report is built from."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

SHAPE_SOURCES = ("flag", "model-config", "metadata", "known-model", "inferred")


@dataclass(frozen=True)
class Source:
    """Where the table came from, as shown in the report header."""

    name: str
    sha256: str
    # Every local file read (absolute paths): the writers never replace one of them (output/inputs.py).
    files: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True, eq=False)
class HeadTable:
    """Memberships of heads in categories, plus the model shape they live in.

    ``memberships`` has one row per (layer, head, category), int64 layer/head,
    str category, sorted and free of duplicates. ``scores`` (optional) has
    layer, head, relation, category, score: one aggregated score per head and
    relation (relation is missing for long tables with a score column).
    """

    memberships: pd.DataFrame
    categories: tuple[str, ...]
    n_layers: int
    n_heads: int
    shape_source: str
    model: str | None = None
    source: Source | None = None
    rule: str | None = None
    rule_spec: dict | None = None  # the rule as data for summary.json (kind, score_column, threshold, ...)
    scores: pd.DataFrame | None = None
    example: bool = False
    warnings: tuple[str, ...] = field(default=())
    # A matrix with one column per key/value head: n_heads counts KV heads, query_heads the model's heads.
    query_heads: int | None = None
    unmeasured: tuple[str, ...] = ()  # categories shown that no scored relation measured for this model

    @property
    def kv_granular(self) -> bool:
        """Whether the heads are key/value heads, each shared by several query heads."""
        return self.query_heads is not None

    @property
    def n_total(self) -> int:
        """Number of heads in the model."""
        return self.n_layers * self.n_heads

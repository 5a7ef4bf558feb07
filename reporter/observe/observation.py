"""Observation: one sentence about the data, with its numbers and the figure that shows it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..slugs import slugify
from .wording import half_up

KINDS = ("concentration", "comparison", "sparsity", "overlap", "unclassified")


@dataclass(frozen=True)
class Observation:
    """One sentence about the data, with the numbers behind it and the figure that shows it."""

    id: str
    kind: str
    text: str
    figure: str
    category: str | None = None
    layers: tuple[int, int] | None = None
    evidence: dict = field(default_factory=dict)


def slug(name: str) -> str:
    """A safe id fragment for a category name (ASCII, bounded, see slugs.slugify)."""
    return slugify(name, set())


def r4(value: float) -> float:
    """Round a share like summary.json does."""
    return float(half_up(value, 4))


def r2(value: float) -> float:
    """Round an effect size for a sentence (the interval's ends too)."""
    return float(half_up(value, 2))

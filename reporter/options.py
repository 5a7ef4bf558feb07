"""Options: everything a user can ask of one build, validated once."""

from __future__ import annotations

import numbers
from dataclasses import dataclass, fields

from .errors import UsageError

FORMATS = ("svg", "png", "pdf")


@dataclass(frozen=True)
class Options:
    """Build options shared by the CLI and the Python API."""

    title: str | None = None
    model: str | None = None
    layers: int | None = None
    heads: int | None = None
    categories: tuple[str, ...] | None = None
    formats: tuple[str, ...] = FORMATS
    example: bool = False  # label the report as the bundled synthetic example
    kv_heads: int | None = None  # grouped-query attention: key/value heads per layer

    def __post_init__(self) -> None:
        if (self.layers is None) != (self.heads is None):
            raise UsageError("--layers and --heads go together: give both or neither")
        for name in ("layers", "heads"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise UsageError(f"--{name} must be a positive whole number, got {value}")
        if self.kv_heads is not None and (not isinstance(self.kv_heads, numbers.Integral) or self.kv_heads < 1):
            raise UsageError(f"--kv-heads must be a positive whole number, got {self.kv_heads!r}")
        unknown = sorted(set(self.formats) - set(FORMATS))
        if unknown:
            raise UsageError(f"unknown figure format {unknown[0]!r}: choose from {', '.join(FORMATS)}")

    @classmethod
    def from_kwargs(cls, **kwargs: object) -> "Options":
        """Build Options from keyword arguments, rejecting unknown names."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise UsageError(f"unknown option {unknown[0]!r}: known options are {', '.join(sorted(known))}")
        if isinstance(kwargs.get("categories"), str):
            kwargs["categories"] = split_list(kwargs["categories"])
        if isinstance(kwargs.get("formats"), str):
            kwargs["formats"] = split_list(kwargs["formats"])
        for key in ("categories", "formats"):
            if kwargs.get(key) is not None:
                kwargs[key] = tuple(kwargs[key])
        return cls(**kwargs)


def split_list(text: str) -> tuple[str, ...]:
    """Split a comma-separated option value, dropping blanks."""
    return tuple(part.strip() for part in text.split(",") if part.strip())

"""Limits: the largest tables a report is built from, checked before anything is allocated.

Every figure, table and statistic grows with the model shape (layers x heads)
and the number of categories, so a stray index (a layer of 10**9) must stop
the build with a message instead of allocating a 10**9-wide grid. The numbers
and the memory they bound are documented in docs/limits.md.
"""

from __future__ import annotations

import pandas as pd

from ...errors import InputError

MAX_LAYERS = 4096
MAX_HEADS = 4096  # per layer
MAX_HEADS_TOTAL = 1 << 16  # layers x heads: 65,536, four times Llama-3.1-405B (126 x 128 = 16,128)
MAX_CATEGORIES = 64  # shown as panels; chart building time grows with their number
MAX_MEMBERSHIPS = 1 << 18  # distinct (layer, head, category) rows after duplicates: 262,144, a rect each in the heatmaps
MAX_NAME_LENGTH = 256  # characters in one category or model name: every head record repeats its names
MAX_MODELS = 16  # models in one site: each is a full report (about 2 GB at the membership limit)
MAX_SITE_MEMBERSHIPS = MAX_MEMBERSHIPS  # over every model of a site: the same memory as one report at the limit
HINT = "see docs/limits.md"


def check_limits(memberships: pd.DataFrame, n_layers: int, n_heads: int,
                 shown: tuple[str, ...] | None = None) -> None:
    """Raise an InputError when the resolved shape or the memberships exceed a limit.

    ``shown`` are the categories drawn (--categories, else every category of
    the input, with members or not); without them, those with members.
    """
    check_shape(n_layers, n_heads)
    if len(memberships) > MAX_MEMBERSHIPS:
        raise InputError(
            f"the table has {len(memberships):,} distinct (layer, head, category) rows, more than the "
            f"{MAX_MEMBERSHIPS:,} reporter handles; aggregate or split the table ({HINT})"
        )
    check_categories(shown or memberships["category"].unique(), "the table has")


def check_categories(categories, having: str) -> None:
    """At most MAX_CATEGORIES categories drawn; ``having`` words whose they are ("the table has", "the models have")."""
    if len(categories) > MAX_CATEGORIES:
        raise InputError(
            f"{having} {len(categories):,} categories, more than the {MAX_CATEGORIES} a report can show; "
            f"merge categories or pick some with --categories ({HINT})"
        )


def check_site(n_models: int, memberships: int | None = None) -> None:
    """At most MAX_MODELS models in one site and MAX_SITE_MEMBERSHIPS memberships over all of them."""
    if n_models > MAX_MODELS:
        raise InputError(f"the inputs hold {n_models:,} models, more than the {MAX_MODELS} one site shows; "
                         f"build several sites, or pick one model with --model ({HINT})")
    if memberships is not None and memberships > MAX_SITE_MEMBERSHIPS:
        raise InputError(
            f"the models have {memberships:,} distinct (layer, head, category) rows in all, more than the "
            f"{MAX_SITE_MEMBERSHIPS:,} one site handles; build several sites with fewer models ({HINT})"
        )


def check_shape(n_layers: int, n_heads: int) -> None:
    """The model shape must be positive and within MAX_LAYERS, MAX_HEADS and MAX_HEADS_TOTAL."""
    if n_layers < 1 or n_heads < 1:
        raise InputError(f"the model shape {n_layers}x{n_heads} is empty; layers and heads must be at least 1")
    if n_layers > MAX_LAYERS:
        raise InputError(
            f"the model shape has {n_layers:,} layers, more than the {MAX_LAYERS:,} reporter handles; "
            f"check the layer column or --layers (indexes are 0-based) ({HINT})"
        )
    if n_heads > MAX_HEADS:
        raise InputError(
            f"the model shape has {n_heads:,} heads per layer, more than the {MAX_HEADS:,} reporter handles; "
            f"check the head column or --heads (indexes are 0-based) ({HINT})"
        )
    if n_layers * n_heads > MAX_HEADS_TOTAL:
        raise InputError(
            f"the model shape {n_layers:,}x{n_heads:,} has {n_layers * n_heads:,} heads, more than the "
            f"{MAX_HEADS_TOTAL:,} reporter handles; check --layers/--heads or the indexes ({HINT})"
        )

"""The panel order of categories, the one order every panel, legend, table and button follows.

First that applies: ``--categories`` (the ones shown, in that order); ``--category-order`` (those named
first, the rest after them in the default order); else the default order: the reference figure's order
when every name is a reference name (the MAPS table lists Linguistic first only because its rows run by
relation name); else the input's own order (first appearance in a long table, column order in a wide one,
key order in a map, row order of a --category-map); else, for an input without an order (a scores table's
own category column, whose rows run by relation, and which DuckDB aggregates in no order), the reference
names in reference order, then the rest alphabetically.
"""

from __future__ import annotations

from typing import Iterable

from ...errors import UsageError, listed
from ...palette import REFERENCE


def default_order(found: Iterable[str], ordered: bool = True) -> tuple[str, ...]:
    """The order without a flag: reference order for reference names, else the input's order, else alphabetical."""
    names = tuple(dict.fromkeys(found))
    if all(name in REFERENCE for name in names):
        return tuple(name for name in REFERENCE if name in names)
    if ordered:
        return names
    return tuple(name for name in REFERENCE if name in names) + tuple(sorted(n for n in names if n not in REFERENCE))


def order_categories(found: Iterable[str], requested: tuple[str, ...] | None,
                     lacking: str = "the table does not have", having: str = "it has",
                     order: tuple[str, ...] | None = None, ordered: bool = True) -> tuple[str, ...]:
    """Panel order: the requested categories, else ``order`` first and the rest in the default order.

    ``found`` is in the input's order (``ordered``) or in none; ``lacking``/``having`` word the error
    for where the categories came from (a table, several models).
    """
    found = default_order(found, ordered)
    for flag, names in (("--categories", requested), ("--category-order", order)):
        check_named(flag, names or (), found, lacking, having)
    if requested:
        return tuple(requested)
    first = tuple(order or ())
    return first + tuple(name for name in found if name not in first)


def check_named(flag: str, names: tuple[str, ...], found: tuple[str, ...], lacking: str, having: str) -> None:
    """Every name a flag lists must be a category of the input, and listed once."""
    missing = [c for c in names if c not in found]
    if missing:
        raise UsageError(f"{flag} names {missing[0]!r}, which {lacking} ({having}: {listed(sorted(found))})")
    if len(set(names)) != len(names):
        raise UsageError(f"{flag} names a category twice; list each once")

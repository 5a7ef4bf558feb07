"""Charts: one module per figure, each turning analysis results into a Figure (spec, alt text, tables, place).

The single-model report's figures are listed once, in page order, in REPORT_FIGURES:
a new figure is a new module with a ``make(FigureInput) -> Figure | None`` and one line there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, TypeVar

from ..analysis.summarize import Summary
from ..observe.categories import Observation
from .figure import DataTable, Figure

T = TypeVar("T")

__all__ = ["DataTable", "Figure", "FigureInput", "FigureMaker", "REPORT_FIGURES", "build_figures", "in_made_order",
           "made_in_turn"]


@dataclass(frozen=True)
class FigureInput:
    """What a report's figure is made from: the summary, the KV heads and, for a figure drawn after them, the observations."""

    summary: Summary
    kv_heads: int | None = None
    observations: tuple[Observation, ...] = ()


@dataclass(frozen=True)
class FigureMaker:
    """A registry entry: a figure's slug (its module under reporter.charts is the slug with "_" for "-", and
    holds its ``make``), and whether it needs the tests and observations (then it is made after them; the
    others are drawn while the tests run)."""

    slug: str
    after_tests: bool = False

    def make(self, source: FigureInput) -> Figure | None:
        """The figure of ``source``, or None when it does not apply (no KV heads for the grouped-query view)."""
        from importlib import import_module

        return import_module(f"{__name__}.{self.slug.replace('-', '_')}").make(source)


# The report's figures, in page order.
REPORT_FIGURES = (
    FigureMaker("heatmaps"),
    FigureMaker("score-maps"),
    FigureMaker("score-distribution"),
    FigureMaker("layer-profile", after_tests=True),
    FigureMaker("overlap"),
    FigureMaker("kv-groups"),
)


def build_figures(summary: Summary, kv_heads: int | None = None,
                  on_figure: Callable[[Figure], None] | None = None,
                  observations: Iterable[Observation] = (), made: dict[str, Figure] | None = None,
                  early_only: bool = False) -> dict[str, Figure]:
    """The figures of a single-model report, keyed by slug in page order.

    ``early_only`` makes only the figures that need no tests (a build draws
    them while the tests run); figures in ``made`` are kept, not made again.
    ``on_figure`` is called with each drawn figure as soon as it is made, so
    that exporting one can start while the next is built.
    """
    made = dict(made or {})
    todo = [m for m in REPORT_FIGURES if m.slug not in made and not (early_only and m.after_tests)]
    made.update(made_in_turn([m.make for m in todo], FigureInput(summary, kv_heads, tuple(observations)), on_figure))
    return {m.slug: made[m.slug] for m in REPORT_FIGURES if m.slug in made}


def in_made_order(figures: dict[str, Figure]) -> dict[str, Figure]:
    """A report's figures in the order build_figures makes them (those after the tests last), for the export helper."""
    rank = {m.slug: (m.after_tests, i) for i, m in enumerate(REPORT_FIGURES)}
    return dict(sorted(figures.items(), key=lambda item: rank[item[0]]))


def made_in_turn(makers: Iterable[Callable[[T], Figure | None]], source: T,
                 on_figure: Callable[[Figure], None] | None) -> dict[str, Figure]:
    """Each maker's figure of ``source``, keyed by slug in order; ``on_figure`` gets each drawn one as soon as it is made."""
    from .compose import unchecked

    figures = {}
    with unchecked():
        for make in makers:
            figure = make(source)
            if figure is None:
                continue
            figures[figure.slug] = figure
            if on_figure is not None and figure.drawn:
                on_figure(figure)
    return figures

"""Charts: one function per figure, each turning a Summary into a Vega-Lite spec."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterable, TypeVar

from ..analysis.summarize import Summary

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Figure:
    """A Vega-Lite spec whose data lives apart, in named ``datasets``.

    Keeping the data apart lets a page inline each dataset once, however many
    figures use it; ``full_spec`` puts it back for export.
    """

    slug: str
    title: str
    spec: dict
    datasets: dict[str, list[dict]]
    alt_text: str = ""
    notes: tuple[str, ...] = field(default=())

    def full_spec(self) -> dict:
        """The spec with its datasets inline, as vl-convert and the .vl.json file want it."""
        return {**self.spec, "datasets": {k: self.datasets[k] for k in sorted(self.datasets)}}

    @cached_property
    def vl_json(self) -> str:
        """The .vl.json file: the full spec, sorted and indented for people to read."""
        return json.dumps(self.full_spec(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @cached_property
    def draw_json(self) -> str:
        """The full spec as vl-convert draws it: the same JSON, compact.

        Indenting needs Python's slow encoder, which would put 10 ms (80x64)
        to 30 ms (126x128) between the first figure and the export helper.
        """
        return json.dumps(self.full_spec(), separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def build_figures(summary: Summary, kv_heads: int | None = None,
                  on_figure: Callable[[Figure], None] | None = None) -> dict[str, Figure]:
    """Every figure of a single-model report, keyed by slug in page order.

    ``on_figure`` is called with each figure as soon as it is made, so that
    exporting one can start while the next is built.
    """
    from .heatmaps import heatmaps
    from .kv_groups import kv_groups
    from .layer_profile import layer_profile
    from .overlap import overlap

    makers: list[Callable[[Summary], Figure]] = [heatmaps, layer_profile, overlap]
    if kv_heads:
        makers.append(lambda s: kv_groups(s, kv_heads))
    return made_in_turn(makers, summary, on_figure)


def made_in_turn(makers: Iterable[Callable[[T], Figure]], source: T,
                 on_figure: Callable[[Figure], None] | None) -> dict[str, Figure]:
    """Each maker's figure of ``source``, keyed by slug in order; ``on_figure`` gets each one as soon as it is made."""
    from .compose import unchecked

    figures = {}
    with unchecked():
        for make in makers:
            figure = make(source)
            figures[figure.slug] = figure
            if on_figure is not None:
                on_figure(figure)
    return figures

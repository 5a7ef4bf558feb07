"""Charts: one function per figure, each turning a Summary into a Vega-Lite spec."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..summarize import Summary


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


def build_figures(summary: Summary, kv_heads: int | None = None) -> dict[str, Figure]:
    """Every figure of a single-model report, keyed by slug in page order."""
    from altair.utils.schemapi import debug_mode

    from .heatmaps import heatmaps
    from .kv_groups import kv_groups
    from .layer_profile import layer_profile
    from .overlap import overlap

    # Altair's debug mode validates every object as it is built and again on each
    # copy: a third of the build time. The finished specs are validated by the tests.
    with debug_mode(False):
        figures = [heatmaps(summary), layer_profile(summary), overlap(summary)]
        if kv_heads:
            figures.append(kv_groups(summary, kv_heads))
    return {f.slug: f for f in figures}

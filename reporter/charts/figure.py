"""Figure: one figure as a unit — its spec and data, its alt text, its data tables and its place on the page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

VEGALITE_MIME = "application/vnd.vegalite.v6+json"


@dataclass(frozen=True)
class DataTable:
    """A plain table: caption, column headers, rows of already formatted cells (first cell is a row header)."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, eq=False, repr=False)
class Figure:
    """A Vega-Lite spec whose data lives apart, in named ``datasets``, with what the page shows around it.

    Keeping the data apart lets a page inline each dataset once, however many
    figures use it; ``full_spec`` puts it back for export. ``alt_text`` says
    what it draws (the page adds the observations it shows, and those of the
    figures in ``also_shows``); ``tables`` are the numbers behind it; ``after``
    is the template partial that follows it on the page; ``stand_in`` is a
    sentence the page shows instead of the chart when there is nothing to draw
    (such a figure is not drawn or exported).
    """

    slug: str
    title: str
    spec: dict
    datasets: dict[str, list[dict]]
    alt_text: str = ""
    tables: tuple[DataTable, ...] = ()
    after: str | None = None
    also_shows: tuple[str, ...] = ()
    stand_in: str | None = None

    @property
    def drawn(self) -> bool:
        """Whether the page draws the figure and the site exports it (no stand-in sentence)."""
        return self.stand_in is None

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

    def __repr__(self) -> str:
        rows = sum(len(v) for v in self.datasets.values())
        return f"<Figure {self.slug!r}: {self.title} ({rows:,} data rows)>"

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict:
        """The chart for notebooks, or the stand-in sentence.

        Beside the Vega-Lite spec, the figure drawn as a static SVG in HTML: a front end that does not know
        Vega-Lite 6 (JupyterLab 4's renderer knows v3-v5, nbconvert's HTML export none) shows that instead,
        trusted or not, with no network.
        """
        text = repr(self)
        if not self.drawn:
            return {"text/plain": f"{text}\n{self.stand_in}"}
        return {VEGALITE_MIME: self.full_spec(), "text/html": self.svg_html(), "text/plain": text}

    def svg_html(self) -> str:
        """The figure as an <img> of its SVG drawing (vl-convert in this process), its alt text escaped."""
        import base64
        import html

        import vl_convert as vlc

        svg = vlc.vegalite_to_svg(self.draw_json)
        source = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        alt = html.escape(self.alt_text or self.title, quote=True)
        return f'<img alt="{alt}" style="max-width:100%" src="data:image/svg+xml;base64,{source}">'

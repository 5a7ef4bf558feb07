"""Render: Summary, observations and figures -> HTML pages via Jinja2 templates.

Template context (documented here; tests render every template under
StrictUndefined): every page gets ``page`` (a ReportPage) and ``vega_bundle``
(the inline JavaScript, already safe for a <script> element),
and ``theme`` (see assets.script_context).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import logging
import os
from dataclasses import dataclass, replace
from pathlib import Path

import jinja2

from .. import __version__
from .assets import cache_dir, script_context, script_json
from .csp import install as install_csp
from .head_detail import head_detail
from .alt_text import alt_text, caption
from ..charts import DataTable, Figure
from ..charts.theme import dark_colors, dark_config
from ..palette import multi_label
from ..rules import MIN_HEADS
from ..analysis.top_heads import CategoryTop, RelationTop
from ..observe.categories import Observation
from ..analysis.summarize import Summary
from ..input.models.known_models import matched_text
from ..rules import SHOWN_OBSERVATIONS

log = logging.getLogger(__name__)

FORMAT_LABELS = {"svg": "SVG", "png": "PNG", "pdf": "PDF"}


@dataclass(frozen=True)
class Link:
    """A download link: text and a relative href."""

    text: str
    href: str


@dataclass(frozen=True)
class Swatch:
    """A legend label and its colour."""

    label: str
    color: str


@dataclass(frozen=True)
class FigureView:
    """One figure as the page shows it."""

    slug: str
    title: str
    caption: str
    downloads: tuple[Link, ...]
    tables: tuple[DataTable, ...] = ()  # accessible data behind the figure
    after: str | None = None  # the template partial that follows the figure
    stand_in: str | None = None  # the sentence shown instead of a chart with nothing to draw
    alt: str = ""  # the full description (caption and the observations it shows); the caption when empty


@dataclass(frozen=True)
class CategoryRow:
    """One row of the per-category table, formatted for reading."""

    name: str
    color: str
    heads: int | str  # "not measured" when no relation of the category was scored
    share: str
    median: str
    iqr: str
    core: str
    core_share: str
    shared: int | str
    measured: bool = True  # False: nothing of it is drawn, so nothing to highlight


@dataclass(frozen=True)
class ReportPage:
    """The context of templates/report.html."""

    title: str
    version: str
    model: str
    shape: str
    shape_note: str | None
    source_name: str | None
    source_sha256: str | None
    rule: str
    example: bool
    generated: str | None
    totals: dict
    observations: tuple[Observation, ...]
    figures: tuple[FigureView, ...]
    categories: tuple[CategoryRow, ...]
    downloads: tuple[Link, ...]
    warnings: tuple[str, ...]
    payload: str
    nav: tuple[Link, ...] = ()
    highlights: tuple[Swatch, ...] = ()  # legend labels the page can highlight
    n_layers: int = 0
    top_heads: tuple[CategoryTop, ...] = ()
    relation_tops: tuple[RelationTop, ...] = ()
    min_heads: int = MIN_HEADS  # the fewest heads a category's interquartile range is shown for


SHAPE_NOTES = {
    # Given by the caller: --layers/--heads on the command line, layers=/heads= in Python, or the demo itself.
    "flag": "shape as given to the build",
    "metadata": "shape from the file's metadata",
    "known-model": "shape from the known-model table",
    "model-config": "shape from the model config",
    "inferred": None,
}


def shape_note(t) -> str | None:
    """Where the shape came from, naming the known model a name matched ("gpt-neox" -> EleutherAI/gpt-neox-20b)."""
    if t.shape_source == "known-model":
        return f"shape of {matched_text(t.model)}, from the known-model table"
    return SHAPE_NOTES.get(t.shape_source)


def highlight_labels(summary: Summary) -> list[str]:
    """Legend labels worth a highlight button: every measured category in panel order, then "N categories" when some head has N.

    Panel order, as the panels and tables run (the legend alone stacks them in reverse, as the reference does).
    """
    held = [multi_label(n) for n, heads in summary.by_n_categories if n >= 2 and heads]
    measured = [c.name for c in summary.categories if c.measured]  # nothing of an unmeasured one to highlight
    return [*measured, *held]


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one Jinja environment: autoescape on, undefined names are errors."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        bytecode_cache=TemplateCache(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["shown_observations"] = SHOWN_OBSERVATIONS  # the strongest first; the rest behind "more"
    return install_csp(env)


class TemplateCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept in the cache folder beside the Vega bundle.

    Compiling the templates from source costs about 0.08 s, a sixth of what a
    build does after its imports. Jinja checks each entry against its
    template's source and the Python version, so an edited template is
    compiled again; a cache folder that cannot be written only costs time.
    """

    def __init__(self) -> None:
        super().__init__(str(cache_dir() / "templates"))

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """The cached code of one template, if it can be read."""
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Keep one template's compiled code for the next build, if the folder can be written."""
        try:
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError as exc:
            log.info("cannot cache compiled templates in %s: %s", self.directory, exc)


def templates_dir() -> Path:
    """templates/ inside the installed wheel, else the repository's top-level folder."""
    here = Path(__file__).resolve().parents[1]  # the reporter package
    for candidate in (here / "templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("reporter's templates folder is missing; reinstall reporter")


def render_report(summary: Summary, observations: list[Observation], figures: dict[str, Figure],
                  title: str | None, formats: tuple[str, ...], with_downloads: bool = True,
                  nav: tuple[Link, ...] = (), theme: str | None = None) -> str:
    """The single-model report page as HTML text; ``nav`` links it to the other pages of a site.

    ``theme``: see script_context.
    """
    page = dataclasses.replace(report_page(summary, observations, figures, title, formats, with_downloads), nav=nav)
    return environment().get_template("report.html").render(page=page, **script_context(theme))


def report_page(summary: Summary, observations: list[Observation], figures: dict[str, Figure],
                title: str | None, formats: tuple[str, ...], with_downloads: bool) -> ReportPage:
    """Gather the view model of the report page."""
    t = summary.table
    model = t.model or (t.source.name if t.source else "model")
    return ReportPage(
        title=title or f"Attention-head categories: {model}",
        version=__version__,
        model=model,
        shape=(f"{t.n_layers} layers × {t.n_heads} key/value heads (each shared by {t.query_heads // t.n_heads} "
               f"of the model's {t.query_heads} query heads)" if t.kv_granular else f"{t.n_layers} layers × {t.n_heads} heads"),
        shape_note=shape_note(t),
        source_name=t.source.name if t.source else None,
        source_sha256=t.source.sha256 if t.source else None,
        rule=t.rule or "categories as given in the table",
        example=t.example,
        generated=generated_date(),
        totals={
            "heads": f"{summary.totals.heads:,}",
            "classified": f"{summary.totals.classified:,}",
            "unclassified": f"{summary.totals.unclassified:,}",
            "multi": f"{summary.totals.multi_category:,}",
        },
        observations=tuple(observations),
        figures=tuple(accessible(figure_view(f, formats if with_downloads else ()), f, observations)
                      for f in figures.values()),
        categories=tuple(category_row(c) for c in summary.categories),
        downloads=(Link("heads.csv", "data/heads.csv"), Link("summary.json", "data/summary.json")) if with_downloads else (),
        warnings=t.warnings,
        payload=script_json(page_payload(figures, head_detail(summary))),
        highlights=tuple(Swatch(label, summary.colors[label]) for label in highlight_labels(summary)),
        n_layers=t.n_layers,
        top_heads=summary.top_heads,
        relation_tops=summary.relation_tops,
    )


def accessible(view: FigureView, figure: Figure, observations: list[Observation]) -> FigureView:
    """The figure view with its caption and its alt text written from the observations."""
    return replace(view, caption=caption(figure), alt=alt_text(figure, observations))


def page_payload(figures: dict[str, Figure], heads: dict | None = None) -> dict:
    """Specs without data plus each dataset once, for the page's script; a figure with a stand-in has neither.

    ``heads`` is the per-head panel's data (head_detail), on a model's page only.
    """
    drawn = {slug: f for slug, f in figures.items() if f.drawn}
    datasets: dict[str, list[dict]] = {}
    for figure in drawn.values():
        datasets.update(figure.datasets)
    return {"datasets": datasets, "specs": {slug: f.spec for slug, f in drawn.items()}, "dark": dark_config(),
            "darkColors": dark_colors(), **({"heads": heads} if heads is not None else {})}


def figure_view(figure: Figure, formats: tuple[str, ...]) -> FigureView:
    """A figure's heading, caption, data tables, place on the page and export links (none for a stand-in)."""
    links = [Link(FORMAT_LABELS[f], f"figures/{figure.slug}.{f}") for f in formats if figure.drawn]
    if formats and figure.drawn:
        links.append(Link("Vega-Lite spec", f"figures/{figure.slug}.vl.json"))
    return FigureView(figure.slug, figure.title, figure.alt_text, tuple(links), figure.tables, figure.after,
                      figure.stand_in)


def category_row(c) -> CategoryRow:
    """Format one category's statistics for the table."""
    if not c.measured:
        return CategoryRow(c.name, c.color, "not measured", "–", "–", "–", "–", "–", "–", measured=False)
    if not c.heads:
        return CategoryRow(c.name, c.color, 0, "0%", "–", "–", "–", "–", 0)
    return CategoryRow(
        name=c.name,
        color=c.color,
        heads=c.heads,
        share=f"{100 * c.share_of_heads:.1f}%",
        median=f"{c.layer_median:g}",
        # Quartiles of a handful of heads are interpolations between them (0.75–2.25 of two heads): none
        # below the minimum of a claim, whose heads the observations list by id instead.
        iqr=f"{c.layer_q1:g}–{c.layer_q3:g}" if c.heads >= MIN_HEADS else "–",
        core=f"{c.core_layers[0]}–{c.core_layers[1]}",
        core_share=f"{100 * c.core_share:.0f}%",
        shared=c.shared_heads,
    )


def generated_date() -> str | None:
    """The build date only when SOURCE_DATE_EPOCH asks for one, so output stays byte-stable."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    try:
        stamp = dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None
    return stamp.strftime("%Y-%m-%d %H:%M UTC")


def render_notebook_frame(page_html: str, follow_theme: bool = True) -> str:
    """A page wrapped in a sandboxed srcdoc iframe that sizes itself to the page (templates/notebook.html).

    ``follow_theme``: tell the page the notebook's theme (dark in a dark JupyterLab or VS Code).
    """
    return environment().get_template("notebook.html").render(page_html=page_html, follow_theme=follow_theme)

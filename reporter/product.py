"""Product: what every built thing (one model's report, a multi-model site, a diff) offers its users.

The CLI and the trackers use only this interface, so ``--mlflow`` and ``--wandb``
work alike for one model, several models and a diff.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Callable

from .charts import Figure
from .options import Options
from .errors import UsageError
from .vega.exporter import Exporter

Progress = Callable[[str], None]


def silent(_message: str) -> None:
    """A progress callback that shows nothing."""


class NotebookFrame:
    """HTML that a notebook shows as it is: a product's page in its frame."""

    def __init__(self, html: str) -> None:
        self.html = html

    def __repr__(self) -> str:
        return f"<NotebookFrame: {len(self.html):,} characters of HTML>"

    def _repr_html_(self) -> str:
        """The frame, for the notebook to show."""
        return self.html


class Product(ABC):
    """A built report, site or diff, in memory until saved.

    Its ``exporter`` draws the figures when it is saved or logged: the one the
    caller handed to the build, else one the build started (ended by ``close``,
    by leaving a ``with`` block, or when the product is dropped).
    """

    exporter: Exporter

    @abstractmethod
    def pages(self) -> dict[str, bytes]:
        """The HTML pages of the site folder, by path relative to it."""

    @abstractmethod
    def documents(self) -> dict[str, bytes]:
        """The data files (JSON and CSV) of the site folder, by path relative to it."""

    @abstractmethod
    def figure_sets(self) -> dict[str, dict[str, Figure]]:
        """Figures by the folder they belong to ("" for the top), in the order they were made."""

    @abstractmethod
    def headline(self) -> dict[str, float]:
        """Headline numbers, named so every tracker accepts them as metric keys."""

    @abstractmethod
    def params(self) -> dict[str, str]:
        """Run parameters (model, shape, rule, score column), one short line each, for a tracker's run."""

    @abstractmethod
    def to_html(self, theme: str | None = None) -> str:
        """The main page as one self-contained HTML file (no links to side files).

        ``theme`` "light" or "dark" fixes the page's colours; None follows the reader's system.
        """

    options: Options  # every product keeps the options it was built with
    default_folder = "site"  # where ``save`` writes when no folder is given

    @property
    def force(self) -> bool:
        """Whether the user allowed writing into a folder reporter did not make (``--force``)."""
        return self.options.force

    @property
    def formats(self) -> tuple[str, ...]:
        """The static formats every figure is exported to."""
        return self.options.formats

    def notebook(self, theme: str | None = None) -> "NotebookFrame":
        """The main page for a notebook cell, in a frame that fits its content.

        ``theme`` None: light, or dark when the notebook shows a dark theme (JupyterLab, VS Code);
        "light" or "dark": that one.
        """
        from .pages.report import render_notebook_frame

        if theme not in (None, "light", "dark"):
            raise UsageError(f'theme must be "light", "dark" or None, not {theme!r}')
        return NotebookFrame(render_notebook_frame(self.to_html(theme=theme or "light"), follow_theme=theme is None))

    def _repr_html_(self) -> str:
        """The main page in a notebook (see ``notebook``)."""
        return self.notebook()._repr_html_()

    def input_digests(self) -> tuple[str, ...]:
        """The SHA-256 of each input file, which ``save_html`` never overwrites."""
        return ()

    def step_metrics(self) -> dict[int, dict[str, float]]:
        """Metrics per training step, for trackers to log at that step (a timeline has them; others none)."""
        return {}

    def table_files(self) -> tuple[str, ...]:
        """The local files the tables were read from (every part of a folder or dataset)."""
        return ()

    def input_files(self) -> tuple[str, ...]:
        """Every local file the build read: the tables' files, --model-config and --category-map.

        ``save_html`` never replaces one, and ``save`` never writes into a folder holding one.
        """
        given = (self.options.model_config, self.options.category_map)
        return tuple(dict.fromkeys((*self.table_files(), *(str(f) for f in given if f))))

    def close(self) -> None:
        """End the export helper drawing this product's figures; saving still works, drawing in this process."""
        self.exporter.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def bundled(self):
        """Cache the Vega bundle the export helper built, if it built one (every page inlines it); return self."""
        from .pages.assets import cache_bundle

        cache_bundle(self.exporter.bundle)
        return self

    def save_html(self, path: str | Path) -> Path:
        """Write only the main page as one self-contained HTML file (``--single-file``), atomically."""
        from .output.single_file import write_single_file

        return write_single_file(given_path(path), self.to_html(), force=self.force, inputs=self.input_digests(),
                                 files=self.input_files())

    def figure_count(self) -> int:
        """How many figures the product holds, over all its pages."""
        return sum(len(figures) for figures in self.figure_sets().values())

    def files(self) -> dict[str, bytes]:
        """Every file of the site except figure exports, keyed by relative path."""
        return {**self.pages(), ".nojekyll": b"", **self.documents()}

    def parts(self) -> dict[str, tuple[dict[str, bytes], dict[str, Figure]]]:
        """Files and figures per folder prefix, for the writer; the files all go with the top folder."""
        parts = {prefix: ({}, figures) for prefix, figures in self.figure_sets().items()}
        parts[""] = (self.files(), parts.get("", ({}, {}))[1])  # keeps its place in the order figures were made
        return parts

    def save(self, out: str | Path | None = None, progress: Progress | None = None) -> Path:
        """Write the site into ``out`` atomically and return its path; ``progress`` hears of each step."""
        from .output.write import write_sites

        say = progress or silent
        say("rendering the pages")
        parts = self.parts()
        return write_sites(given_path(out or self.default_folder), parts, self.formats, say, force=self.force,
                           exporter=self.exporter, inputs=self.input_files())


def given_path(value: object) -> Path:
    """Where to write, as a Path; anything but text or a path is an OutputError, not a TypeError."""
    import os

    from .errors import OutputError

    if not isinstance(value, (str, os.PathLike)):
        raise OutputError(f"the place to write must be a path, not {type(value).__name__}")
    return Path(value)

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


class Product(ABC):
    """A built report, site or diff, in memory until saved."""

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
    def to_html(self) -> str:
        """The main page as one self-contained HTML file (no links to side files)."""

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

    def input_digests(self) -> tuple[str, ...]:
        """The SHA-256 of each input file, which ``save_html`` never overwrites."""
        return ()

    def save_html(self, path: str | Path) -> Path:
        """Write only the main page as one self-contained HTML file (``--single-file``), atomically."""
        from .output.single_file import write_single_file

        return write_single_file(path, self.to_html(), force=self.force, inputs=self.input_digests())

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

    def save(self, out: str | Path | None = None, progress: Callable[[str], None] | None = None) -> Path:
        """Write the site into ``out`` atomically and return its path."""
        from .output.write import write_sites

        return write_sites(Path(out or self.default_folder), self.parts(), self.formats, progress, force=self.force)

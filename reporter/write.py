"""Write: put a built site on disk atomically, exporting figures with vl-convert."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from .charts import Figure
from .errors import OutputError
from .exporter import draw, draw_all

log = logging.getLogger(__name__)

MARKER = ".reporter-site"
MARKER_TEXT = "This folder was written by reporter; it may replace the folder's contents on the next build.\n"
# A PDF resource dictionary: lines of "/name N 0 R" whose order vl-convert leaves to a hash map.
PDF_RESOURCES = re.compile(rb"<<\n((?:[ \t]*/[^\s/<>]+ \d+ 0 R\n)+)([ \t]*>>)")


def write_site(out: Path, files: dict[str, bytes], figures: dict[str, Figure], formats: tuple[str, ...],
               progress: Callable[[str], None] | None = None) -> Path:
    """Write ``files`` and every figure's exports into ``out``, all or nothing.

    Everything goes into a temporary folder beside ``out`` first and is then
    swapped in, so an interrupted build leaves the previous site as it was.
    """
    out = Path(out)
    check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.reporter-tmp-", dir=out.parent))
    try:
        os.chmod(tmp, 0o777 & ~current_umask())  # mkdtemp makes 0700; a site should be readable
        for rel, data in sorted({**files, MARKER: MARKER_TEXT.encode()}.items()):
            put(tmp / rel, data)
        specs = {slug: spec_text(figure) for slug, figure in figures.items()}
        for slug, drawn in draw_all(specs, formats, progress):
            for rel, data in figure_files(slug, specs[slug], drawn).items():
                put(tmp / "figures" / rel, data)
        swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def check_target(out: Path) -> None:
    """Refuse to replace a folder reporter did not write, or a file."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} is a file, not a folder; choose another output folder with -o")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise OutputError(
            f"{out} already holds files that reporter did not write; choose an empty or new folder with -o"
        )


def put(path: Path, data: bytes) -> None:
    """Write bytes, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def swap_in(tmp: Path, out: Path) -> None:
    """Replace ``out`` with ``tmp`` using renames, keeping the old site until the new one is in place."""
    if not out.exists():
        tmp.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.reporter-old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    try:
        tmp.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def export_figure(figure: Figure, formats: tuple[str, ...]) -> dict[str, bytes]:
    """The figure's spec and its static images, keyed by file name."""
    text = spec_text(figure)
    return figure_files(figure.slug, text, draw(text, formats))


def spec_text(figure: Figure) -> str:
    """The .vl.json file: the full spec, sorted and indented (vl-convert draws from this text too)."""
    return json.dumps(figure.full_spec(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def figure_files(slug: str, text: str, drawn: dict[str, bytes]) -> dict[str, bytes]:
    """File name -> bytes for one figure's spec and drawings (see exporter: one SVG, converted)."""
    out = {f"{slug}.vl.json": text.encode()}
    for fmt, data in drawn.items():
        out[f"{slug}.{fmt}"] = stable_pdf(data) if fmt == "pdf" else data
    return out


def stable_pdf(pdf: bytes) -> bytes:
    """Sort the entries of each resource dictionary so equal figures give equal bytes.

    Sorting lines inside one dictionary keeps every object's length, so the
    cross-reference offsets stay valid.
    """
    return PDF_RESOURCES.sub(
        lambda m: b"<<\n" + b"".join(sorted(m.group(1).splitlines(keepends=True))) + m.group(2), pdf
    )


def current_umask() -> int:
    """The process umask (reading it means setting it, so set it back at once)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask

"""Single file: write the one self-contained HTML page of ``--single-file``, atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import OutputError


def write_single_file(path: str | Path, html: str) -> Path:
    """Write ``html`` to ``path`` all or nothing: a temporary file beside it, then a rename.

    An interrupted build leaves the previous file (or no file) in place, never
    a half-written page.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path} is a folder; give --single-file a file name such as report.html")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {path.parent}: {exc.strerror}; choose another path") from None
    data = html.encode("utf-8")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".reporter-tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write into {path.parent}: {exc.strerror}; choose another path") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600; a page should be readable like any file
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def current_umask() -> int:
    """The process umask (reading it means setting it, so set it back at once)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask

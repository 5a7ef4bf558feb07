"""Single file: write the one self-contained HTML page of ``--single-file``, atomically."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from ..digest import sha256_of
from ..errors import OutputError
from .guard import check_single_file

# Every page reporter writes carries this in its first bytes (templates/base.html).
GENERATOR = b'<meta name="generator" content="reporter '
HEAD_BYTES = 4096


def write_single_file(path: str | Path, html: str, force: bool = False, inputs: tuple[str, ...] = (),
                      files: tuple[str, ...] = ()) -> Path:
    """Write ``html`` to ``path`` all or nothing: a temporary file beside it, then a rename.

    An interrupted build leaves the previous file (or no file) in place, never
    a half-written page. An existing file is replaced only if reporter wrote it
    (or with ``force``), never if it is not a regular file or is an input (``inputs``: their SHA-256,
    ``files``: their paths), nor in a system folder.
    """
    path = Path(path)
    check_target(path, force, inputs)
    check_single_file(path, files)
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


def check_target(path: Path, force: bool, inputs: tuple[str, ...]) -> None:
    """Refuse a target that is a folder, a device or link, the input table, or a file reporter did not write."""
    if not os.path.lexists(path):
        return
    mode = os.lstat(path).st_mode
    if stat.S_ISDIR(mode):
        raise OutputError(f"{path} is a folder; give --single-file a file name such as report.html")
    if not stat.S_ISREG(mode):
        raise OutputError(f"{path} is not a regular file (a link, device or pipe); give --single-file a new file name")
    if inputs and sha256_of(path) in inputs:
        raise OutputError(f"{path} is the input table; give --single-file another file name such as report.html")
    if not force and not written_by_reporter(path):
        raise OutputError(f"{path} already exists and reporter did not write it; choose a new file name, "
                          "or pass --force to replace it")


def written_by_reporter(path: Path) -> bool:
    """Whether a file starts like a page reporter wrote (its generator tag in the first bytes)."""
    try:
        with open(path, "rb") as fh:
            return GENERATOR in fh.read(HEAD_BYTES)
    except OSError:
        return False


def current_umask() -> int:
    """The process umask (reading it means setting it, so set it back at once)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask

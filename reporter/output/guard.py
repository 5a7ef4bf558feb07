"""Guard: the places a build never writes, whatever the options — system and home folders, and its inputs.

``--force`` lets a build add a site to a folder reporter did not make; it never
lets it recreate ``/etc`` (whose folders would lose their owner) or a home
folder, nor replace a file the build is reading.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from ..errors import OutputError

try:
    import pwd
except ImportError:  # Windows: no user database; only the user's own home is known
    pwd = None  # type: ignore[assignment]

# Top-level folders of the system whose whole tree belongs to the OS (a site under /var/www or /srv is fine).
SYSTEM_TREES = ("bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "sbin", "sys", "usr")


def check_output_folder(out: Path, inputs: Iterable[str] = (), root: Path | None = None,
                        homes: Iterable[Path] | None = None) -> None:
    """Refuse a system or home folder as the output folder, and one that holds a file of the input.

    ``root`` and ``homes`` default to the file system's root and every user's home (tests pass a fake root).
    """
    real = Path(os.path.realpath(out))
    top = Path(os.path.realpath(root or real.anchor))
    why = system_place(real, top) or home_place(real, top, homes)
    if why:
        raise OutputError(f"{out} is {why}; reporter never writes a site there, even with --force — "
                          "choose a folder of its own with -o, such as ./site")
    for file in inputs:
        found = Path(os.path.realpath(file))
        if is_inside(found, real):
            raise OutputError(f"{out} holds {found.relative_to(real)}, which this build reads; choose an output "
                              "folder outside the input with -o, so the input stays as it is")


def check_single_file(path: Path, inputs: Iterable[str] = (), root: Path | None = None) -> None:
    """Refuse a --single-file that is one of the build's input files or lies in a system folder."""
    real = Path(os.path.realpath(path))
    top = Path(os.path.realpath(root or real.anchor))
    if real.parent == top or system_place(real, top):
        raise OutputError(f"{path} is in a system folder; give --single-file a path of your own, such as report.html")
    if any(Path(os.path.realpath(file)) == real for file in inputs):
        raise OutputError(f"{path} is a file this build reads; give --single-file another file name "
                          "such as report.html")


def system_place(real: Path, top: Path) -> str | None:
    """Why ``real`` is a system folder: the root, a top-level folder, or inside one of SYSTEM_TREES."""
    if real == top:
        return "the root of the file system"
    if not is_inside(real, top):
        return None
    first = real.relative_to(top).parts[0]
    if first in SYSTEM_TREES:
        return f"inside the system folder {top / first}"
    return "a top-level system folder" if real.parent == top else None


def home_place(real: Path, top: Path, homes: Iterable[Path] | None) -> str | None:
    """Why ``real`` is a home folder itself (its own, any user's, or a folder right under /home)."""
    if homes is None:
        homes = [Path.home(), *(Path(user.pw_dir) for user in (pwd.getpwall() if pwd else ()))]
    if real.parent == top / "home" or real in {Path(os.path.realpath(h)) for h in homes}:
        return "a home folder"
    return None


def is_inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies under it."""
    return path == folder or folder in path.parents

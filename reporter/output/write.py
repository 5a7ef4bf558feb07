"""Write: put a built site on disk atomically, exporting figures with vl-convert."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import glob
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import IO, Callable, Iterator

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; concurrent builds of one folder are then unsafe
    fcntl = None  # type: ignore[assignment]

from ..charts import Figure
from ..digest import sha256_of
from ..errors import OutputError
from ..vega.exporter import Exporter

log = logging.getLogger(__name__)

MARKER = ".reporter-site"
MARKER_NOTE = (
    "This folder holds a site written by reporter. The next build replaces or removes the files listed "
    "under 'files' whose content still has the SHA-256 given there, and leaves every other file as it is."
)
MARKER_KEYS = {"files", "note"}
SHA256 = re.compile(r"[0-9a-f]{64}")
# A build stages everything in a folder beside the output named ".<name>.reporter-tmp-<random>",
# holding TMP_MARKER (locked while the build runs), the new site in new/ and, for a moment, the
# previous site in old/. The next build recognises leftovers by that name and marker.
TMP_INFIX = ".reporter-tmp-"
TMP_MARKER = ".reporter-tmp"
TMP_NOTE = "A build of reporter in progress or interrupted; the next build removes this folder.\n"
LEGACY_OLD_INFIX = ".reporter-old-"  # the previous site parked by an earlier version of swap_in
RENAME_EXCHANGE = 2  # linux/fs.h: swap two paths atomically
# A PDF resource dictionary: lines of "/name N 0 R" whose order vl-convert leaves to a hash map.
PDF_RESOURCES = re.compile(rb"<<\n((?:[ \t]*/[^\s/<>]+ \d+ 0 R\n)+)([ \t]*>>)")


def write_site(out: Path, files: dict[str, bytes], figures: dict[str, Figure], formats: tuple[str, ...],
               progress: Callable[[str], None] | None = None, force: bool = False) -> Path:
    """Write ``files`` and every figure's exports into ``out``, all or nothing.

    Everything goes into a staging folder beside ``out`` first and is then
    swapped in, so an interrupted build leaves the previous site as it was.
    Files in ``out`` that reporter did not write are carried into the new
    site untouched; ``force`` allows a folder that has no reporter marker.
    """
    return write_sites(out, {"": (files, figures)}, formats, progress, force)


def write_sites(out: Path, parts: dict[str, tuple[dict[str, bytes], dict[str, Figure]]], formats: tuple[str, ...],
                progress: Callable[[str], None] | None = None, force: bool = False,
                exporter: Exporter | None = None) -> Path:
    """Write several pages' files and figures, each under its folder prefix ("" for the top), all or nothing.

    ``exporter`` draws the figures (a helper process's when it runs; in this process without one).
    """
    exporter = exporter or Exporter()
    out = Path(os.path.abspath(out))  # abspath also folds "..", so out.name is the folder's name
    try:
        recover(out)
        ours, legacy = owned_files(out, force)
        out.parent.mkdir(parents=True, exist_ok=True)
        with staging(out) as stage:
            new = stage / "new"
            new.mkdir()
            written: dict[str, str] = {}
            for prefix, (files, figures) in parts.items():
                written.update(stage_site(new, prefix, files, figures, formats, progress, exporter))
            put(new / MARKER, marker_bytes(written))
            if out.is_dir():
                carry_over(out, new, ours | (legacy & written.keys()))
                shutil.copymode(out, new)  # a user's folder keeps its permissions
            swap_in(new, out, stage)
    except OSError as exc:  # a full disk, a read-only folder, a quota: the user's to fix
        raise OutputError(
            f"cannot write the site into {out} ({exc.strerror or exc}); the folder was left as it was — "
            "free some space or choose another folder with -o"
        ) from exc
    return out


def stage_site(new: Path, prefix: str, files: dict[str, bytes], figures: dict[str, Figure],
               formats: tuple[str, ...], progress: Callable[[str], None] | None,
               exporter: Exporter) -> dict[str, str]:
    """Write one page's files and figure exports under ``new/prefix``; return their SHA-256 by path relative to ``new``."""
    base = f"{prefix}/" if prefix else ""
    written = {}
    for rel, data in sorted(files.items()):
        put(new / base / rel, data)
        written[base + rel] = hashlib.sha256(data).hexdigest()
    shown = (lambda slug: progress(f"writing {base}figures/{slug}")) if progress else None
    for rel, data in exported_files(figures, formats, exporter, shown):
        put(new / base / "figures" / rel, data)
        written[f"{base}figures/{rel}"] = hashlib.sha256(data).hexdigest()
    return written


def marker_bytes(written: dict[str, str]) -> bytes:
    """The marker file: a note and each file this build wrote with the SHA-256 of its bytes (its manifest)."""
    return (json.dumps({"files": written, "note": MARKER_NOTE}, indent=2, sort_keys=True) + "\n").encode()


def owned_files(out: Path, force: bool) -> tuple[set[str], set[str]]:
    """The files in ``out`` a previous build wrote: those unchanged since (they may go), and those of a 0.1 list.

    A 0.1 marker lists names without hashes, so it vouches for no content:
    its files may be replaced by a file of the same name, never removed.
    """
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OutputError(f"{out} is a file or a link, not a folder; choose another output folder with -o")
    if not out.is_dir():
        return set(), set()
    listed = manifest(out / MARKER)
    if listed is not None:
        present = {rel for rel in listed if plain_inside(out, rel)}
        return {rel for rel in present if listed[rel] and sha256_of(out / rel) == listed[rel]}, \
            {rel for rel in present if listed[rel] is None}
    others = sorted(p.name for p in out.iterdir())
    if others and not force:
        raise OutputError(
            f"{out} already holds files that reporter did not write (e.g. {others[0]}); choose an empty or new "
            "folder with -o, or pass --force to add the report beside them (reporter never removes them)"
        )
    return set(), set()  # with --force a foreign folder, or one whose marker does not parse, loses nothing


def manifest(marker: Path) -> dict[str, str | None] | None:
    """The files an intact marker lists, with their SHA-256 (None in a 0.1 list); None unless it parses exactly.

    Anything but the exact format (a truncated file, conflict markers, a
    missing or null list, a list of other things) makes the folder foreign.
    """
    if not is_plain_file(marker):
        return None
    try:
        doc = json.loads(marker.read_bytes().decode("utf-8"))
    except (ValueError, OSError):
        return None
    if not isinstance(doc, dict) or set(doc) != MARKER_KEYS:
        return None
    files = doc["files"]
    if isinstance(files, list) and all(isinstance(rel, str) for rel in files):
        return dict.fromkeys(filter(safe_relative, files))  # an earlier version's list, without hashes
    if isinstance(files, dict) and all(isinstance(d, str) and SHA256.fullmatch(d) for d in files.values()):
        return {rel: d for rel, d in files.items() if safe_relative(rel)}
    return None


def safe_relative(rel: str) -> bool:
    """A plain relative path inside the folder: no absolute path, no '..', nothing empty."""
    parts = rel.split("/")
    return bool(rel) and not rel.startswith("/") and "\\" not in rel and all(p not in ("", ".", "..") for p in parts)


def plain_inside(out: Path, rel: str) -> bool:
    """Whether ``out/rel`` is a plain file reached through no link (a link on the way leads to the user's files)."""
    path = out / rel
    return is_plain_file(path) and not any(p.is_symlink() for p in path.parents if out in p.parents)


def is_plain_file(path: Path) -> bool:
    """A regular file, not a link (a link or folder at a path we wrote is the user's)."""
    return path.is_file() and not path.is_symlink()


def carry_over(src: Path, dst: Path, ours: set[str], rel: str = "") -> None:
    """Hard-link (or copy) into ``dst`` every entry of ``src`` that reporter did not write.

    Links keep the very same files, so the user's files survive the swap
    byte for byte; a user's file where the new site has one is a conflict.
    """
    for entry in sorted(os.scandir(src), key=lambda e: e.name):
        path = Path(entry.path)
        name = f"{rel}{entry.name}"
        if name == MARKER or (name in ours and is_plain_file(path)):
            continue
        target = dst / entry.name
        if entry.is_dir(follow_symlinks=False):
            if target.exists() and not target.is_dir():
                raise conflict(src, name)
            target.mkdir(exist_ok=True)
            carry_over(path, target, ours, name + "/")
            shutil.copystat(path, target)
        elif os.path.lexists(target):
            raise conflict(src, name)
        elif entry.is_symlink():
            os.symlink(os.readlink(path), target)
        else:
            link_or_copy(path, target)


def conflict(src: Path, name: str) -> OutputError:
    """The error for a user's file standing where the report puts one of its own."""
    return OutputError(
        f"{src / Path(name).name} was not written by reporter but the report needs that name ({name}); "
        "move it away or choose another folder with -o (reporter never overwrites files it did not write)"
    )


def link_or_copy(src: Path, dst: Path) -> None:
    """A hard link where the file system allows one, else a copy with metadata."""
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


def put(path: Path, data: bytes) -> None:
    """Write bytes, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@contextlib.contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A locked staging folder beside ``out``, removed afterwards whatever happens."""
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}{TMP_INFIX}", dir=out.parent))
    with open(stage / TMP_MARKER, "w", encoding="utf-8") as lock:
        lock.write(TMP_NOTE)
        lock.flush()
        hold(lock)
        try:
            yield stage
        finally:
            shutil.rmtree(stage, ignore_errors=True)


def hold(lock: IO[str]) -> None:
    """Lock a staging folder's marker for as long as the build runs (the OS frees it on any exit)."""
    if fcntl is not None:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # blocks only while another build's in_use() peeks


def in_use(stage: Path) -> bool:
    """Whether a running build holds this staging folder's lock."""
    if fcntl is None:
        return False
    try:
        with open(stage / TMP_MARKER, "rb") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    return False


def swap_in(new: Path, out: Path, stage: Path) -> None:
    """Replace ``out`` with ``new``: one atomic exchange where possible, else two renames.

    With two renames the previous site waits in ``stage/old`` between them;
    if the process dies there, the next build's ``recover`` puts it back.
    """
    if not out.exists():
        new.rename(out)
        return
    if exchange(new, out):
        return  # the previous site now sits at `new`, inside the staging folder
    old = stage / "old"
    out.rename(old)
    try:
        new.rename(out)
    except BaseException:
        old.rename(out)
        raise


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux's renameat2; False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    if not hasattr(libc, "renameat2"):
        return False
    at_fdcwd = -100
    if libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    errno_ = ctypes.get_errno()
    if errno_ in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False  # a file system without RENAME_EXCHANGE: fall back to two renames
    raise OSError(errno_, os.strerror(errno_), str(b))


def recover(out: Path) -> None:
    """Clean up after interrupted builds of ``out``: restore a parked site, remove staging folders.

    Only folders named like ours that carry our marker (or are empty) are
    touched, and never one whose build is still running.
    """
    if not out.parent.is_dir():
        return
    for leftover in sorted(out.parent.glob(f".{glob.escape(out.name)}{TMP_INFIX}*")):
        if not leftover.is_dir() or leftover.is_symlink() or in_use(leftover):
            continue
        if not (leftover / TMP_MARKER).is_file() and any(leftover.iterdir()):
            continue  # not ours
        parked = leftover / "old"
        if parked.is_dir() and not os.path.lexists(out):
            log.warning("restoring %s from an interrupted build", out)
            parked.rename(out)
        shutil.rmtree(leftover)
    for leftover in sorted(out.parent.glob(f".{glob.escape(out.name)}{LEGACY_OLD_INFIX}*")):
        if not os.path.lexists(out):
            leftover.rename(out)
        elif (leftover / MARKER).is_file():
            shutil.rmtree(leftover)


def exported_files(figures: dict[str, Figure], formats: tuple[str, ...], exporter: Exporter | None = None,
                   progress: Callable[[str], None] | None = None) -> Iterator[tuple[str, bytes]]:
    """(file name, bytes) of every figure's spec and static images, figure by figure, drawn by ``exporter``.

    Without an exporter the figures are drawn in this process.
    """
    specs = {slug: figure.draw_json for slug, figure in figures.items()}
    for slug, drawn in (exporter or Exporter()).draw_all(specs, formats, progress):
        yield from figure_files(slug, figures[slug].vl_json, drawn).items()


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


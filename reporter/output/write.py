"""Write: put a built site on disk atomically, exporting figures with vl-convert."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import glob
import hashlib
import itertools
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
from .guard import check_output_folder

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
LOCK_SUFFIX = ".reporter-lock"  # ".<name>.reporter-lock" beside the output: held by the one build writing it
KEPT_SUFFIX = ".reporter-kept"  # a user's file that changed while the build ran, kept beside the report's own
LEGACY_OLD_INFIX = ".reporter-old-"  # the previous site parked by an earlier version of swap_in
RENAME_EXCHANGE = 2  # linux/fs.h: swap two paths atomically
# A PDF resource dictionary: lines of "/name N 0 R" whose order vl-convert leaves to a hash map.
PDF_RESOURCES = re.compile(rb"<<\n((?:[ \t]*/[^\s/<>]+ \d+ 0 R\n)+)([ \t]*>>)")
# What tells a file apart from the one a later save put at its path: (device, inode, size, mtime in ns).
Identity = tuple[int, int, int, int]


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
                exporter: Exporter | None = None, inputs: tuple[str, ...] = ()) -> Path:
    """Write several pages' files and figures, each under its folder prefix ("" for the top), all or nothing.

    ``exporter`` draws the figures (a helper process's when it runs; in this process without one);
    ``inputs`` are the files the build read, which the folder must not hold.
    """
    exporter = exporter or Exporter()
    out = Path(os.path.abspath(out))  # abspath also folds "..", so out.name is the folder's name
    check_output_folder(out, inputs)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with build_lock(out):
            recover(out)
            owned = owned_files(out, force)
            check_no_mount(out)
            with staging(out) as stage:
                write_staged(out, stage, parts, formats, progress, exporter, owned)
    except OSError as exc:  # a full disk, a read-only folder, a quota: the user's to fix
        raise OutputError(
            f"cannot write the site into {out} ({exc.strerror or exc}); the folder was left as it was — "
            "free some space or choose another folder with -o"
        ) from exc
    return out


def write_staged(out: Path, stage: Path, parts: dict[str, tuple[dict[str, bytes], dict[str, Figure]]],
                 formats: tuple[str, ...], progress: Callable[[str], None] | None, exporter: Exporter,
                 owned: tuple[dict[str, Identity], set[str]]) -> None:
    """Stage the new site in ``stage/new``, carry the user's files over, swap it in, then keep late arrivals."""
    ours, legacy = owned
    new = stage / "new"
    new.mkdir()
    written: dict[str, str] = {}
    for prefix, (files, figures) in parts.items():
        written.update(stage_site(new, prefix, files, figures, formats, progress, exporter))
    put(new / MARKER, marker_bytes(written))
    known: dict[str, Identity] = {}
    if out.is_dir():
        dropped = {rel: ours[rel] for rel in ours} | {rel: None for rel in legacy & written.keys()}
        known = carry_over(out, new, dropped)
        keep_attributes(out, new)  # a user's folder keeps its owner, group and permissions
        give_to_owner(out, new, written)
    previous = swap_in(new, out, stage)
    if previous is not None:
        keep_late_files(previous, out, known)


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


def owned_files(out: Path, force: bool) -> tuple[dict[str, Identity], set[str]]:
    """The files in ``out`` a previous build wrote: those unchanged since (they may go), and those of a 0.1 list.

    The first come with their identity when they were hashed, so a save over
    one while the build runs is noticed. A 0.1 marker lists names without
    hashes, so it vouches for no content: its files may be replaced by a file
    of the same name, never removed.
    """
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OutputError(f"{out} is a file or a link, not a folder; choose another output folder with -o")
    if not out.is_dir():
        return {}, set()
    listed = manifest(out / MARKER)
    if listed is not None:
        present = {rel: identity(out / rel) for rel in listed if plain_inside(out, rel)}
        return {rel: seen for rel, seen in present.items() if listed[rel] and sha256_of(out / rel) == listed[rel]}, \
            {rel for rel in present if listed[rel] is None}
    others = sorted(p.name for p in out.iterdir())
    if others and not force:
        raise OutputError(
            f"{out} already holds files that reporter did not write (e.g. {others[0]}); choose an empty or new "
            "folder with -o, or pass --force to add the report beside them (reporter never removes them)"
        )
    return {}, set()  # with --force a foreign folder, or one whose marker does not parse, loses nothing


def check_no_mount(out: Path) -> None:
    """Refuse a folder that is, or holds, a mount point: swapping the site would move it or empty it."""
    if not out.is_dir():
        return
    for folder, _, _ in os.walk(out):  # os.walk does not follow links to folders
        if os.path.ismount(folder):
            raise OutputError(f"{folder} is a mount point inside the output folder; reporter would have to move it, "
                              "so unmount it or choose another folder with -o")


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


def carry_over(src: Path, dst: Path, dropped: dict[str, Identity | None], rel: str = "") -> dict[str, Identity]:
    """Hard-link (or copy) into ``dst`` every entry of ``src`` that reporter did not write.

    Links keep the very same files, so the user's files survive the swap
    byte for byte; a user's file where the new site has one is a conflict.
    ``dropped`` are the files the new site replaces or removes (with their
    identity when known). Returns the identity of every file carried or
    dropped, so that ``keep_late_files`` can tell what changed since.
    """
    known: dict[str, Identity] = {}
    for entry in sorted(os.scandir(src), key=lambda e: e.name):
        with contextlib.suppress(FileNotFoundError):  # moved or deleted since the listing: the user's doing
            carry_entry(entry, f"{rel}{entry.name}", dst, dropped, known)
    return known


def carry_entry(entry: os.DirEntry, name: str, dst: Path, dropped: dict[str, Identity | None],
                known: dict[str, Identity]) -> None:
    """Carry one entry of the previous folder (``name`` relative to it) into ``dst``, noting its identity."""
    path = Path(entry.path)
    if name == MARKER or (name in dropped and is_plain_file(path)):
        known[name] = dropped.get(name) or identity(path)
        return
    target = dst / entry.name
    if entry.is_dir(follow_symlinks=False):
        if target.exists() and not target.is_dir():
            raise conflict(path.parent, name)
        had_entries = next(os.scandir(path), None) is not None
        target.mkdir(exist_ok=True)
        known.update(carry_over(path, target, dropped, name + "/"))
        known[name + "/"] = identity(path)
        if had_entries and next(os.scandir(target), None) is None:
            target.rmdir()  # it held only files the new site drops (a removed model's folder): it goes with them
        else:
            keep_attributes(path, target)
        return
    if os.path.lexists(target):
        raise conflict(path.parent, name)
    known[name] = identity(path)
    if entry.is_symlink():
        os.symlink(os.readlink(path), target)
    else:
        link_or_copy(path, target)


def identity(path: Path) -> Identity:
    """A file's identity now (a link's own, not its target's)."""
    st = os.lstat(path)
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def keep_attributes(src: Path, dst: Path) -> None:
    """Give folder ``dst`` the owner, group, permissions and times of ``src`` (the owner only where allowed)."""
    st = os.stat(src)
    if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.stat(dst).st_uid, os.stat(dst).st_gid):
        with contextlib.suppress(PermissionError):  # only root may give a folder away; others keep their own
            os.chown(dst, st.st_uid, st.st_gid)
    shutil.copystat(src, dst)  # after chown, which may clear the set-group-ID bit


def give_to_owner(out: Path, new: Path, written: dict[str, str]) -> None:
    """As root, give the files and new folders of the report the owner and group of the user's folder ``out``.

    A site written by root into a user's folder is then the user's to rebuild or delete.
    """
    st = out.stat()
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or (st.st_uid, st.st_gid) == (0, 0):
        return
    for rel in sorted({MARKER, *written}):
        os.lchown(new / rel, st.st_uid, st.st_gid)
        for folder in Path(rel).parents:
            if folder != Path(".") and not (out / folder).is_dir():
                os.chown(new / folder, st.st_uid, st.st_gid)


def keep_late_files(previous: Path, out: Path, known: dict[str, Identity], rel: str = "") -> None:
    """Put back into ``out`` what reached the previous folder after ``carry_over`` read it (an editor's save).

    The swap parked the previous folder in the staging folder, which is
    removed next: a file there that was neither carried nor dropped as it is
    now would be lost.
    """
    for entry in sorted(os.scandir(previous), key=lambda e: e.name):
        path, name = Path(entry.path), f"{rel}{entry.name}"
        with contextlib.suppress(FileNotFoundError):  # gone already: nothing to keep
            if name == MARKER or known.get(name) == identity(path):
                continue
            target = out / name
            if entry.is_dir(follow_symlinks=False) and (not os.path.lexists(target) or is_real_dir(target)):
                if name + "/" not in known and not os.path.lexists(target):  # made since carry_over read it
                    target.mkdir(parents=True)
                    keep_attributes(path, target)
                keep_late_files(path, out, known, name + "/")
            else:
                target.parent.mkdir(parents=True, exist_ok=True)  # a folder carry_over dropped as empty
                keep_one(path, target)


def is_real_dir(path: Path) -> bool:
    """A folder, not a link to one."""
    return path.is_dir() and not path.is_symlink()


def keep_one(path: Path, target: Path) -> None:
    """Give the entry at ``path`` the name ``target``, or a free name beside it when the report took that one."""
    if os.path.lexists(target) and os.lstat(target).st_ino == os.lstat(path).st_ino:
        return  # the carried link is this very file
    for count in itertools.count(1):
        candidate = target if count == 1 else target.with_name(f"{target.name}{KEPT_SUFFIX}-{count - 1}")
        if place(path, candidate):
            if candidate != target:
                log.warning("%s changed while the build ran; kept it as %s", target, candidate.name)
            return


def place(path: Path, target: Path) -> bool:
    """Link ``path`` (a file or link) at ``target`` unless something is there; a folder, or a file system
    without hard links, is renamed. The staging folder is beside the output: one file system."""
    if not path.is_dir() or path.is_symlink():
        try:
            os.link(path, target, follow_symlinks=False)  # fails rather than replace what a writer just saved
            return True
        except FileExistsError:
            return False
        except OSError:
            pass
    if os.path.lexists(target):
        return False
    os.rename(path, target)
    return True


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


@contextlib.contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """Hold ``.<name>.reporter-lock`` beside ``out`` for the whole write; a second build of ``out`` is refused.

    The lock file is removed at the end; a build that locked a file removed
    meanwhile sees that its path names another file and locks that one.
    """
    if fcntl is None:
        yield
        return
    path = out.parent / f".{out.name}{LOCK_SUFFIX}"
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutputError(f"another reporter build is writing {out} right now; wait until it ends, "
                              "or choose another folder with -o") from None
        if still_named(fd, path):
            break
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)


def still_named(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the open file ``fd`` (another build may have removed it meanwhile)."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return (st.st_dev, st.st_ino) == (os.fstat(fd).st_dev, os.fstat(fd).st_ino)


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


def swap_in(new: Path, out: Path, stage: Path) -> Path | None:
    """Replace ``out`` with ``new``: one atomic exchange where possible, else two renames.

    Returns where the previous folder now is, inside ``stage`` (None when
    there was none). With two renames it waits in ``stage/old`` between them;
    if the process dies there, the next build's ``recover`` puts it back.
    """
    if not out.exists():
        new.rename(out)
        return None
    if exchange(new, out):
        return new  # the previous site now sits at `new`, inside the staging folder
    old = stage / "old"
    out.rename(old)
    try:
        new.rename(out)
    except BaseException:
        old.rename(out)
        raise
    return old


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


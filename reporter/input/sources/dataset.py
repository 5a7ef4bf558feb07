"""Dataset: a folder, glob or s3:// location of Parquet files, scanned by DuckDB without loading it.

Files are listed through pyarrow's filesystems (local, or S3 with the usual
AWS_* environment variables: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_DEFAULT_REGION, AWS_ENDPOINT_URL). DuckDB reads local files itself and
S3 files through a pyarrow dataset; either way only the columns the
aggregation names are read, a --model filter prunes hive partitions
(``model=…/relation=…/``), and DuckDB streams the rows under a memory limit
(REPORTER_MEMORY_LIMIT, default 512MB), spilling to a temporary folder that is
removed afterwards.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ...digest import sha256_of
from ...errors import InputError, UsageError
from .read import first_line, local_files, sha256_of_folder
from ..table import Source

log = logging.getLogger(__name__)

GLOB = set("*?[")
LARGE_BYTES = 64 << 20  # above this a local Parquet input is scanned by DuckDB instead of read into pandas
MEMORY_LIMIT = os.environ.get("REPORTER_MEMORY_LIMIT", "512MB")


@dataclass(frozen=True)
class Dataset:
    """The Parquet files of one input location, the filesystem holding them and where hive paths start."""

    location: str
    files: tuple[str, ...]
    filesystem: object
    base: str
    local: bool

    @property
    def name(self) -> str:
        """How the report header names the input."""
        return self.location if not self.local or GLOB & set(self.location) else Path(self.base).name + "/"


def is_dataset_location(table: object, engine: str) -> bool:
    """Whether ``table`` names a location read as a dataset: s3:// or a glob, or (engine auto) a large local input."""
    if not isinstance(table, (str, os.PathLike)):
        return False
    text = os.fspath(table)
    if text.startswith("s3://") or (GLOB & set(text) and not Path(text).exists()):
        return require_duckdb(text, "reading a glob or s3:// dataset")
    if engine == "pandas" or not Path(text).exists():
        return False
    path = Path(text)
    is_parquet = path.is_dir() or path.suffix.lower() in (".parquet", ".pq")
    if engine == "duckdb":
        return require_duckdb(text, "the duckdb engine") and is_parquet
    large = is_parquet and local_bytes(path) > LARGE_BYTES
    if large and not has_duckdb():
        # Read into pandas all the same (it works, with memory to spare), but say what would be lighter.
        log.warning("%s: %s of Parquet is read into memory by pandas; %s to scan it out of core with DuckDB",
                    path.name, size_words(local_bytes(path)), INSTALL_HINT)
        return False
    return large


INSTALL_HINT = "pip install 'attention-head-report[datasets]'"


def size_words(size: int) -> str:
    """Bytes as MiB or GiB for a message."""
    return f"{size / (1 << 30):.2f} GiB" if size >= 1 << 30 else f"{size / (1 << 20):.0f} MiB"


def has_duckdb() -> bool:
    """Whether the optional DuckDB engine is installed."""
    import importlib.util
    import sys

    if "duckdb" in sys.modules:  # imported already, or set to None to say it is not there
        return sys.modules["duckdb"] is not None
    return importlib.util.find_spec("duckdb") is not None


def require_duckdb(location: str, what: str) -> bool:
    """True, or a UsageError saying how to install DuckDB, which ``what`` (globs, s3://, --engine duckdb) needs."""
    if not has_duckdb():
        raise UsageError(f"{location}: {what} needs DuckDB, which is not installed; {INSTALL_HINT}")
    return True


def local_bytes(path: Path) -> int:
    """Bytes of a Parquet file, or of the Parquet files under a folder."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*.parquet") if p.is_file())


def open_dataset(location: str) -> Dataset:
    """List the Parquet files of a folder, glob or s3:// location (hidden and _-prefixed parts skipped)."""
    import pyarrow.fs as pafs

    fs, base, pattern = filesystem_of(location)
    try:
        info = fs.get_file_info(base)
        if info.type == pafs.FileType.File:
            return Dataset(location, (base,), fs, str(Path(base).parent), isinstance(fs, pafs.LocalFileSystem))
        found = fs.get_file_info(pafs.FileSelector(base, recursive=True, allow_not_found=True))
    except OSError as exc:
        raise InputError(f"{location}: cannot list the dataset ({first_line(exc)}); check the location and credentials") from exc
    files = sorted(f.path for f in found if f.type == pafs.FileType.File and wanted(f.path, base, pattern))
    if not files:
        raise InputError(f"{location}: no .parquet files there; give a file, folder or glob of .parquet files")
    return Dataset(location, tuple(files), fs, base, isinstance(fs, pafs.LocalFileSystem))


def filesystem_of(location: str):
    """(pyarrow filesystem, base path without glob, glob pattern relative to base or None)."""
    import pyarrow.fs as pafs

    text = location.rstrip("/") if not GLOB & set(location) else location
    head, pattern = split_glob(text)
    if head.startswith("s3://"):
        return s3_filesystem(), head[len("s3://"):].rstrip("/"), pattern
    return pafs.LocalFileSystem(), str(Path(head or ".").resolve()), pattern


def split_glob(text: str) -> tuple[str, str | None]:
    """The path up to the first folder with a glob character, and the rest as a pattern."""
    parts = text.split("/")
    first = next((i for i, p in enumerate(parts) if GLOB & set(p)), None)
    if first is None:
        return text, None
    return "/".join(parts[:first]) or "/", "/".join(parts[first:])


def s3_filesystem():
    """pyarrow's S3 filesystem from the usual environment variables (an endpoint for S3-compatible servers)."""
    import pyarrow.fs as pafs

    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    options = {"region": os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or "us-east-1"}
    if endpoint:
        scheme, _, host = endpoint.partition("://")
        options.update(endpoint_override=host or scheme, scheme=scheme if host else "https")
    return pafs.S3FileSystem(**options)


def wanted(path: str, base: str, pattern: str | None) -> bool:
    """A Parquet part under ``base`` matching ``pattern``, not hidden (pyarrow's rule for datasets)."""
    relative = path[len(base):].lstrip("/")
    if any(part.startswith((".", "_")) for part in relative.split("/")):
        return False
    if pattern is not None:
        return fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(relative, pattern.replace("**/", ""))
    return relative.lower().endswith((".parquet", ".pq"))


def source_of(dataset: Dataset) -> Source:
    """The input's name and SHA-256: over every part's bytes locally (as for a folder read into pandas),
    over each object's path, size and modification time on object storage (its bytes are not fetched twice)."""
    parts = [Path(f) for f in dataset.files]
    if dataset.local and len(dataset.files) == 1 and not Path(dataset.location).is_dir():
        return Source(Path(dataset.files[0]).name, sha256_of(Path(dataset.files[0])), local_files(parts))
    if dataset.local:
        return Source(dataset.name, sha256_of_folder(Path(dataset.base), parts), local_files(parts))
    digest = hashlib.sha256()
    for info in dataset.filesystem.get_file_info(list(dataset.files)):
        digest.update(f"{info.path[len(dataset.base):].lstrip('/')}\0{info.size}\0{info.mtime_ns}\n".encode())
    return Source(dataset.name, digest.hexdigest())


def metadata_of(dataset: Dataset) -> dict[str, str]:
    """The first part's key-value metadata (n_layers, n_heads); the other parts are not opened."""
    import pyarrow.parquet as pq

    raw = pq.read_metadata(dataset.files[0], filesystem=dataset.filesystem).metadata or {}
    return {k.decode(errors="replace"): v.decode(errors="replace") for k, v in raw.items() if k != b"ARROW:schema"}


def row_count(dataset: Dataset) -> int:
    """Rows in every part, from the Parquet footers (no data pages read)."""
    import pyarrow.parquet as pq

    return sum(pq.read_metadata(path, filesystem=dataset.filesystem).num_rows for path in dataset.files)


def partition_values(dataset: Dataset, key: str) -> tuple[str, ...] | None:
    """The distinct values of a hive partition key (``key=value`` folders), or None when not every path has one."""
    values = set()
    for path in dataset.files:
        found = [p[len(key) + 1:] for p in path[len(dataset.base):].split("/") if p.startswith(key + "=")]
        if not found:
            return None
        values.add(unquote(found[0]))
    return tuple(sorted(values))


@contextmanager
def connection():
    """A DuckDB connection that streams under MEMORY_LIMIT and spills to a private temporary folder."""
    import duckdb

    spill = tempfile.mkdtemp(prefix="reporter-duckdb-")
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": spill,
                                 "preserve_insertion_order": False})
    # Progress is polled by progress.py and drawn by reporter, not printed by DuckDB.
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    try:
        yield con
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def relation_of(dataset: Dataset, con):
    """A DuckDB relation over the dataset; hive ``key=value`` folders become columns."""
    try:
        if dataset.local:
            return con.read_parquet(list(dataset.files), hive_partitioning=True)
        import pyarrow.dataset as pads

        parts = pads.dataset(list(dataset.files), filesystem=dataset.filesystem, format="parquet",
                             partitioning="hive", partition_base_dir=dataset.base)
        return con.from_arrow(parts)
    except Exception as exc:  # a bad part is the data's fault
        raise InputError(f"{dataset.location}: cannot read the dataset ({first_line(exc)}); check every part is complete") from exc

"""Read: a path or a DataFrame -> raw frame, key-value metadata, format and Source."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..digest import sha256_of
from ..errors import InputError
from ..options import Options
from .table import Source

COMPRESSIONS = (".gz", ".bz2", ".xz", ".zst")
FORMATS = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".tsv": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".feather": "feather",
    ".arrow": "arrow",
    ".ipc": "arrow",
}
KNOWN_TYPES = ".parquet, .csv, .tsv, .json, .jsonl, .feather, .arrow or a folder of .parquet files"


@dataclass(frozen=True, eq=False)
class RawInput:
    """A table as read, before any validation."""

    frame: pd.DataFrame
    format: str
    metadata: dict[str, str] = field(default_factory=dict)
    source: Source | None = None


def read(table: object, options: Options | None = None) -> RawInput:
    """Read ``table`` (a path, a folder of Parquet files or a DataFrame) into a RawInput.

    With ``options``, a dataset or another engine's frame is aggregated where it lives (engines.py).
    """
    if options is not None and not isinstance(table, pd.DataFrame):
        from .engines import read_in_engine

        pushed = read_in_engine(table, options)
        if pushed is not None:
            return pushed
    if isinstance(table, pd.DataFrame):
        return RawInput(table.copy(), "dataframe")
    path = Path(table)  # type: ignore[arg-type]
    if not path.exists():
        raise InputError(f"{path}: no such file; check the path")
    if path.is_dir():
        return read_parquet_folder(path)
    fmt = format_of(path)
    if path.stat().st_size == 0:
        raise InputError(f"{path.name}: the file is empty; give a table with at least one row")
    try:
        frame, metadata = READERS[fmt](path)
    except InputError:
        raise
    except Exception as exc:  # every reader failure is the file's fault, not ours
        raise InputError(f"{path.name}: cannot read the file ({first_line(exc)}); check it is a complete {fmt} file") from exc
    return RawInput(frame, fmt, metadata, Source(name=path.name, sha256=sha256_of(path)))


def format_of(path: Path) -> str:
    """The table format named by a file's extension (compressed text formats allowed)."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in COMPRESSIONS:
        suffixes = suffixes[:-1]
    fmt = FORMATS.get(suffixes[-1]) if suffixes else None
    if fmt is None:
        shown = path.suffix or "(none)"
        raise InputError(f"{path.name}: unknown file type {shown!r}; use {KNOWN_TYPES}")
    return fmt


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, or its type name."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def read_parquet(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """A Parquet file (or folder) and its string key-value metadata."""
    import pyarrow.parquet as pq

    return arrow_to_pandas(pq.read_table(path))


def read_csv(path: Path, sep: str = ",") -> tuple[pd.DataFrame, dict[str, str]]:
    """A CSV/TSV file; a head_id column stays text so "12.10" is not read as 12.1."""
    header = pd.read_csv(path, sep=sep, nrows=0)
    text_columns = {c: str for c in header.columns if str(c).strip().lower() == "head_id"}
    return pd.read_csv(path, sep=sep, dtype=text_columns), {}


def read_json(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """A JSON file: an array of records or an object of columns (JSON Lines also accepted)."""
    try:
        return pd.read_json(path, dtype={"head_id": str}), {}
    except ValueError as exc:
        if "Trailing data" not in str(exc):
            raise
        return read_jsonl(path)


def read_jsonl(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """A JSON Lines file: one record per line."""
    return pd.read_json(path, lines=True, dtype={"head_id": str}), {}


def read_arrow(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """A Feather v2 / Arrow IPC file (file or stream format) and its schema metadata."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    try:
        arrow = ipc.open_file(pa.memory_map(str(path))).read_all()
    except pa.ArrowInvalid:
        # Feather v1 and the IPC stream format are not IPC files; try those readers.
        try:
            arrow = ipc.open_stream(pa.memory_map(str(path))).read_all()
        except pa.ArrowInvalid:
            import pyarrow.feather as feather

            arrow = feather.read_table(str(path))
    return arrow_to_pandas(arrow)


def arrow_to_pandas(arrow) -> tuple[pd.DataFrame, dict[str, str]]:
    """A pyarrow Table as pandas plus its schema metadata decoded to text."""
    raw = arrow.schema.metadata or {}
    metadata = {k.decode(errors="replace"): v.decode(errors="replace") for k, v in raw.items()}
    return arrow.to_pandas(), metadata


READERS = {
    "parquet": read_parquet,
    "csv": read_csv,
    "tsv": lambda path: read_csv(path, sep="\t"),
    "json": read_json,
    "jsonl": read_jsonl,
    "feather": read_arrow,
    "arrow": read_arrow,
}


def read_parquet_folder(path: Path) -> RawInput:
    """A folder of Parquet files (a partitioned dataset) read as one table."""
    files = parquet_files(path)
    if not files:
        raise InputError(f"{path.name}: the folder holds no .parquet files; give a file or a folder of .parquet files")
    try:
        frame, metadata = read_parquet(path)
    except Exception as exc:  # a bad part is the data's fault
        raise InputError(f"{path.name}: cannot read the Parquet folder ({first_line(exc)}); check every part is complete") from exc
    frame = frame.astype({c: str for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)})
    return RawInput(frame, "parquet-folder", metadata, Source(name=path.name + "/", sha256=sha256_of_folder(path, files)))


def parquet_files(path: Path) -> list[Path]:
    """The Parquet files under a folder, in a stable order (hidden files skipped as pyarrow does)."""
    return sorted(
        p for p in path.rglob("*.parquet")
        if p.is_file() and not any(part.startswith((".", "_")) for part in p.relative_to(path).parts)
    )


def sha256_of_folder(path: Path, files: list[Path]) -> str:
    """SHA-256 over each part's relative path and the SHA-256 of its bytes, in sorted order."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(f"{file.relative_to(path).as_posix()}\0{sha256_of(file)}\n".encode())
    return digest.hexdigest()

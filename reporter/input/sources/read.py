"""Read: a path or an in-memory object -> raw frame, key-value metadata, format and Source.

Each file form is one entry of ``READERS`` (by extension; a reader gets the
path and the name a single-category input takes). Matrices (matrix.py) and
head-id maps (head_map.py) become tidy frames here, so everything after
reading sees tables only.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ...digest import sha256_of
from ...errors import InputError, UsageError
from ...options import Options
from ..shapes.columns import ALIASES
from .documents import document_frame, structure_of
from ..shapes.matrix import combine, matrix_frame, read_npy, read_npz, text_matrix
from .objects import arrow_to_pandas, dense_shape, frame_of_object
from ..shapes.one_category import with_category
from ..table import Source
from ..checks.names import shown
from .sizes import check_size
from ..checks.validate import check_columns

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
    ".txt": "text",
    ".npy": "npy",
    ".npz": "npz",
    ".yaml": "yaml",
    ".yml": "yaml",
}
# JSON columns read as written: a head_id "12.10" stays text, and true/false under layer or head stay
# booleans (pandas would make them 1/0), for the index checks to refuse.
JSON_DTYPES = {"head_id": str, "layer": object, "head": object}
DOCUMENTS = ("json", "yaml")  # formats whose readers take --field (documents.py)
KNOWN_TYPES = (".parquet, .csv, .tsv, .txt, .json, .jsonl, .yaml, .feather, .arrow, .npy, .npz, a folder of .parquet files "
               "or a folder of one file per category")


@dataclass(frozen=True, eq=False)
class RawInput:
    """A table as read, before any validation."""

    frame: pd.DataFrame
    format: str
    metadata: dict[str, str] = field(default_factory=dict)
    source: Source | None = None
    dense: tuple[int, int] | None = None  # (layers, heads) of the matrix the frame was made from
    named: str | None = None  # the one category, when the input has no category of its own (named for its file)
    structure: str | None = None  # what was read, when the frame does not show it (a ranking read as scores)


STRUCTURE = "reporter:structure"  # a reader's metadata key: the structure it saw, in words, for inspect


def read(table: object, category: str | None = None, options: Options | None = None, push: bool = True) -> RawInput:
    """Read ``table`` (a path, a folder, or an object objects.py accepts) into a RawInput.

    ``category`` names the one category of an input that has none (a matrix, a
    map of head ids, a ``layer, head, score`` table); a file's stem names it
    otherwise. With ``options`` and ``push``, a dataset or another engine's frame
    is aggregated where it lives (engines.py).
    """
    options = options or Options(category=category)
    if push and not isinstance(table, pd.DataFrame):
        from .engines import read_in_engine

        pushed = read_in_engine(table, options)
        if pushed is not None:
            name = stem_of(Path(os.fspath(table))) if isinstance(table, (str, os.PathLike)) else None
            return dataclasses.replace(pushed, frame=own_category(pushed.frame, name, category, options))
    found = frame_of_object(table, category, options.field or ())
    if found is not None:
        frame, fmt, metadata = found
        frame = own_category(frame, None, category, options)
        return RawInput(frame, fmt, metadata, dense=dense_shape(frame), named=single_name(frame, category))
    path = table_path(table)
    if not path.exists():
        raise InputError(f"{path}: no such file; check the path")
    if path.is_dir():
        return read_folder(path, options)
    name = category or stem_of(path)
    frame, fmt, metadata = read_file(path, name, options.field or ())
    frame = own_category(frame, name, category, options)
    structure = metadata.pop(STRUCTURE, None)
    return RawInput(frame, fmt, metadata, Source(path.name, sha256_of(path), local_files([path])), dense_shape(frame),
                    named=single_name(frame, name), structure=structure)


def own_category(frame: pd.DataFrame, name: str | None, given: str | None, options: Options) -> pd.DataFrame:
    """The frame with the category of a table that names none (one_category.py)."""
    return with_category(frame, name, given, options.score_column, options.category_map)


def single_name(frame: pd.DataFrame, name: str | None) -> str | None:
    """``name`` when it is the input's only category (it came from the file's name or --category), else None."""
    if name is None or "category" not in frame.columns or frame.columns.has_duplicates or frame.empty:
        return None
    if "model" in frame.columns and frame["model"].nunique() > 1:
        return None
    category = frame["category"]
    # The first row decides for nearly every table at once; the whole column only when it names ``name``.
    return name if category.iloc[0] == name and bool((category == name).all()) else None


def read_file(path: Path, name: str, fields: tuple[int, ...] = ()) -> tuple[pd.DataFrame, str, dict[str, str]]:
    """One file's frame, format and metadata; every reader failure is the file's fault, not ours."""
    fmt = format_of(path)
    if path.stat().st_size == 0:
        raise InputError(f"{path.name}: the file is empty; give a table with at least one row")
    try:
        check_size(path, fmt)  # from headers, before anything is expanded or allocated
        check_width(path, fmt)
        reader = READERS[fmt]
        frame, metadata = reader(path, name, fields) if fmt in DOCUMENTS else reader(path, name)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"{path.name}: cannot read the file ({first_line(exc)}); check it is a complete {fmt} file") from exc
    return frame, fmt, metadata


def stem_of(path: Path) -> str:
    """A file's name without its extensions (``induction.csv.gz`` -> ``induction``)."""
    name = path.name
    for suffix in reversed(path.suffixes):
        if suffix.lower() in COMPRESSIONS or suffix.lower() in FORMATS:
            name = name[: -len(suffix)]
    return name or path.name


def table_path(table: object) -> Path:
    """``table`` (text or a path) as a path the file system can look up, or an InputError saying why not."""
    path = Path(table)
    try:
        os.fsencode(path)
    except UnicodeEncodeError as exc:  # a lone surrogate: no file can have that name
        raise InputError(f"{path}: not a file name this system can open; check the path") from exc
    if "\0" in str(path):
        raise InputError(f"{path}: a path cannot hold a NUL character; check the path")
    return path


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


def check_width(path: Path, fmt: str) -> None:
    """Refuse a table with too many columns from its schema or header, before any column is read."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        names = pq.read_schema(path).names
    elif fmt in ("csv", "tsv"):
        names = pd.read_csv(path, sep="\t" if fmt == "tsv" else ",", nrows=0).columns
    else:
        return  # JSON has no header; Arrow files are read lazily (memory-mapped) anyway
    check_columns(pd.DataFrame(columns=pd.Index(names)))


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, or its type name."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def read_parquet(path: Path, name: str = "") -> tuple[pd.DataFrame, dict[str, str]]:
    """A Parquet file (or folder) and its string key-value metadata."""
    import pyarrow.parquet as pq

    return arrow_to_pandas(pq.read_table(path))


def read_csv(path: Path, name: str, sep: str = ",") -> tuple[pd.DataFrame, dict[str, str]]:
    """A CSV/TSV table, or a matrix of per-head values; a head_id column stays text so "12.10" is not 12.1."""
    matrix = text_matrix(path, sep)
    if matrix is not None:
        return matrix_frame(matrix, [name], path.name), {}
    header = pd.read_csv(path, sep=sep, nrows=0)
    # pandas would read 10.10 as the float 10.1, another head: head ids stay text.
    text_columns = {c: str for c in header.columns if str(c).strip().lower() in ALIASES["head_id"]}
    return pd.read_csv(path, sep=sep, dtype=text_columns), {}


def read_text(path: Path, name: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """A whitespace-separated matrix of per-head values (rows = layers, columns = heads)."""
    matrix = text_matrix(path, None)
    if matrix is None:
        raise InputError(f"{path.name}: not a matrix of numbers; a .txt input holds one row per layer and "
                         "one number per head (give tables as .csv or .tsv)")
    return matrix_frame(matrix, [name], path.name), {}


def read_json(path: Path, name: str, fields: tuple[int, ...] = ()) -> tuple[pd.DataFrame, dict[str, str]]:
    """A JSON file: a map of head ids, a structure of documents.py, an array of records or an object of columns
    (JSON Lines also accepted)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"),  # a byte order mark is allowed, as in CSV
                              object_pairs_hook=lambda pairs: unique_keys(pairs, path.name))
    except ValueError:
        return read_jsonl(path)
    return read_document(document, name, path.name, fields, "JSON")


def read_document(document: object, name: str, where: str, fields: tuple[int, ...], kind: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """A parsed JSON or YAML document as a frame, with the structure seen when the frame hides it."""
    frame = document_frame(document, name, where, fields)
    structure = structure_of(document)
    metadata = {STRUCTURE: structure} if structure else {}
    if frame is not None:
        return frame, metadata
    if fields:
        raise InputError(f"{where}: --field picks a value of each head in a list of layers of {{head: [values]}}; "
                         f"this {kind} is not one, so drop --field")
    if kind == "YAML":
        raise InputError(f"{where}: the YAML holds no head ids reporter reads; give a field of head ids "
                         "(attn_head_set: \"13-1,14-22\" or a list), {category: [head ids]} or {head_id: score}")
    return pd.read_json(io.StringIO(json.dumps(document)), dtype=JSON_DTYPES), metadata


def read_yaml(path: Path, name: str, fields: tuple[int, ...] = ()) -> tuple[pd.DataFrame, dict[str, str]]:
    """A YAML file (a config with head-id fields, or any structure a JSON file may hold), through PyYAML."""
    try:
        import yaml
    except ImportError:
        raise UsageError(f"{path.name}: reading YAML needs PyYAML, which is not installed; "
                         "pip install 'attention-head-report[yaml]'") from None
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        raise InputError(f"{path.name}: not valid YAML ({first_line(exc)}); check the file") from exc
    return read_document(document, name, path.name, fields, "YAML")


def unique_keys(pairs: list[tuple[str, object]], name: str) -> dict:
    """A JSON object as a dict; a key given twice is an InputError (json.loads keeps the last silently)."""
    found = dict(pairs)
    if len(found) < len(pairs):
        twice = next(k for i, (k, _) in enumerate(pairs) if any(k == other for other, _ in pairs[:i]))
        raise InputError(f"{name}: the key {shown(twice)} appears twice in one JSON object, so one of its "
                         "values would be dropped; keep one")
    return found


def read_jsonl(path: Path, name: str = "") -> tuple[pd.DataFrame, dict[str, str]]:
    """A JSON Lines file: one record per line."""
    return pd.read_json(path, lines=True, dtype=JSON_DTYPES, encoding="utf-8-sig"), {}


def read_arrow(path: Path, name: str = "") -> tuple[pd.DataFrame, dict[str, str]]:
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


READERS = {
    "parquet": read_parquet,
    "csv": read_csv,
    "tsv": lambda path, name: read_csv(path, name, sep="\t"),
    "text": read_text,
    "json": read_json,
    "jsonl": read_jsonl,
    "feather": read_arrow,
    "arrow": read_arrow,
    "npy": read_npy,
    "npz": lambda path, name: (read_npz(path), {}),
    "yaml": read_yaml,
}


def read_folder(path: Path, options: Options | None = None) -> RawInput:
    """A folder of Parquet files (one dataset), else a folder of one file per category (stem = category)."""
    if parquet_files(path):
        return read_parquet_folder(path)
    files = category_files(path)
    if not files:
        raise InputError(f"{path.name}: the folder holds no .parquet files and no per-category files; give a file, "
                         "a folder of .parquet files or a folder of one .npy/.csv/.json/.yaml/... file per category")
    options = options or Options()
    frames = [own_category(read_file(file, stem_of(file), options.field or ())[0], stem_of(file), None, options)
              for file in files]
    frame = combine(frames, path.name + "/")
    return RawInput(frame, "category-folder", {}, Source(path.name + "/", sha256_of_folder(path, files),
                                                          local_files(files)), dense_shape(frame))


def category_files(path: Path) -> list[Path]:
    """The files of a folder that reporter reads, sorted (hidden files skipped); one category each."""
    files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith((".", "_")))
    known = [p for p in files if format_ok(p)]
    stems = [stem_of(p) for p in known]
    twice = sorted({s for s in stems if stems.count(s) > 1})
    if twice:
        raise InputError(f"{path.name}: two files give the category {twice[0]!r}; keep one file per category")
    return known


def format_ok(path: Path) -> bool:
    """Whether reporter reads a file of this extension."""
    try:
        format_of(path)
    except InputError:
        return False
    return True


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
    return RawInput(frame, "parquet-folder", metadata, Source(path.name + "/", sha256_of_folder(path, files),
                                                                local_files(files)))


def parquet_files(path: Path) -> list[Path]:
    """The Parquet files under a folder, in a stable order (hidden files skipped as pyarrow does)."""
    return sorted(
        p for p in path.rglob("*.parquet")
        if p.is_file() and not any(part.startswith((".", "_")) for part in p.relative_to(path).parts)
    )


def local_files(files: list[Path]) -> tuple[str, ...]:
    """Absolute paths of the files an input was read from (the writers refuse to replace them)."""
    return tuple(os.path.abspath(f) for f in files)


def sha256_of_folder(path: Path, files: list[Path]) -> str:
    """SHA-256 over each part's relative path and the SHA-256 of its bytes, in sorted order."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(f"{file.relative_to(path).as_posix()}\0{sha256_of(file)}\n".encode())
    return digest.hexdigest()

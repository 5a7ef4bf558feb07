"""Load: read a table, validate it and resolve the model shape -> HeadTable."""

from __future__ import annotations

import difflib
import hashlib
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, UsageError
from .limits import check_limits
from .options import Options
from .table import HeadTable, Source

log = logging.getLogger(__name__)

ALIASES = {
    "layer": ("layer", "layer_idx", "layer_index", "layer_id"),
    "head": ("head", "head_idx", "head_index", "head_id_in_layer"),
    "category": ("category", "categories", "label", "class"),
}
REQUIRED = ("layer", "head", "category")


def load(table: object, options: Options) -> HeadTable:
    """Read ``table`` (a path or a DataFrame) and validate it into a HeadTable."""
    frame, metadata, source = read(table)
    frame = normalize_columns(frame)
    frame = select_model(frame, options.model)
    memberships, warnings = memberships_from(frame)
    n_layers, n_heads, shape_source = resolve_shape(memberships, metadata, options)
    check_limits(memberships, n_layers, n_heads, options.categories)
    check_inside_shape(memberships, n_layers, n_heads, shape_source)
    categories = order_categories(memberships, options.categories)
    memberships = memberships[memberships["category"].isin(categories)]
    return HeadTable(
        memberships=memberships.reset_index(drop=True),
        categories=categories,
        n_layers=n_layers,
        n_heads=n_heads,
        shape_source=shape_source,
        model=options.model or single_model_name(frame),
        source=source,
        example=options.example,
        warnings=tuple(warnings),
    )


def read(table: object) -> tuple[pd.DataFrame, dict[str, str], Source | None]:
    """Return the raw frame, its key-value metadata and where it came from."""
    if isinstance(table, pd.DataFrame):
        return table.copy(), {}, None
    path = Path(table)  # type: ignore[arg-type]
    if not path.exists():
        raise InputError(f"{path}: no such file; check the path")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            frame, metadata = read_parquet(path)
        elif suffix in (".csv", ".tsv"):
            frame, metadata = pd.read_csv(path, sep="\t" if suffix == ".tsv" else ","), {}
        else:
            raise InputError(f"{path.name}: unknown file type {suffix or '(none)'!r}; use .parquet, .csv or .tsv")
    except InputError:
        raise
    except Exception as exc:  # every reader failure is the file's fault, not ours
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{path.name}: cannot read the file ({reason}); check it is a complete {suffix[1:]} file") from exc
    return frame, metadata, Source(name=path.name, sha256=sha256_of(path))


def read_parquet(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """Read a Parquet file and its string key-value metadata."""
    import pyarrow.parquet as pq

    arrow = pq.read_table(path)
    raw = arrow.schema.metadata or {}
    metadata = {k.decode(errors="replace"): v.decode(errors="replace") for k, v in raw.items()}
    return arrow.to_pandas(), metadata


def sha256_of(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def normalize_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Lower-case column names and map known aliases to canonical names."""
    frame = frame.rename(columns={c: str(c).strip().lower() for c in frame.columns})
    renames = {}
    for canonical, aliases in ALIASES.items():
        if canonical in frame.columns:
            continue
        found = next((a for a in aliases if a in frame.columns), None)
        if found is not None:
            renames[found] = canonical
    return frame.rename(columns=renames)


def select_model(frame: pd.DataFrame, model: str | None) -> pd.DataFrame:
    """Keep the rows of one model when the table has a ``model`` column."""
    if "model" not in frame.columns or model is None:
        return frame
    names = frame["model"].astype(str)
    if model in set(names):
        return frame[names == model]
    return frame  # --model then only names the model


def single_model_name(frame: pd.DataFrame) -> str | None:
    """The model name when the table holds exactly one."""
    if "model" not in frame.columns:
        return None
    names = frame["model"].dropna().astype(str).unique()
    return str(names[0]) if len(names) == 1 else None


def memberships_from(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Validate the long shape and return sorted, de-duplicated memberships."""
    require_columns(frame, REQUIRED)
    if frame.empty:
        raise InputError("the table has no rows; give at least one (layer, head, category) row")
    out = pd.DataFrame(
        {
            "layer": as_index(frame["layer"], "layer"),
            "head": as_index(frame["head"], "head"),
            "category": as_category(frame["category"]),
        }
    )
    warnings = []
    duplicated = int(out.duplicated().sum())
    if duplicated:
        warnings.append(f"{duplicated} duplicate (layer, head, category) rows were collapsed")
        log.warning(warnings[-1])
        out = out.drop_duplicates()
    return out.sort_values(["layer", "head", "category"], kind="stable").reset_index(drop=True), warnings


def require_columns(frame: pd.DataFrame, required: tuple[str, ...]) -> None:
    """Raise an InputError naming the first missing column and the closest found."""
    found = [str(c) for c in frame.columns]
    for name in required:
        if name in frame.columns:
            continue
        close = difflib.get_close_matches(name, found, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InputError(f"missing column {name!r} (found: {', '.join(found) or 'none'}){hint}")


def as_index(column: pd.Series, name: str) -> pd.Series:
    """Validate a layer/head column: whole, non-negative numbers without gaps."""
    if column.isna().any():
        row = int(np.flatnonzero(column.isna().to_numpy())[0])
        raise InputError(f"column {name!r} has a missing value (row {row}); fill or drop that row")
    numeric = pd.to_numeric(column, errors="coerce")
    if numeric.isna().any():
        bad = column[numeric.isna()].iloc[0]
        raise InputError(f"column {name!r} holds {bad!r}, not a whole number; {name} indexes are 0-based integers")
    values = numeric.to_numpy(dtype="float64")
    if not np.all(np.isfinite(values)) or not np.all(values == np.round(values)):
        bad = values[~(np.isfinite(values) & (values == np.round(values)))][0]
        raise InputError(f"column {name!r} holds {bad!r}, not a whole number; {name} indexes are 0-based integers")
    if (values < 0).any():
        raise InputError(f"column {name!r} holds {int(values.min())}; {name} indexes are 0-based, so not negative")
    return pd.Series(values.astype("int64"), index=column.index)


def as_category(column: pd.Series) -> pd.Series:
    """Validate the category column: non-empty strings."""
    if column.isna().any():
        row = int(np.flatnonzero(column.isna().to_numpy())[0])
        raise InputError(f"column 'category' has a missing value (row {row}); fill or drop that row")
    text = column.astype(str).str.strip()
    if (text == "").any():
        raise InputError("column 'category' has an empty name; give every row a category")
    return text


def resolve_shape(memberships: pd.DataFrame, metadata: dict[str, str], options: Options) -> tuple[int, int, str]:
    """Pick (n_layers, n_heads, source): flags, then file metadata, else inferred."""
    if options.layers is not None and options.heads is not None:
        return options.layers, options.heads, "flag"
    if "n_layers" in metadata and "n_heads" in metadata:
        try:
            return int(metadata["n_layers"]), int(metadata["n_heads"]), "metadata"
        except ValueError as exc:
            raise InputError("the file's n_layers/n_heads metadata is not a whole number; fix it or pass --layers/--heads") from exc
    return int(memberships["layer"].max()) + 1, int(memberships["head"].max()) + 1, "inferred"


def check_inside_shape(memberships: pd.DataFrame, n_layers: int, n_heads: int, source: str) -> None:
    """Every index must fall inside the declared model shape."""
    for name, limit in (("layer", n_layers), ("head", n_heads)):
        top = int(memberships[name].max())
        if top >= limit:
            raise InputError(
                f"{name} index {top} is outside the model shape {n_layers}x{n_heads} (from {source}); "
                f"indexes are 0-based, so fix the table or the shape"
            )


def order_categories(memberships: pd.DataFrame, requested: tuple[str, ...] | None) -> tuple[str, ...]:
    """Panel order: the requested categories, else all found, alphabetically."""
    found = sorted(memberships["category"].unique())
    if not requested:
        return tuple(found)
    missing = [c for c in requested if c not in found]
    if missing:
        raise UsageError(f"--categories names {missing[0]!r}, which the table does not have (it has: {', '.join(found)})")
    if len(set(requested)) != len(requested):
        raise UsageError("--categories names a category twice; list each once")
    return tuple(requested)

"""Engines: the scores aggregation as one lazy dataframe expression, run where the data lives.

The expression is written once with Narwhals, which translates it for DuckDB
relations, Polars lazy frames, Dask and PySpark dataframes (and Ibis tables).
Only the aggregated table, one row per (model, layer, head, relation) with its
score, comes back as pandas; it then takes the same path as an in-memory table
(validation, rule, memberships), where aggregating one row per group is the
identity. Two facts the aggregate no longer shows travel in ``frame.attrs``:
how many rows had no score, and the (relation, category) pairs when a relation's
rows name more than one category.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext

import pandas as pd

from ..shapes.columns import normalize_columns
from ...errors import InputError, UsageError
from ..models.models import select_model
from ...options import Options

# Canonical columns grouped on when present; everything else but the score is never read.
KEYS = ("model", "layer", "head", "head_id", "relation")
# Modules whose frames Narwhals can run lazily; a frame's module is loaded if the user made one.
ENGINE_MODULES = ("polars", "duckdb", "dask", "pyspark", "ibis", "sqlframe")
EMPTY = "__reporter_empty"


def is_engine_frame(table: object) -> bool:
    """Whether ``table`` is another engine's dataframe (Polars, DuckDB, Dask, PySpark, Ibis), not pandas."""
    if isinstance(table, (str, pd.DataFrame)) or not any(m in sys.modules for m in ENGINE_MODULES):
        return False
    import narwhals as nw

    wrapped = nw.from_native(table, pass_through=True)
    return isinstance(wrapped, nw.LazyFrame) or type(table).__module__.startswith("polars")


def lazy(table: object):
    """A Narwhals LazyFrame over ``table`` (an eager Polars frame is made lazy)."""
    import narwhals as nw

    frame = nw.from_native(table)
    return frame if isinstance(frame, nw.LazyFrame) else frame.lazy()


def canonical(lf, score_column: str):
    """The frame with columns renamed as normalize_columns names them (aliases, any case)."""
    names = list(normalize_columns(pd.DataFrame(columns=lf.columns), score_column).columns)
    return lf.rename(dict(zip(lf.columns, names)))


def is_scores(lf, options: Options) -> bool:
    """Whether the rows will be read as scores: a rule, a score column and a relation (or category) column."""
    from ..scores.scores import has_rule

    return has_rule(options) and "score" in lf.columns and bool({"relation", "category"} & set(lf.columns))


def collect(lf, watch=None) -> pd.DataFrame:
    """Run ``lf`` and return pandas; ``watch`` (a context manager) reports progress meanwhile."""
    with watch or nullcontext():
        arrow = lf.collect(backend="pyarrow").to_native()
    return arrow.to_pandas()  # through Arrow: text columns stay Arrow strings instead of a Python object per cell


def frame_of(lf, options: Options, watch=None, models: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The table to validate: aggregated scores when the options make it a scores table, else every row.

    ``models`` are the dataset's model names when its paths already give them (hive ``model=`` folders).
    """
    lf = canonical(lf, options.score_column)
    lf, model = select_pushed(lf, options.model, models)
    if not is_scores(lf, options):
        return collect(lf, watch)
    frame = aggregated(lf, options, watch, model)
    if model is not None:
        frame["model"] = model  # one model is left: not grouped on (text keys cost the most), put back here
        frame.attrs["model"] = model
    return frame


def select_pushed(lf, wanted: str | None, models: tuple[str, ...] | None = None):
    """Only the rows of the model asked for (a filter the engine pushes down to partitions and row groups)."""
    if wanted is None or "model" not in lf.columns:
        return lf, None
    import narwhals as nw

    column = nw.col("model") if lf.collect_schema()["model"] == nw.String else nw.col("model").cast(nw.String)
    if models is None:
        models = tuple(collect(lf.select(column.alias("model")).unique())["model"].dropna())
    if len(models) <= 1:
        return lf, None
    _, found = select_model(pd.DataFrame({"model": list(models)}), wanted)  # the same errors and matching as in memory
    return lf.filter(column == found), found


def aggregated(lf, options: Options, watch=None, model: str | None = None) -> pd.DataFrame:
    """One row per (model, layer, head, relation): the aggregated score, and the rows without a score in attrs.

    The category is grouped on too (a relation's rows name one category, as a
    rule); when some relation's rows name several, the groups are made again
    without it and the (relation, category) pairs are read on their own.
    """
    import narwhals as nw

    check_numeric(lf)
    relation = "relation" if "relation" in lf.columns else "category"
    keys = [c for c in KEYS if c in lf.columns and not (c == "model" and model is not None)]
    keys += [] if relation == "relation" else ["category"]
    score = nw.col("score").cast(nw.Float64)
    prepared = lf.with_columns(
        nw.col(relation).cast(nw.String).str.strip_chars(),
        # NaN is no score, as in pandas; engines other than pandas keep NaN apart from null.
        nw.when(~score.is_nan()).then(score).alias("score"),
    ).with_columns(nw.col("score").is_null().cast(nw.Int64).alias(EMPTY))
    carried = relation == "relation" and "category" in lf.columns
    if not carried:
        return finish(collect(grouped(prepared, keys, options), watch))
    prepared = prepared.with_columns(nw.col("category").cast(nw.String))
    frame = collect(grouped(prepared, [*keys, "category"], options), watch)
    if not frame.duplicated(subset=keys).any():
        return finish(frame)
    frame = collect(grouped(prepared, keys, options), watch).assign(category=pd.NA)
    frame = finish(frame)
    # Missing categories are no pair, as for distinct_pairs in memory.
    frame.attrs["category_pairs"] = collect(prepared.select("relation", "category").unique()).dropna()
    return frame


def grouped(prepared, keys: list[str], options: Options):
    """The lazy aggregate: the score by ``options.aggregate`` and the count of rows without one, per group."""
    import narwhals as nw

    return prepared.group_by(*keys).agg(getattr(nw.col("score"), options.aggregate)(), nw.col(EMPTY).sum())


def check_numeric(lf) -> None:
    """Scores must be numbers: a text score column is refused before any row is read."""
    dtype = lf.collect_schema()["score"]
    if not dtype.is_numeric():
        raise InputError(f"the score column is {dtype}, not numbers; scores must be numbers")


def finish(frame: pd.DataFrame) -> pd.DataFrame:
    """The aggregate with the count of rows without a score moved into attrs."""
    if frame.empty:
        raise InputError("the table has no rows; give at least one (layer, head, category) row")
    empty = int(frame[EMPTY].sum())
    frame = frame.drop(columns=EMPTY)
    frame.attrs["empty_scores"] = empty
    return frame


def read_in_engine(table: object, options: Options):
    """A RawInput aggregated where the data lives (another engine's frame, or a dataset scanned by DuckDB);
    None when ``table`` is read into pandas as before."""
    from .read import RawInput

    if is_engine_frame(table):
        return RawInput(frame_of(lazy(table), options), "dataframe")
    from .dataset import is_dataset_location

    if not is_dataset_location(table, options.engine):
        return None
    return read_dataset(str(table), options)


def read_dataset(location: str, options: Options):
    """Scan a Parquet folder, glob or s3:// location with DuckDB."""
    from . import dataset, progress
    from .read import RawInput

    found = dataset.open_dataset(location)
    metadata = dataset.metadata_of(found)
    with dataset.connection() as con:
        lf = lazy(dataset.relation_of(found, con))
        watch = progress.watch(con, f"aggregating scores from {len(found.files):,} files")
        try:
            frame = frame_of(lf, options, watch, dataset.partition_values(found, "model"))
        except (InputError, UsageError):
            raise
        except Exception as exc:  # DuckDB's read and cast errors are the data's fault
            raise InputError(dataset_failure(location, exc, options)) from exc
    return RawInput(frame, "parquet-dataset", metadata, dataset.source_of(found))


def dataset_failure(location: str, exc: Exception, options: Options) -> str:
    """The one-line message for a failed scan: out of memory (a median keeps every score) or a bad part."""
    from .dataset import MEMORY_LIMIT
    from .read import first_line

    if type(exc).__name__ == "OutOfMemoryException":
        why = "; a median keeps every score, a mean or max one per head" if options.aggregate == "median" else ""
        alternative = " or use --aggregate mean or max" if options.aggregate == "median" else ""
        return (f"{location}: the {options.aggregate} of these scores does not fit DuckDB's memory limit "
                f"({MEMORY_LIMIT}{why}); raise REPORTER_MEMORY_LIMIT (e.g. REPORTER_MEMORY_LIMIT=8GB){alternative}")
    return f"{location}: cannot read the dataset ({first_line(exc)}); check every part is complete"


SAMPLE_ROWS = 1_000_000  # rows `inspect` reads from a dataset or another engine's frame


def read_bounded(table: object, options: Options, sample_rows: int = SAMPLE_ROWS):
    """For ``inspect``: (the rows to check, rows in the input or None if uncounted, rows read or None if all).

    A dataset is counted from its Parquet footers and checked on its first
    ``sample_rows`` rows; another engine's frame is checked on its first rows, uncounted.
    """
    from .read import RawInput, read

    if is_engine_frame(table):
        frame = first_rows(lazy(table), options, sample_rows)
        return RawInput(frame, "dataframe"), None, len(frame)
    from . import dataset

    if not dataset.is_dataset_location(table, options.engine):
        raw = read(table, options.category, options, push=False)
        return raw, len(raw.frame), None
    found = dataset.open_dataset(str(table))
    with dataset.connection() as con:
        frame = first_rows(lazy(dataset.relation_of(found, con)), options, sample_rows,
                           dataset.partition_values(found, "model"))
    raw = RawInput(frame, "parquet-dataset", dataset.metadata_of(found), dataset.source_of(found))
    return raw, dataset.row_count(found), len(frame)


def first_rows(lf, options: Options, n: int, models: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The first ``n`` rows of the model asked for (the filter pushed down as for a build)."""
    lf, model = select_pushed(canonical(lf, options.score_column), options.model, models)
    frame = collect(lf.head(n))
    frame.attrs.update({"model": model} if model is not None else {}, **({"models": models} if models else {}))
    return frame

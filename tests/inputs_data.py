"""Shared test data for the input tests: one set of memberships, written every way reporter reads."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from reporter.input.load import load
from reporter.observe.categories import observe
from reporter.observe.scores import score_observations
from reporter.options import Options
from reporter.analysis.summarize import summarize
from reporter.output.summary_json import summary_dict

N_LAYERS, N_HEADS = 6, 4
# Each relation picks exactly two heads, so threshold 0.5, top-k 2 and top-percent 8.3 (ceil(24 * 8.3%) = 2)
# all give the same memberships.
RELATIONS = {
    "alg_a": ("Algorithmic", [(1, 0), (2, 0)]),
    "alg_b": ("Algorithmic", [(1, 1), (2, 1)]),
    "kn_a": ("Knowledge", [(2, 0), (4, 2)]),
    "kn_b": ("Knowledge", [(5, 3), (3, 3)]),
    "lin_a": ("Linguistic", [(2, 0), (5, 3)]),
}
CATEGORIES = ("Algorithmic", "Knowledge", "Linguistic")


def long_frame() -> pd.DataFrame:
    """The reference memberships in the long shape, sorted."""
    rows = sorted({(layer, head, category) for category, heads in RELATIONS.values() for layer, head in heads})
    return pd.DataFrame(rows, columns=["layer", "head", "category"])


def wide_frame(as_int: bool = False) -> pd.DataFrame:
    """The reference memberships in the wide shape: every head, one is_<category> column per category."""
    grid = pd.DataFrame([(l, h) for l in range(N_LAYERS) for h in range(N_HEADS)], columns=["layer", "head"])
    members = long_frame()
    for category in CATEGORIES:
        heads = set(map(tuple, members.loc[members["category"] == category, ["layer", "head"]].to_numpy()))
        flags = [(l, h) in heads for l, h in zip(grid["layer"], grid["head"])]
        grid[f"is_{category.lower()}"] = np.array(flags, dtype=int) if as_int else flags
    return grid


def head_id_frame(style: str) -> pd.DataFrame:
    """The long shape with a head_id column written in one of the accepted styles."""
    fmt = {"L12H5": "L{}H{}", "L12-H5": "L{}-H{}", "12.5": "{}.{}", "12-5": "{}-{}", "(12, 5)": "({}, {})"}[style]
    frame = long_frame()
    ids = [fmt.format(l, h) for l, h in zip(frame["layer"], frame["head"])]
    return pd.DataFrame({"head_id": ids, "category": frame["category"]})


def scores_frame(with_category: bool = True, templates: int = 2) -> pd.DataFrame:
    """Per-head relation scores over several templates; member heads score 0.8 on average, others < 0.3."""
    rng = np.random.default_rng(7)
    rows = []
    for relation, (category, heads) in RELATIONS.items():
        for layer in range(N_LAYERS):
            for head in range(N_HEADS):
                member = (layer, head) in heads
                base = 0.8 if member else rng.uniform(0.0, 0.25)
                for template in range(templates):
                    jitter = 0.1 if template % 2 == 0 else -0.1
                    rows.append((relation, category, template, layer, head, round(base + jitter * member, 6)))
    frame = pd.DataFrame(rows, columns=["relation", "category", "template", "layer", "head", "score"])
    return frame if with_category else frame.drop(columns="category")


def category_map() -> dict[str, str]:
    """The relation -> category map of the scores data."""
    return {relation: category for relation, (category, _) in RELATIONS.items()}


def write(frame: pd.DataFrame, path: Path, fmt: str) -> Path:
    """Write ``frame`` to ``path`` in format ``fmt`` and return the path."""
    if fmt == "parquet":
        frame.to_parquet(path, index=False)
    elif fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "csv.gz":
        frame.to_csv(path, index=False, compression="gzip")
    elif fmt == "tsv":
        frame.to_csv(path, index=False, sep="\t")
    elif fmt == "json-records":
        path.write_text(frame.to_json(orient="records"))
    elif fmt == "json-columns":
        path.write_text(json.dumps({c: frame[c].tolist() for c in frame.columns}))
    elif fmt == "jsonl":
        frame.to_json(path, orient="records", lines=True)
    elif fmt == "feather":
        feather.write_feather(frame, path)
    elif fmt == "arrow-stream":
        table = pa.Table.from_pandas(frame, preserve_index=False)
        with ipc.new_stream(str(path), table.schema) as writer:
            writer.write_table(table)
    elif fmt == "parquet-folder":
        path.mkdir()
        for i, (category, part) in enumerate(frame.groupby("category", sort=True)):
            part.to_parquet(path / f"part-{i}.parquet", index=False)
    elif fmt == "parquet-hive":
        pq.write_to_dataset(pa.Table.from_pandas(frame, preserve_index=False), str(path), partition_cols=["category"])
    else:
        raise ValueError(fmt)
    return path


def summary_of(table: object, **options: object) -> dict:
    """summary.json of a report built from ``table``, as reporter builds it (without figures)."""
    stats = summarize(load(table, Options.from_kwargs(**options)))
    return summary_dict(stats, observe(stats) + score_observations(stats))


def comparable(summary: dict, drop: tuple[str, ...] = ("source",)) -> dict:
    """A summary without the fields that name the input file (and any others named in ``drop``)."""
    return {k: v for k, v in summary.items() if k not in drop}

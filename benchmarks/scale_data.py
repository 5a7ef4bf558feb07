"""Score datasets for benchmarks/scale.py: hive-partitioned Parquet written in chunks, never held in memory.

    python benchmarks/scale_data.py /tmp/reporter-scale --prompts 1,10,100

Each dataset is 126 x 128 heads (Llama-3.1-405B's shape) x 124 relations x P prompts
(P = 1, 10, 100 gives 2.0 M, 20 M and 200 M rows), laid out as
``model=llama-405b-shaped/relation=relation_NNN/part-0.parquet`` with the shape in
each file's key-value metadata, plus a one-prompt ``model=small-other`` partition that
``--model`` must skip. Scores are multiples of 1/1024 so every engine's mean is exact.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

N_LAYERS, N_HEADS, RELATIONS = 126, 128, 124
CATEGORIES = ("Algorithmic", "Knowledge", "Linguistic", "Translation")
MODEL = "llama-405b-shaped"


def relation_table(relation: int, prompts: int, rng: np.random.Generator, n_layers: int, n_heads: int) -> pa.Table:
    """All rows of one relation: every (prompt, layer, head), a score each."""
    heads = n_layers * n_heads
    rows = heads * prompts
    layer = np.tile(np.repeat(np.arange(n_layers, dtype=np.int16), n_heads), prompts)
    head = np.tile(np.arange(n_heads, dtype=np.int16), n_layers * prompts)
    score = rng.integers(0, 1024, rows).astype(np.float32) / 1024
    category = pa.DictionaryArray.from_arrays(np.zeros(rows, dtype=np.int8), [CATEGORIES[relation % len(CATEGORIES)]])
    table = pa.table({"layer": layer, "head": head, "prompt": np.repeat(np.arange(prompts, dtype=np.int32), heads),
                      "category": category, "score": score})
    return table.replace_schema_metadata({"n_layers": str(n_layers), "n_heads": str(n_heads)})


def write_dataset(root: Path, prompts: int, seed: int = 7) -> Path:
    """One dataset of ``prompts`` prompts under ``root``; returns its folder."""
    folder = root / f"prompts-{prompts}"
    if (folder / "_SUCCESS").exists():
        return folder
    rng = np.random.default_rng(seed)
    for model, n_prompts, relations in ((MODEL, prompts, RELATIONS), ("small-other", 1, 4)):
        for r in range(relations):
            part = folder / f"model={model}" / f"relation=relation_{r:03d}"
            part.mkdir(parents=True, exist_ok=True)
            pq.write_table(relation_table(r, n_prompts, rng, N_LAYERS, N_HEADS), part / "part-0.parquet",
                           row_group_size=1 << 20)
    (folder / "_SUCCESS").write_text("")
    return folder


def main() -> None:
    """Write the datasets named on the command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("root", type=Path)
    p.add_argument("--prompts", default="1,10,100")
    args = p.parse_args()
    for prompts in (int(x) for x in args.prompts.split(",")):
        print(write_dataset(args.root, prompts), flush=True)


if __name__ == "__main__":
    main()

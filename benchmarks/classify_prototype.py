"""A vectorized prototype of the scores rule: per-head scores -> (layer, head, category) memberships.

Not reporter's code: a reference for how fast load + classify can be on
1.6 M score rows (126 x 128 heads x 100 relations), measured by run.py next
to reporter's own scores input. Everything is NumPy on dense arrays indexed by
(relation, head id), so no pandas groupby and no Python loop over rows:

1. read only the needed columns with pyarrow, relation and category as
   dictionary codes (read_dictionary: no 1.6 M Python or Arrow strings);
2. aggregate repeated rows (prompts, templates) per (relation, layer, head)
   with np.bincount into a dense relations x heads array (mean);
3. apply the rule row-wise: top-k per relation (a stable argsort, so ties go
   to the lower head id and the result is deterministic) or a threshold;
4. map each relation to its category and deduplicate (category, head) pairs.

    python benchmarks/classify_prototype.py SCORES.parquet --top-k 160
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq


def codes(column: pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """Integer codes and the distinct values of a string (or dictionary) column."""
    encoded = column if pa.types.is_dictionary(column.type) else column.dictionary_encode()
    combined = encoded.combine_chunks() if isinstance(encoded, pa.ChunkedArray) else encoded
    return combined.indices.to_numpy(zero_copy_only=False), combined.dictionary.to_pylist()


def classify(path: str, top_k: int | None = None, threshold: float | None = None,
             score_column: str = "score") -> dict[str, np.ndarray]:
    """Memberships as three arrays (layer, head, category code) plus the category names."""
    # read_dictionary: relation and category arrive as codes (Parquet stores them so), not 1.6 M strings.
    table = pq.read_table(path, columns=["layer", "head", "relation", "category", score_column],
                          read_dictionary=["relation", "category"]).unify_dictionaries().combine_chunks()
    layer = table["layer"].to_numpy().astype(np.int64)
    head = table["head"].to_numpy().astype(np.int64)
    score = pc.cast(table[score_column], pa.float64()).to_numpy()
    relation, relation_names = codes(table["relation"])
    category, category_names = codes(table["category"])
    n_layers, n_heads = int(layer.max()) + 1, int(head.max()) + 1
    n_relations, n_total = len(relation_names), n_layers * n_heads

    # relation -> category, one value per relation (a real loader checks they agree).
    relation_category = np.zeros(n_relations, dtype=np.int64)
    relation_category[relation] = category

    # Mean score per (relation, head id), dense: repeated rows aggregate here.
    key = relation.astype(np.int64) * n_total + layer * n_heads + head
    sums = np.bincount(key, weights=score, minlength=n_relations * n_total)
    counts = np.bincount(key, minlength=n_relations * n_total)
    with np.errstate(invalid="ignore"):
        mean = (sums / counts).reshape(n_relations, n_total)  # NaN where a head has no score

    if top_k is not None:
        order = np.argsort(-np.nan_to_num(mean, nan=-np.inf), axis=1, kind="stable")[:, :top_k]
        rel_idx = np.repeat(np.arange(n_relations), order.shape[1])
        head_id = order.ravel()
        keep = ~np.isnan(mean[rel_idx, head_id])
        rel_idx, head_id = rel_idx[keep], head_id[keep]
    else:
        rel_idx, head_id = np.nonzero(mean >= threshold)

    pairs = np.unique(relation_category[rel_idx] * n_total + head_id)
    cat, hid = np.divmod(pairs, n_total)
    return {"layer": hid // n_heads, "head": hid % n_heads, "category": cat, "names": np.array(category_names)}


def main() -> None:
    """Time one classification and print JSON: seconds, memberships, peak RSS."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("scores")
    p.add_argument("--top-k", type=int)
    p.add_argument("--threshold", type=float)
    args = p.parse_args()
    start = time.perf_counter()
    result = classify(args.scores, top_k=args.top_k, threshold=args.threshold)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "seconds": seconds,
        "memberships": int(len(result["layer"])),
        "categories": int(len(set(result["category"].tolist()))),
        "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }))


if __name__ == "__main__":
    main()

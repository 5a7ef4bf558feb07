"""Scores: memberships from per-head relation scores, a relation -> category map and a rule.

A head joins a category when, for at least one relation mapped to that
category, its aggregated score passes the rule (``--threshold``, ``--top-k``
per relation, ``--top-percent`` per relation; a threshold may be combined with
either top rule, and then both must hold).

The path, one function per step (an out-of-core engine replaces the first two):
raw rows (``score_rows``: layer, head, relation code, score; many per head when
prompts or templates repeat) -> ``aggregate``: one score per (layer, head,
relation) -> ``apply_rule``: the rows that pass -> ``memberships_of``: sorted,
distinct (layer, head, category) rows via the relation -> category map.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from ..shapes.columns import missing_column, name_problems, plain
from ...errors import InputError, UsageError, listed
from ...options import Options
from .ranking import outcome_spec, ranked, read_threshold_map, thresholds_by_code, ties_sentence
from ..shapes.shapes import Parsed, head_index_problems, heads_of

log = logging.getLogger(__name__)

RULE_FLAGS = ("threshold", "top_k", "top_percent", "top_mass", "threshold_map")


def has_rule(options: Options) -> bool:
    """Whether any rule option was given."""
    return any(getattr(options, name) is not None for name in RULE_FLAGS)


def rule_flag(options: Options) -> str:
    """The first rule option given, spelled as on the command line."""
    name = next(n for n in RULE_FLAGS if getattr(options, n) is not None)
    return "--" + name.replace("_", "-")


def score_problems(frame: pd.DataFrame, options: Options, category_map: pd.DataFrame | None) -> list[str]:
    """Every problem of a scores table: columns, indexes, scores, rule and category map."""
    problems = head_index_problems(frame) + name_problems(frame["relation"], "relation")
    if "score" not in frame.columns:
        problems.append(missing_column(frame, options.score_column, "; name the score column with --score-column NAME"))
    elif pd.to_numeric(frame["score"], errors="coerce").isna().sum() > frame["score"].isna().sum():
        bad = plain(frame["score"][pd.to_numeric(frame["score"], errors="coerce").isna() & frame["score"].notna()].iloc[0])
        problems.append(f"column {options.score_column!r} holds {bad!r}, not a number; scores must be numbers")
    if category_map is None and "category" not in frame.columns:
        problems.append("no relation -> category map: add a 'category' column, pass --category-map FILE, or --category "
                        "NAME to put every relation in one category")
    else:
        problems += map_problems(frame, category_map)
    return problems


def map_problems(frame: pd.DataFrame, category_map: pd.DataFrame | None) -> list[str]:
    """A problem naming the relations the category map does not cover."""
    mapping = category_map if category_map is not None else map_from_column(frame)
    # Strip the distinct names, not every cell: a scores table repeats each relation thousands of times.
    relations = set(pd.Index(frame["relation"].dropna().unique()).astype(str).str.strip())
    missing = sorted(relations - set(mapping["relation"]))
    if not missing:
        return []
    where = "--category-map" if category_map is not None else "the 'category' column"
    return [f"{where} gives no category for relation{'s' if len(missing) > 1 else ''} "
            f"{listed(repr(m) for m in missing)}; map every relation to a category"]


def map_from_column(frame: pd.DataFrame) -> pd.DataFrame:
    """The (relation, category) pairs the table's own ``category`` column gives."""
    # An aggregate from another engine carries the pairs when a relation's rows name several categories.
    pairs = frame.attrs.get("category_pairs")
    pairs = distinct_pairs(frame["relation"], frame["category"]) if pairs is None else pairs
    pairs = pairs.astype(str).apply(lambda s: s.str.strip())
    pairs = pairs[(pairs["relation"] != "") & (pairs["category"] != "")]
    # No order: the column's row order is the relations' (MAPS lists Linguistic first, by relation name), and
    # an aggregate another engine made where the data lives has none, so every engine gives the same panels.
    return in_order(pairs, None)


def first_appearance(column: pd.Series) -> tuple[str, ...]:
    """The distinct stripped names of a column in the order they first appear, empty and missing ones left out."""
    names = (str(v).strip() for v in pd.unique(column.dropna()))
    return tuple(dict.fromkeys(n for n in names if n))


def in_order(pairs: pd.DataFrame, order: tuple[str, ...] | None) -> pd.DataFrame:
    """The distinct pairs sorted by (relation, category), carrying the categories' input ``order`` (None: no order)."""
    out = pairs.drop_duplicates().sort_values(["relation", "category"]).reset_index(drop=True)
    out.attrs["category_order"] = order
    return out


def distinct_pairs(relation: pd.Series, category: pd.Series) -> pd.DataFrame:
    """The distinct (relation, category) pairs where neither is missing, as given (not yet stripped).

    Each column is factorized on its own and the pairs deduplicated as integer
    codes: far cheaper than dropna + drop_duplicates on millions of text rows.
    """
    relation_code, relations = pd.factorize(relation)
    category_code, categories = pd.factorize(category)
    present = (relation_code >= 0) & (category_code >= 0)  # factorize codes missing values as -1
    width = max(len(categories), 1)
    pair = relation_code[present].astype(np.int64) * width + category_code[present]
    r, c = np.divmod(dense_groups(pair)[1] if len(pair) else pair, width)
    return pd.DataFrame({"relation": pd.Index(relations).take(r), "category": pd.Index(categories).take(c)})


def read_category_map(path: str | Path) -> pd.DataFrame:
    """A relation -> category map from CSV/TSV (relation, category columns) or JSON.

    JSON may be ``{"relation": "Category"}``, ``{"relation": ["A", "B"]}`` or a
    list of ``{"relation": ..., "category": ...}`` records.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"--category-map {path}: no such file; check the path")
    try:
        if path.suffix.lower() == ".json":
            pairs = map_from_json(json.loads(path.read_text(encoding="utf-8")))
        elif path.suffix.lower() in (".csv", ".tsv"):
            pairs = map_from_csv(pd.read_csv(path, sep="\t" if path.suffix.lower() == ".tsv" else ",", dtype=str))
        else:
            raise InputError(f"--category-map {path.name}: unknown file type {path.suffix or '(none)'!r}; use .csv or .json")
    except InputError:
        raise
    except Exception as exc:  # a malformed map is the user's file, not our bug
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"--category-map {path.name}: cannot read it ({reason}); give relation,category rows") from exc
    if pairs.empty:
        raise InputError(f"--category-map {path.name}: the map is empty; give relation,category rows")
    return in_order(pairs, first_appearance(pairs["category"]))  # the map's own order


def map_from_json(document: object) -> pd.DataFrame:
    """(relation, category) pairs from a JSON object or list of records."""
    rows: list[tuple[str, str]] = []
    if isinstance(document, dict):
        for relation, value in document.items():
            for category in value if isinstance(value, list) else [value]:
                rows.append((str(relation), str(category)))
    elif isinstance(document, list):
        frame = pd.DataFrame(document)
        return map_from_csv(frame.astype(str))
    else:
        raise InputError("--category-map: JSON must be an object {relation: category} or a list of records")
    return clean_pairs(pd.DataFrame(rows, columns=["relation", "category"]))


def map_from_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """(relation, category) pairs from a table with relation (or task) and category columns."""
    lowered = {str(c).strip().lower(): c for c in frame.columns}
    relation = lowered.get("relation", lowered.get("task"))
    category = lowered.get("category")
    if relation is None or category is None:
        name = "relation" if relation is None else "category"
        raise InputError(f"--category-map: {missing_column(frame, name)}")
    return clean_pairs(frame[[relation, category]].set_axis(["relation", "category"], axis=1).dropna())


def clean_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """Stripped, non-empty (relation, category) text pairs."""
    pairs = pairs.astype(str).apply(lambda s: s.str.strip())
    return pairs[(pairs["relation"] != "") & (pairs["category"] != "")]


def score_memberships(frame: pd.DataFrame, options: Options) -> Parsed:
    """Memberships from a scores table: aggregate repeated rows, apply the rule, map relations to categories."""
    category_map = read_category_map(options.category_map) if options.category_map else None
    problems = score_problems(frame, options, category_map)
    if problems:
        raise InputError(problems[0])
    mapping = category_map if category_map is not None else map_from_column(frame)
    heads = heads_of(frame)
    rows, names = score_rows(frame, heads)
    scores = aggregate(rows, options.aggregate)
    if not has_rule(options):
        raise UsageError(no_rule_message(scores))
    used = mapping[mapping["relation"].isin(names[np.unique(scores["relation"].to_numpy())])]
    order = mapping.attrs.get("category_order")
    # Pair i is used row i as a relation code; used is sorted by (relation, category) and codes follow
    # name order, so the pairs are sorted by code and a pair number orders pairs as their names do.
    pairs = pd.DataFrame({"relation": names.get_indexer(used["relation"])})
    result, thresholds = ranked_scores(scores, names, options, heads)
    members = memberships_of(result.passing, pairs, used)
    return Parsed(
        "scores", members, categories_of(used, order), heads, ordered=order is not None,
        scores=per_head_scores(scores, pairs, used, names, scores.index.isin(result.passing.index)),
        rule=" ".join(filter(None, (rule_text(options), ties_sentence(result, options, names)))),
        rule_spec={**rule_spec(options, used), **outcome_spec(result, options, names, thresholds)},
        warnings=nan_warning(frame),
    )


def categories_of(used: pd.DataFrame, order: tuple[str, ...] | None) -> tuple[str, ...]:
    """The categories the scored relations map to: in the input's ``order``, alphabetically without one."""
    present = set(used["category"])
    return tuple(c for c in order if c in present) if order is not None else tuple(sorted(present))


def ranked_scores(scores: pd.DataFrame, names: pd.Index, options: Options, heads: pd.DataFrame):
    """The rule applied (input/ranking.py) and the per-relation thresholds of a threshold map (or None)."""
    mapping = read_threshold_map(options.threshold_map) if options.threshold_map else None
    thresholds = None if mapping is None else thresholds_by_code(mapping, names, options.threshold, "--threshold-map")
    n_heads = options.heads or (int(heads["head"].max()) + 1 if len(heads) else None)
    result = ranked(scores, options, thresholds, n_heads)
    return result, (None if mapping is None else {str(n): float(t) for n, t in zip(names, thresholds)
                                                   if not np.isnan(t)})


def score_rows(frame: pd.DataFrame, heads: pd.DataFrame) -> tuple[pd.DataFrame, pd.Index]:
    """The raw rows of a scores table: layer, head, relation code, float score; and the relation names by code."""
    codes, names = relation_codes(frame["relation"])
    score = pd.to_numeric(frame["score"]).to_numpy(dtype="float64")
    return heads.assign(relation=codes, score=score), names


def aggregated_scores(frame: pd.DataFrame, options: Options) -> tuple[pd.DataFrame, pd.Index]:
    """One score per (layer, head, relation code) of a valid scores table, and the relation names."""
    rows, names = score_rows(frame, heads_of(frame))
    return aggregate(rows, options.aggregate), names


def no_rule_message(scores: pd.DataFrame) -> str:
    """The error of a scores table built without a rule: a concrete rule worked out from the scores."""
    from .suggest import suggested_rules

    return ("this table holds scores and no rule turns them into categories; try " + suggested_rules(scores)
            + " (`reporter inspect` shows the score distribution)")


def relation_codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of the stripped relation names, numbered in sorted name order, and the names.

    Working on codes keeps grouping and sorting on integers, and strips each
    distinct name once instead of once per row (a scores table has millions).
    """
    codes, uniques = pd.factorize(column)
    stripped = pd.Index(uniques).astype(str).str.strip()
    names, remap = np.unique(stripped.to_numpy(dtype=object), return_inverse=True)
    return remap.reshape(-1)[codes], pd.Index(names, dtype=stripped.dtype)


def memberships_of(passing: pd.DataFrame, pairs: pd.DataFrame, used: pd.DataFrame) -> pd.DataFrame:
    """Sorted, distinct (layer, head, category) rows of the passing (layer, head, relation code) rows."""
    row, pair = expand_pairs(passing["relation"].to_numpy(), pairs)
    members = pd.DataFrame({
        "layer": passing["layer"].to_numpy()[row], "head": passing["head"].to_numpy()[row],
        "category": used["category"].reset_index(drop=True).take(pair).to_numpy(),
    }).astype({"category": used["category"].dtype}).drop_duplicates()
    return members.sort_values(["layer", "head", "category"], kind="stable").reset_index(drop=True)


def per_head_scores(scores: pd.DataFrame, pairs: pd.DataFrame, used: pd.DataFrame, names: pd.Index,
                    kept: np.ndarray) -> pd.DataFrame:
    """One row per (layer, head, relation, category) with the aggregated score and whether the rule kept
    the head for that relation (``kept``, one flag per row of ``scores``), sorted by those names.

    ``scores`` comes sorted by (layer, head, relation) and each row's pairs come
    in category order, so the expanded rows are already in the promised order.
    """
    row, pair = expand_pairs(scores["relation"].to_numpy(), pairs)
    category = used["category"].reset_index(drop=True)
    return pd.DataFrame({
        "layer": scores["layer"].to_numpy()[row],
        "head": scores["head"].to_numpy()[row],
        "relation": pd.Series(names.take(scores["relation"].to_numpy()[row])),
        "category": category.take(pair).reset_index(drop=True),
        "score": scores["score"].to_numpy()[row],
        "kept": kept[row],
    })


def expand_pairs(relation: np.ndarray, pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(row, pair) for every row and every (relation, category) pair of its relation, in row then pair order.

    A join by arithmetic: ``pairs`` is sorted by relation code, so a relation's
    pairs are one run of pair numbers; repeat each row once per pair of its run.
    """
    pair_relation = pairs["relation"].to_numpy()
    first = np.searchsorted(pair_relation, relation, side="left")
    count = np.searchsorted(pair_relation, relation, side="right") - first
    row = np.repeat(np.arange(len(relation)), count)
    # Position of each repeated row within its run: 0, 1, ... count-1.
    offset = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    return row, first[row] + offset


def nan_warning(frame: pd.DataFrame) -> tuple[str, ...]:
    """A warning when some score cells are empty (they are left out of the aggregate)."""
    # An aggregate from another engine counted the rows without a score before grouping them.
    empty = int(frame.attrs.get("empty_scores", frame["score"].isna().sum()))
    if not empty:
        return ()
    log.warning("%d rows have no score and were left out", empty)
    return (f"{empty} rows have no score and were left out",)


def aggregate(rows: pd.DataFrame, how: str) -> pd.DataFrame:
    """One score per (layer, head, relation): the mean, max or median of repeated rows."""
    packed = packed_key(rows)
    if packed is None:  # indexes too large to pack into one integer: group on the three columns
        grouped = rows.groupby(["layer", "head", "relation"], sort=True)["score"].agg(how)
        return grouped.dropna().reset_index()
    key, n_heads, n_relations = packed
    group, keys = dense_groups(key)
    score = rows["score"].to_numpy(dtype="float64")
    if len(keys) == len(key):
        # No repeated rows: the mean, max or median of one score is that score, so only reorder.
        values = np.empty(len(keys))
        values[group] = score
    else:
        # Grouping on one integer is far faster than on three columns; group numbers sort as the keys do.
        values = pd.Series(score).groupby(group, sort=True).agg(how).to_numpy()
    found = ~np.isnan(values)  # a (layer, head, relation) with no score at all is left out
    rest, relation = np.divmod(keys[found], n_relations)
    layer, head = np.divmod(rest, n_heads)
    return pd.DataFrame({"layer": layer, "head": head, "relation": relation, "score": values[found]})


def packed_key(rows: pd.DataFrame) -> tuple[np.ndarray, int, int] | None:
    """(layer * n_heads + head) * n_relations + relation per row, n_heads and n_relations; None if it could overflow."""
    if len(rows) == 0:
        return None
    layer, head, relation = (rows[c].to_numpy(dtype=np.int64) for c in ("layer", "head", "relation"))
    n_heads, n_relations = int(head.max()) + 1, int(relation.max()) + 1
    if (int(layer.max()) + 1) * n_heads * n_relations >= 2**62:
        return None
    return (layer * n_heads + head) * n_relations + relation, n_heads, n_relations


def dense_groups(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's group number 0..G-1 in key order, and the key of each group.

    When the keys span few values (a full scores table fills most of its
    layers x heads x relations grid) a bincount numbers them without sorting.
    """
    span = int(key.max()) + 1
    if span > 4 * len(key):  # sparse keys: a sort is cheaper than a table this large
        keys, group = np.unique(key, return_inverse=True)
        return group.reshape(-1), keys
    present = np.bincount(key, minlength=span) > 0
    return (np.cumsum(present) - 1)[key], np.flatnonzero(present)


def apply_rule(scores: pd.DataFrame, options: Options, n_heads: int | None = None) -> pd.DataFrame:
    """The (layer, head, relation) rows whose score passes the rule (ties at a rank cut as ``options.ties`` says).

    ``scores`` must be sorted by (layer, head) within each relation, as
    ``aggregate`` returns it: under ``--ties first`` equal scores rank in row order.
    """
    return ranked(scores, options, None, n_heads).passing


def rule_text(options: Options) -> str:
    """The rule as a sentence for the report header."""
    tests = []
    group = {"relation": "relation", "layer": "relation within its layer",
             "kv-group": "relation within its key/value group"}[options.rank_within]
    if options.top_k is not None:
        tests.append(f"is among the {options.top_k} highest of the {group}")
    if options.top_percent is not None:
        tests.append(f"is in the top {options.top_percent:g}% of the {group}'s heads")
    if options.top_mass is not None:
        tests.append(f"is among the fewest highest-scoring heads holding {options.top_mass:g}% of the {group}'s "
                     "summed score")
    scale = {"none": "", "max": " as a share of the relation's maximum", "z": " as a z-score within the relation",
             "rank": " as a rank share within the relation (1 for its top head)"}[options.normalize]
    if options.threshold_map is not None:
        tests.append(f"is at least its relation's threshold from {Path(options.threshold_map).name}{scale}"
                     + (f" ({options.threshold:g} for the others)" if options.threshold is not None else ""))
    elif options.threshold is not None:
        tests.append(f"is at least {options.threshold:g}{scale}")
    return (f"A head joins a category when its score ({options.score_column}, {options.aggregate} over repeated rows) "
            f"{' and '.join(tests)} for at least one of the category's relations.")


def rule_spec(options: Options, mapping: pd.DataFrame) -> dict:
    """The rule as structured data for summary.json."""
    relations: dict[str, list[str]] = {}
    for relation, category in mapping.itertuples(index=False):
        relations.setdefault(relation, []).append(category)
    return {
        "kind": "scores",
        "score_column": options.score_column,
        "aggregate": options.aggregate,
        "threshold": options.threshold,
        "top_k": options.top_k,
        "top_percent": options.top_percent,
        "top_mass": options.top_mass,
        "ties": options.ties,
        "normalize": options.normalize,
        "rank_within": options.rank_within,
        "kv_heads": options.kv_heads if options.rank_within == "kv-group" else None,
        "relations": {r: sorted(c) for r, c in sorted(relations.items())},
    }

"""Ranking: which aggregated scores pass a rule, with every tie at a rank cut accounted for.

A rank rule (``--top-k``, ``--top-percent``, ``--top-mass``) ranks the heads of
each group (a relation; with ``--rank-within layer`` or ``kv-group`` each layer
or key/value group of a relation) by score and keeps the first L. When heads
share the score at place L, a cut there would split them by row order, which
says nothing about the heads. ``--ties`` chooses, and the default keeps them:

- ``keep`` (default): every head tied at the cut is kept, so a group may keep more than L;
- ``drop``: no head tied at the cut is kept, so a group may keep fewer than L;
- ``first``: the first L in (layer, head) order, as reporter did before (a tie is split).

Each crossing tie is recorded (``TieAtCut``) for the header, summary.json and ``inspect``.

A threshold applies to the score normalised per relation (``--normalize``: ``none``,
``max`` the share of the relation's maximum, ``z`` the z-score within the relation,
``rank`` the share of the relation's heads scoring at most as much, 1.0 for the top)
and may be given per relation (``--threshold-map FILE``). Normalising never
changes the order within a relation, so rank rules read the raw scores.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import InputError, UsageError, listed



@dataclass(frozen=True)
class TieAtCut:
    """Heads tied at one group's cut: the group, the tied score, how many tie, how many the cut reached."""

    relation: int  # relation code
    layer: int | None  # the layer of a per-layer or per-KV-group rule
    kv_group: int | None
    score: float
    tied: int  # heads of the group at this score
    inside: int  # of them, how many the first L places hold
    asked: int  # L
    kept: int  # heads the group keeps under the tie option


@dataclass(frozen=True)
class Ranked:
    """The rows that pass, and what the rank step asked for and kept."""

    passing: pd.DataFrame
    asked: int | None = None  # sum of L over groups; None without a rank rule
    kept: int = 0  # (head, relation) rows passing the whole rule
    ties: tuple[TieAtCut, ...] = field(default=())


def rank_rule(options) -> str | None:
    """The rank rule given: 'top_k', 'top_percent', 'top_mass' or None."""
    return next((n for n in ("top_k", "top_percent", "top_mass") if getattr(options, n) is not None), None)


def ranked(scores: pd.DataFrame, options, thresholds: np.ndarray | None = None, n_heads: int | None = None) -> Ranked:
    """The (layer, head, relation) rows passing the rule, with the ties that crossed a rank cut.

    ``thresholds`` is one threshold per relation code (NaN: none), from a threshold map.
    """
    keep = np.ones(len(scores), dtype=bool)
    relation = scores["relation"].to_numpy()
    asked, ties = None, ()
    if rank_rule(options) is not None and len(scores):
        group, parts = group_codes(scores, options.rank_within, options.kv_heads, n_heads)
        rank_keep, asked, ties = rank_cut(group, scores["score"].to_numpy(dtype="float64"), options)
        keep &= rank_keep
        ties = tuple(tie_record(t, parts) for t in ties)
    if thresholds is None and options.threshold is not None:
        thresholds = np.full(int(relation.max()) + 1 if len(relation) else 0, float(options.threshold))
    if thresholds is not None and len(scores):
        limit = thresholds[relation]
        normal = normalized(relation, scores["score"].to_numpy(dtype="float64"), options.normalize)
        keep &= np.isnan(limit) | (normal >= limit)
    return Ranked(scores[keep], asked, int(keep.sum()), ties)


def group_codes(scores: pd.DataFrame, within: str, kv_heads: int | None, n_heads: int | None):
    """A dense integer group per row (relation, or relation and layer, or relation, layer and KV group),
    and the (relation, layer, kv_group) of each group code."""
    relation = scores["relation"].to_numpy(dtype=np.int64)
    if within == "relation":
        return relation, None
    layer = scores["layer"].to_numpy(dtype=np.int64)
    kv = np.zeros(len(scores), dtype=np.int64)
    if within == "kv-group":
        kv = scores["head"].to_numpy(dtype=np.int64) // kv_group_size(kv_heads, n_heads)
    keys = np.stack([relation, layer, kv], axis=1)
    parts, group = np.unique(keys, axis=0, return_inverse=True)
    return group.reshape(-1), parts


def kv_group_size(kv_heads: int | None, n_heads: int | None) -> int:
    """Query heads per key/value head; ranking within KV groups needs --kv-heads dividing the heads."""
    if kv_heads is None:
        raise UsageError("ranking within key/value groups needs --kv-heads N (key/value heads per layer)")
    if not n_heads or n_heads % kv_heads:
        raise UsageError(f"--kv-heads {kv_heads} does not divide the {n_heads} heads per layer; "
                         "give --heads N with a multiple of --kv-heads")
    return n_heads // kv_heads


def rank_cut(group: np.ndarray, score: np.ndarray, options) -> tuple[np.ndarray, int, list[tuple]]:
    """Rows each group keeps under the rank rule and the tie option; the places asked; the crossing ties."""
    order = relation_score_order(group, score)
    g, s = group[order], score[order]
    codes, starts, sizes = np.unique(g, return_index=True, return_counts=True)
    limits = group_limits(s, starts, sizes, options, codes)
    rank = np.arange(len(g)) - np.repeat(starts, sizes)
    keep_sorted = rank < np.repeat(limits, sizes)
    crossing = []
    for i in np.flatnonzero((limits > 0) & (limits < sizes)):
        cut, first, n = s[starts[i] + limits[i] - 1], starts[i], sizes[i]
        if s[first + limits[i]] != cut:
            continue
        tied = np.flatnonzero(s[first:first + n] == cut) + first  # a run: the group is sorted by score
        inside = int(limits[i] - (tied[0] - first))
        if options.ties != "first":  # "first" leaves the row-order split as it is
            keep_sorted[tied] = options.ties == "keep"
        kept = int(keep_sorted[first:first + n].sum())
        crossing.append((int(codes[i]), float(cut), len(tied), inside, int(limits[i]), kept))
    keep = np.empty(len(order), dtype=bool)
    keep[order] = keep_sorted
    return keep, int(limits.sum()), crossing


def group_limits(s: np.ndarray, starts: np.ndarray, sizes: np.ndarray, options, codes: np.ndarray) -> np.ndarray:
    """L, the places each group keeps: k, P% of its heads (rounded up), or the fewest holding P% of its mass."""
    if options.top_k is not None:
        return np.minimum(sizes, options.top_k)
    if options.top_percent is not None:
        return np.ceil(sizes * options.top_percent / 100 - 1e-9).astype(np.int64)
    return mass_limits(s, starts, sizes, options.top_mass)


def mass_limits(s: np.ndarray, starts: np.ndarray, sizes: np.ndarray, percent: float) -> np.ndarray:
    """The fewest heads of each group (sorted by score, descending) whose scores sum to at least P% of the group's."""
    if len(s) and s.min() < 0:
        raise UsageError(f"--top-mass needs scores of at least 0 (a share of the summed score), but one is {s.min():g}; "
                         "use --top-k or --top-percent")
    out = np.empty(len(starts), dtype=np.int64)
    for i, (first, n) in enumerate(zip(starts, sizes)):
        out[i] = heads_for_mass(s[first:first + n], percent)
    return out


def heads_for_mass(descending: np.ndarray, percent: float) -> int:
    """How many of the highest scores (given sorted descending) hold ``percent``% of their sum (0 if the sum is 0)."""
    total = float(descending.sum())
    if total <= 0:
        return 0
    cumulative = np.cumsum(descending)
    # A relative tolerance so a share reached exactly (0.5 of 1.0) is not lost to rounding.
    return int(np.searchsorted(cumulative, total * percent / 100 * (1 - 1e-12), side="left")) + 1


def tie_record(t: tuple, parts: np.ndarray | None) -> TieAtCut:
    """A crossing tie with its group spelled out."""
    code, score, tied, inside, asked, kept = t
    relation, layer, kv = (code, None, None) if parts is None else (int(parts[code][0]), int(parts[code][1]),
                                                                       int(parts[code][2]))
    return TieAtCut(relation, layer, kv if parts is not None and layer is not None else None, score, tied, inside,
                    asked, kept)


def normalized(relation: np.ndarray, score: np.ndarray, how: str) -> np.ndarray:
    """Scores on each relation's own scale: as given, share of its maximum, z-score, or rank share."""
    if how == "none":
        return score
    frame = pd.DataFrame({"relation": relation, "score": score})
    by = frame.groupby("relation")["score"]
    if how == "max":
        top = by.transform("max").to_numpy()
        return np.divide(score, top, out=np.zeros_like(score), where=top > 0)
    if how == "z":
        spread = by.transform("std", ddof=0).to_numpy()
        centred = score - by.transform("mean").to_numpy()
        return np.divide(centred, spread, out=np.zeros_like(score), where=spread > 0)
    return (by.rank(method="max") / by.transform("size")).to_numpy()


def read_threshold_map(path: str | Path) -> dict[str, float]:
    """Per-relation thresholds from JSON ``{"relation": T}`` or CSV/TSV with relation and threshold columns."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"--threshold-map {path}: no such file; check the path")
    try:
        if path.suffix.lower() == ".json":
            document = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(document, dict):
                raise InputError(f"--threshold-map {path.name}: JSON must be an object {{relation: threshold}}")
            pairs = {str(k).strip(): v for k, v in document.items()}
        else:
            pairs = csv_thresholds(pd.read_csv(path, sep="\t" if path.suffix.lower() == ".tsv" else ",", dtype=str))
    except InputError:
        raise
    except Exception as exc:  # a malformed map is the user's file, not our bug
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"--threshold-map {path.name}: cannot read it ({reason}); give relation,threshold rows") from exc
    return checked_thresholds(pairs, path.name)


def csv_thresholds(frame: pd.DataFrame) -> dict[str, object]:
    """relation -> threshold text from a table with relation (or task) and threshold columns."""
    lowered = {str(c).strip().lower(): c for c in frame.columns}
    relation, threshold = lowered.get("relation", lowered.get("task")), lowered.get("threshold")
    if relation is None or threshold is None:
        raise InputError(f"needs 'relation' and 'threshold' columns, found {listed(repr(str(c)) for c in frame.columns)}")
    return {str(r).strip(): t for r, t in zip(frame[relation], frame[threshold])}


def checked_thresholds(pairs: dict[str, object], name: str) -> dict[str, float]:
    """Every threshold a finite number, at least one given."""
    out = {}
    for relation, value in pairs.items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if isinstance(value, bool) or not np.isfinite(number):
            raise InputError(f"--threshold-map {name}: relation {relation!r} has threshold {value!r}, not a finite number")
        out[relation] = number
    if not out:
        raise InputError(f"--threshold-map {name}: the map is empty; give relation,threshold rows")
    return dict(sorted(out.items()))


def thresholds_by_code(mapping: dict[str, float], names: pd.Index, default: float | None, flag: str) -> np.ndarray:
    """One threshold per relation code; relations the map leaves out take --threshold, else it is an error."""
    unknown = sorted(set(mapping) - set(map(str, names)))
    if unknown:
        raise UsageError(f"{flag} names relation{'s' if len(unknown) > 1 else ''} {listed(repr(u) for u in unknown)} "
                         f"that the table does not have; it has {listed(repr(str(n)) for n in names)}")
    missing = [str(n) for n in names if str(n) not in mapping]
    if missing and default is None:
        raise UsageError(f"{flag} gives no threshold for {listed(repr(m) for m in missing)}; add them or give "
                         "--threshold T for the rest")
    fallback = np.nan if default is None else float(default)
    return np.array([mapping.get(str(n), fallback) for n in names], dtype="float64")


MASS_PERCENTS = (50, 80, 90)  # the rule-free mass counts (inspect, summary.json relation_scores)

TIE_WORDS = {"keep": "every head tied at the cut is kept", "drop": "no head tied at the cut is kept",
             "first": "heads tied at the cut are split by row order (lower layer, then lower head, first)"}


def outcome_spec(result: Ranked, options, names: pd.Index, thresholds: dict[str, float] | None) -> dict:
    """What the rule asked for and kept, and every tie that crossed a cut, for summary.json."""
    return {
        "thresholds": thresholds,
        "heads_asked": result.asked,
        "heads_kept": result.kept,
        "ties_at_cut": [tie_dict(t, names) for t in result.ties] if rank_rule(options) else None,
    }


def tie_dict(t: TieAtCut, names: pd.Index) -> dict:
    """One crossing tie with its relation by name."""
    where = {} if t.layer is None else {"layer": t.layer} if t.kv_group is None else {"layer": t.layer, "kv_group": t.kv_group}
    return {"relation": str(names[t.relation]), **where, "score": t.score, "tied": t.tied,
            "inside": t.inside, "asked": t.asked, "kept": t.kept}


def ties_sentence(result: Ranked, options, names: pd.Index) -> str:
    """The header's sentence on ties: the choice, and when a tie crossed a cut, where and what it changed."""
    if rank_rule(options) is None:
        return ""
    choice = f"At a rank cut {TIE_WORDS[options.ties]} (--ties {options.ties})"
    if not result.ties:
        return choice + "; no tie crossed a cut."
    unit = "relation" if options.rank_within == "relation" else f"({options.rank_within.replace('-', ' ')}) group"
    shown = "; ".join(tie_words(t, names) for t in result.ties[:3])
    more = f"; and {len(result.ties) - 3:,} more" if len(result.ties) > 3 else ""
    return (f"{choice}. A tie crossed the cut in {len(result.ties):,} {unit}{plural(len(result.ties))} "
            f"({shown}{more}): {result.kept:,} (head, relation) pairs kept for {result.asked:,} places asked.")


def tie_words(t: TieAtCut, names: pd.Index) -> str:
    """'successor: 6 heads tie at 1 across place 3, 6 kept'."""
    where = "" if t.layer is None else f" layer {t.layer}" + ("" if t.kv_group is None else f" KV group {t.kv_group}")
    return f"{str(names[t.relation])}{where}: {t.tied:,} heads tie at {t.score:.6g} across place {t.asked:,}, {t.kept:,} kept"


def tie_problems(spec: dict | None, limit: int = 10) -> list[str]:
    """``inspect``'s problem lines: per crossing tie, the relation, the tied score, the count and what was kept."""
    ties = (spec or {}).get("ties_at_cut") or []
    choice = (spec or {}).get("ties", "keep")
    out = [tie_line(t, choice) for t in ties[:limit]]
    if len(ties) > limit:
        out.append(f"and {len(ties) - limit} more groups where a tie crosses the cut (summary.json rule.ties_at_cut)")
    return out


def tie_line(t: dict, choice: str) -> str:
    """One crossing tie in words."""
    where = "" if "layer" not in t else f", layer {t['layer']}" + (f" KV group {t['kv_group']}" if "kv_group" in t else "")
    others = [c for c in TIES_ORDER if c != choice]
    return (f"relation {t['relation']!r}{where}: {t['tied']:,} heads tie at score {t['score']:.6g} across the cut "
            f"({t['asked']:,} places asked, {t['inside']:,} of the tied inside); {t['kept']:,} kept with --ties "
            f"{choice}; --ties {others[0]} or {others[1]} chooses otherwise")


TIES_ORDER = ("keep", "drop", "first")


def plural(n: int) -> str:
    """'s' unless n is 1."""
    return "" if n == 1 else "s"


def listed_few(names: list[str], most: int = 3) -> str:
    """The first few names quoted, and how many more."""
    shown = ", ".join(repr(n) for n in names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def relation_score_order(relation: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Rows ordered by relation, then score descending, equal scores in row order.

    That is a stable sort; done as a quicker unstable sort by score, a stable
    sort by relation (small integers, which NumPy radix-sorts), then putting
    only the runs of tied scores back in row order.
    """
    by_score = np.argsort(-score)
    codes = relation[by_score]
    if len(codes) and codes.max() < 2**15:
        codes = codes.astype(np.int16)
    order = by_score[np.argsort(codes, kind="stable")]
    same = (relation[order][1:] == relation[order][:-1]) & (score[order][1:] == score[order][:-1])
    if same.any():
        tied = np.flatnonzero(np.r_[same, False] | np.r_[False, same])  # positions inside a run of ties
        run = np.cumsum(np.r_[True, ~same])[tied]
        order[tied] = order[tied][np.lexsort((order[tied], run))]
    return order

"""Rank and threshold rules on scores: ties at a cut never split silently, per-layer and per-KV-group ranks,
per-relation scales, the mass rule, a threshold per relation."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import reporter
from reporter.errors import UsageError


def members(report, category: str | None = None) -> set[tuple[int, int]]:
    m = report.table.memberships
    m = m if category is None else m[m["category"] == category]
    return set(zip(m["layer"], m["head"]))


def tied_table() -> pd.DataFrame:
    """One relation over 8 x 4 heads: 6 heads score exactly 1.0 (in layers 1, 3, 5, 6, 7, 7), the rest below.

    A top-3 cut falls inside the run of six 1.0s; row order would keep layers 1, 3 and 5 only.
    """
    tied = {(1, 2), (3, 0), (5, 1), (6, 3), (7, 0), (7, 2)}
    rows = [(layer, head, 1.0 if (layer, head) in tied else round(0.01 * (layer * 4 + head), 2))
            for layer in range(8) for head in range(4)]
    return pd.DataFrame(rows, columns=["layer", "head", "score"]).assign(relation="gate", category="Retrieval")


TIED = {(1, 2), (3, 0), (5, 1), (6, 3), (7, 0), (7, 2)}
RANK_RULES = {"top_k": dict(top_k=3), "top_percent": dict(top_percent=10), "top_mass": dict(top_mass=20)}


def engines(frame: pd.DataFrame, tmp_path):
    """The same table as a pandas frame, a DuckDB relation, a Parquet file scanned by DuckDB, a Polars lazy frame."""
    import duckdb
    import polars as pl

    path = tmp_path / "scores.parquet"
    frame.to_parquet(path)
    con = duckdb.connect()
    return {"pandas": (frame, {}), "duckdb-relation": (con.from_df(frame), {}),
            "duckdb-file": (str(path), {"engine": "duckdb"}), "polars": (pl.from_pandas(frame).lazy(), {})}


@pytest.mark.parametrize("rule", RANK_RULES)
def test_a_tie_at_the_cut_is_kept_whole_on_every_engine(rule, tmp_path):
    # Each rule's cut falls inside the run of six 1.0s (the places asked: test_the_places_each_rank_rule_asks_for).
    for name, (table, extra) in engines(tied_table(), tmp_path).items():
        report = reporter.build(table, formats="", layers=8, heads=4, **RANK_RULES[rule], **extra)
        assert members(report) == TIED, name
        spec = report.summary["rule"]
        assert spec["ties"] == "keep" and spec["heads_kept"] == 6, name
        tie = spec["ties_at_cut"]
        assert [(t["relation"], t["score"], t["tied"], t["kept"]) for t in tie] == [("gate", 1.0, 6, 6)], name


def test_the_places_each_rank_rule_asks_for():
    table = tied_table()
    asked = {rule: reporter.build(table, formats="", **options).summary["rule"]["heads_asked"]
             for rule, options in RANK_RULES.items()}
    # top-k 3; top 10% of 32 heads is 3.2, rounded up to 4; 20% of the summed score (6 + 3.72 = 9.72) is 1.944,
    # which the first two 1.0s hold.
    total = 6 + sum(round(0.01 * (l * 4 + h), 2) for l in range(8) for h in range(4) if (l, h) not in TIED)
    assert round(total, 6) == 9.72
    assert asked == {"top_k": 3, "top_percent": 4, "top_mass": 2}


def test_the_header_says_the_tie_crossed_the_cut():
    report = reporter.build(tied_table(), formats="", top_k=3)
    assert report.table.rule == (
        "A head joins a category when its score (score, mean over repeated rows) is among the 3 highest of the "
        "relation for at least one of the category's relations. At a rank cut every head tied at the cut is kept "
        "(--ties keep). A tie crossed the cut in 1 relation (gate: 6 heads tie at 1 across place 3, 6 kept): "
        "6 (head, relation) pairs kept for 3 places asked.")
    assert "6 heads tie at 1 across place 3" in report.to_html()


def test_ties_drop_keeps_none_of_the_tied_and_first_keeps_row_order():
    table = tied_table()
    assert members(reporter.build(table, formats="", top_k=3, ties="drop")) == set()
    assert members(reporter.build(table, formats="", top_k=7, ties="drop")) == TIED | {(7, 3)}
    first = reporter.build(table, formats="", top_k=3, ties="first")
    assert members(first) == {(1, 2), (3, 0), (5, 1)}
    assert first.summary["rule"]["ties_at_cut"][0]["kept"] == 3


def test_no_tie_no_record():
    table = tied_table()
    report = reporter.build(table, formats="", top_k=7)  # the six 1.0s and 0.31 (layer 7, head 3): no tie at place 7
    assert members(report) == TIED | {(7, 3)}
    assert report.summary["rule"]["ties_at_cut"] == []
    assert report.table.rule.endswith("At a rank cut every head tied at the cut is kept (--ties keep); no tie crossed a cut.")


def test_inspect_names_the_relation_the_tied_score_and_the_count(cli, tmp_path):
    path = tmp_path / "gates.csv"
    tied_table().to_csv(path, index=False)
    done = cli("inspect", str(path), "--top-k", "3", "--layers", "8", "--heads", "4")
    assert done.returncode == 2
    assert ("problem: relation 'gate': 6 heads tie at score 1 across the cut (3 places asked, 3 of the tied inside); "
            "6 kept with --ties keep; --ties drop or first chooses otherwise") in done.stdout.splitlines()
    done = cli("inspect", str(path), "--top-k", "7", "--layers", "8", "--heads", "4")
    assert done.returncode == 0 and "problems: none" in done.stdout.splitlines()


def per_layer_table(n_layers=6, n_heads=8, kv_heads=None) -> pd.DataFrame:
    """Distinct scores, every layer's best heads at different head indexes."""
    rng = np.random.default_rng(4)
    score = rng.permutation(n_layers * n_heads) / (n_layers * n_heads)
    rows = [(layer, head) for layer in range(n_layers) for head in range(n_heads)]
    return pd.DataFrame(rows, columns=["layer", "head"]).assign(score=score, relation="r", category="C")


def test_per_layer_top_k_keeps_exactly_k_in_every_layer():
    table = per_layer_table()
    report = reporter.build(table, formats="", top_k=2, rank_within="layer")
    kept = report.table.memberships
    assert kept.groupby("layer").size().to_dict() == {layer: 2 for layer in range(6)}
    best = table.sort_values("score", ascending=False).groupby("layer").head(2)
    assert members(report) == set(zip(best["layer"], best["head"]))
    assert report.summary["rule"]["heads_asked"] == 12 and report.summary["rule"]["rank_within"] == "layer"
    assert "among the 2 highest of the relation within its layer" in report.table.rule


def test_per_kv_group_top_k_keeps_k_in_every_group():
    table = per_layer_table()
    report = reporter.build(table, formats="", top_k=1, rank_within="kv-group", kv_heads=2)
    kept = report.table.memberships.assign(group=lambda m: m["head"] // 4)
    assert kept.groupby(["layer", "group"]).size().to_dict() == {(l, g): 1 for l in range(6) for g in range(2)}
    best = table.assign(group=table["head"] // 4).sort_values("score", ascending=False).groupby(["layer", "group"]).head(1)
    assert members(report) == set(zip(best["layer"], best["head"]))
    with pytest.raises(UsageError, match=r"^ranking within key/value groups needs kv_heads=N"):
        reporter.build(table, formats="", top_k=1, rank_within="kv-group")


def detector_table() -> pd.DataFrame:
    """Head-detector-shaped: three relations of one shape on scales 0.92, 0.27 and 0.25 over 12 x 12 heads."""
    rng = np.random.default_rng(7)
    base = np.sort(rng.uniform(0, 1, 144)) ** 3  # skewed: a few high heads
    parts = []
    for i, (relation, top) in enumerate({"previous_token": 0.92, "duplicate": 0.27, "induction": 0.25}.items()):
        score = np.round(rng.permutation(base) * top / base.max(), 6)
        parts.append(pd.DataFrame({"layer": np.repeat(np.arange(12), 12), "head": np.tile(np.arange(12), 12),
                                   "relation": relation, "category": relation, "score": score}))
    return pd.concat(parts, ignore_index=True)


def counts(report) -> dict[str, int]:
    return {c["name"]: c["heads"] for c in report.summary["categories"]}


def test_one_threshold_on_three_scales_keeps_incomparable_counts_and_normalising_fixes_it():
    table = detector_table()
    raw = counts(reporter.build(table, formats="", threshold=0.25))
    assert raw == table[table["score"] >= 0.25].groupby("relation").size().to_dict()
    assert raw["previous_token"] > 10 * raw["duplicate"] > 10 * raw["induction"] > 0
    by_max = counts(reporter.build(table, formats="", threshold=0.5, normalize="max"))
    assert by_max["previous_token"] == by_max["duplicate"] == by_max["induction"] > 0  # one shape, one count
    by_rank = counts(reporter.build(table, formats="", threshold=0.9, normalize="rank"))
    assert by_rank == {"duplicate": 15, "induction": 15, "previous_token": 15}  # scores at or above 90% of 144: 15
    by_z = counts(reporter.build(table, formats="", threshold=2, normalize="z"))
    assert by_z["previous_token"] == by_z["duplicate"] == by_z["induction"] > 0


def test_inspect_warns_of_relations_on_different_scales(cli, tmp_path):
    path = tmp_path / "detector.csv"
    detector_table().to_csv(path, index=False)
    done = cli("inspect", str(path), "--threshold", "0.25")
    raw = counts(reporter.build(detector_table(), formats="", threshold=0.25))
    assert (f"warning: the relations' scores run on different scales: 'previous_token' up to 0.92, 'induction' up to "
            f"0.25 (3.7x); --threshold 0.25 keeps {raw['previous_token']} / {raw['duplicate']} / {raw['induction']} "
            "heads of 'previous_token', 'duplicate', 'induction'; try a rule per relation: --normalize max (a share "
            "of each relation's maximum), --threshold-map FILE, or a rank rule (--top-k, --top-mass)"
            ) in done.stdout.splitlines()
    quiet = cli("inspect", str(path), "--threshold", "0.5", "--normalize", "max")
    assert not [line for line in quiet.stdout.splitlines() if line.startswith("warning:")]


def test_a_threshold_map_gives_each_relation_its_threshold(tmp_path):
    table = detector_table()
    path = tmp_path / "thresholds.json"
    path.write_text(json.dumps({"previous_token": 0.46, "duplicate": 0.135}))
    report = reporter.build(table, formats="", threshold_map=str(path), threshold=0.125)
    got = counts(report)
    for relation, t in (("previous_token", 0.46), ("duplicate", 0.135), ("induction", 0.125)):
        assert got[relation] == int((table[table["relation"] == relation]["score"] >= t).sum())
    assert report.summary["rule"]["thresholds"] == {"duplicate": 0.135, "induction": 0.125, "previous_token": 0.46}
    with pytest.raises(UsageError, match=r"^threshold_map= gives no threshold for 'induction'; add them or give threshold=T for the rest$"):
        reporter.build(table, formats="", threshold_map=str(path))
    path.write_text(json.dumps({"previous_tokn": 0.4}))
    with pytest.raises(UsageError, match=r"^threshold_map= names relation 'previous_tokn' that the table does not have"):
        reporter.build(table, formats="", threshold_map=str(path), threshold=0.1)


def test_a_threshold_map_csv_from_the_command_line(cli, tmp_path):
    data, thresholds = tmp_path / "d.csv", tmp_path / "t.csv"
    detector_table().to_csv(data, index=False)
    thresholds.write_text("relation,threshold\nprevious_token,0.46\nduplicate,0.135\ninduction,abc\n")
    done = cli("build", str(data), "-o", str(tmp_path / "out"), "--threshold-map", str(thresholds), "--formats", "")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].endswith(
        "--threshold-map t.csv: relation 'induction' has threshold 'abc', not a finite number")
    assert not (tmp_path / "out").exists()


def test_the_mass_rule_against_a_hand_count():
    # Scores 5, 3, 1, 1 (sum 10): 50% is reached by the first head; 80% needs 5 + 3 = 8, two heads; 81% needs
    # a third, and the 1s tie there, so both are kept; 90% the same.
    frame = pd.DataFrame({"layer": [0, 0, 1, 1], "head": [0, 1, 0, 1], "score": [1.0, 5.0, 3.0, 1.0],
                          "relation": "r", "category": "C"})
    kept = {p: members(reporter.build(frame, formats="", top_mass=p)) for p in (50, 80, 81, 100)}
    assert kept == {50: {(0, 1)}, 80: {(0, 1), (1, 0)}, 81: {(0, 0), (0, 1), (1, 0), (1, 1)},
                    100: {(0, 0), (0, 1), (1, 0), (1, 1)}}
    facts = reporter.build(frame, formats="", top_k=1).summary["relation_scores"]
    assert facts == [{"relation": "r", "categories": ["C"], "heads": 4, "kept": 1, "at_top": 1,
                      "top": [{"layer": 0, "head": 1, "score": 5.0}, {"layer": 1, "head": 0, "score": 3.0},
                              {"layer": 0, "head": 0, "score": 1.0}],
                      "mass_heads": {"50": 1, "80": 2, "90": 3}}]  # 5 >= 5; 5 + 3 >= 8; 5 + 3 + 1 >= 9
    first = reporter.build(frame, formats="", top_mass=81, ties="first")
    assert members(first) == {(0, 0), (0, 1), (1, 0)}
    with pytest.raises(UsageError, match=r"^top_mass= needs scores of at least 0 \(a share of the summed score\), but one is -5; use top_k= or top_percent=$"):
        reporter.build(frame.assign(score=[1.0, -5.0, 3.0, 1.0]), formats="", top_mass=50)


def test_rank_rules_are_exclusive_and_options_checked():
    frame = tied_table()
    with pytest.raises(UsageError, match=r"^top_k= and top_mass= are different rank rules: give one \(any may go with threshold=\)$"):
        reporter.build(frame, formats="", top_k=3, top_mass=50)
    with pytest.raises(UsageError, match=r"^ties= must be one of keep, drop, first, got 'some'$"):
        reporter.build(frame, formats="", top_k=3, ties="some")
    with pytest.raises(UsageError, match=r"^top_mass= must be above 0 and at most 100, got 120$"):
        reporter.build(frame, formats="", top_mass=120)


def duo_table() -> pd.DataFrame:
    """DuoAttention-shaped: 32 layers x 8 KV heads of gate values; 110 of the 256 are exactly 1.0, in layers 6-31.

    Layers 0-5 hold no 1.0; the 1.0s are spread evenly over layers 6-31 (four or five a layer); every
    other gate is a distinct value below 1.
    """
    rng = np.random.default_rng(12)
    rows = [(layer, head) for layer in range(32) for head in range(8)]
    eligible = [i for i, (layer, _) in enumerate(rows) if layer >= 6]
    ones = set(np.array(eligible)[np.linspace(0, len(eligible) - 1, 110).round().astype(int)].tolist())
    gates = rng.permutation(np.linspace(0.01, 0.95, 256))
    score = [1.0 if i in ones else float(round(g, 4)) for i, g in enumerate(gates)]
    return pd.DataFrame(rows, columns=["layer", "head"]).assign(score=score, relation="retrieval", category="Retrieval")


def test_duoattention_gates_keep_every_tied_head_and_the_page_reads_the_whole_spread():
    table = duo_table()
    assert int((table["score"] == 1.0).sum()) == 110
    ones = set(zip(table.loc[table["score"] == 1.0, "layer"], table.loc[table["score"] == 1.0, "head"]))
    kept = reporter.build(table, formats="", top_percent=25, layers=32, heads=8)
    assert members(kept) == ones and kept.summary["rule"]["heads_asked"] == 64
    assert kept.summary["rule"]["ties_at_cut"] == [{"relation": "retrieval", "score": 1.0, "tied": 110, "inside": 64,
                                                    "asked": 64, "kept": 110}]
    empty = [o["text"] for o in kept.summary["observations"] if o["text"].startswith("No classified head sits")]
    assert empty == ["No classified head sits in layers 0–5: 6 of 32 layers (the first 18.8% of depth), where an "
                     "even spread of the 110 classified heads would put 21."]
    split = reporter.build(table, formats="", top_percent=25, layers=32, heads=8, ties="first")
    assert max(layer for layer, _ in members(split)) == 21  # row order keeps the 64 of the lowest layers
    # Both empty ends are said (issue 25): the first layers and the last ten.
    assert any(o["text"].startswith("No classified head sits in layers 0–5 and 22–31")
               for o in split.summary["observations"])

"""`reporter inspect`: what a build would make of an input, every problem, nothing written."""

from __future__ import annotations

import pandas as pd

from inputs_data import long_frame, scores_frame, write


def listing(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_inspect_scores_table(cli, tmp_path):
    frame = scores_frame().assign(model="EleutherAI/pythia-70m")
    path = write(frame, tmp_path / "s.parquet", "parquet")
    before = listing(tmp_path)
    result = cli("inspect", str(path), "--top-k", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"input: {path} (parquet, 240 rows)",
        "models in the table: EleutherAI/pythia-70m",
        "model: EleutherAI/pythia-70m",
        "shape: scores (layer, head, relation, score column 'score'; 5 relations)",
        "model shape: 6 layers x 8 heads (from known-model)",
        "known model: EleutherAI/pythia-70m",
        "scores per relation (one per head, aggregated): median, 90th percentile, 99th percentile, max",
        "  alg_a  0.147  0.248  0.8  0.8",
        "  alg_b  0.126  0.227  0.8  0.8",
        "  kn_a   0.141  0.237  0.8  0.8",
        "  kn_b   0.151  0.24  0.8  0.8",
        "  lin_a  0.123  0.235  0.8  0.8",
        "heads holding 50%, 80%, 90% of each relation's summed score (highest first)",
        "  alg_a  5  13  16  of 24",
        "  alg_b  4  11  14  of 24",
        "  kn_a   5  13  17  of 24",
        "  kn_b   5  13  16  of 24",
        "  lin_a  5  12  16  of 24",
        "heads kept (of 24 scored): --threshold 0.24: 10; --threshold 0.8: 7; --top-k 1: 7; --top-k 2: 7; --top-k 3: 10",
        "rule: A head joins a category when its score (score, mean over repeated rows) is among the 2 highest of "
        "the relation for at least one of the category's relations. At a rank cut every head tied at the cut is "
        "kept (--ties keep); no tie crossed a cut.",
        "categories:",
        "  Algorithmic  4 heads",
        "  Knowledge    4 heads",
        "  Linguistic   2 heads",
        "heads: 48 in all, 7 classified, 41 unclassified",
        "problems: none",
    ]
    assert listing(tmp_path) == before


def test_inspect_collects_every_problem(cli, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("layer,head,category\nx,0,A\n1,-2,\n")
    result = cli("inspect", str(path), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        f"input: {path} (csv, 2 rows)",
        "shape: long (layer, head, category)",
        "problem: column 'layer' holds 'x', not a whole number; layer indexes are 0-based integers",
        "problem: column 'head' holds -2; head indexes are 0-based, so not negative",
        "problem: column 'category' has a missing value (row 1); fill or drop that row",
    ]
    assert listing(tmp_path) == ["t.csv"]


def test_inspect_wide_table_with_rule_and_shape_problems(cli, tmp_path):
    frame = pd.DataFrame({"layer": [0, 9], "head": [0, 1], "is_copying": [1, 0], "is_ioi": [0, 2]})
    path = write(frame, tmp_path / "w.csv", "csv")
    result = cli("inspect", str(path), "--threshold", "0.5", "--layers", "4", "--heads", "4")
    assert result.returncode == 2
    assert result.stdout.splitlines()[1:] == [
        "shape: wide (layer, head, one true/false column per category)",
        "problem: --threshold needs per-head scores, but this wide table has no relation/'score' columns to apply "
        "it to; drop --threshold or give a scores table",
        "problem: column 'is_ioi' must hold only true/false or 0/1 (one column per category); fix its values",
    ]


def test_inspect_reports_outside_shape_and_unreadable_file(cli, tmp_path):
    path = write(long_frame(), tmp_path / "t.feather", "feather")
    result = cli("inspect", str(path), "--layers", "3", "--heads", "4")
    assert result.returncode == 2
    assert result.stdout.splitlines()[-1] == (
        "problem: layer index 5 is outside the model shape 3x4 (from flag); indexes are 0-based, "
        "so fix the table or the shape")
    bad = tmp_path / "bad.feather"
    bad.write_bytes(b"ARROW1\x00\x00garbage")
    result = cli("inspect", str(bad))
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[1].startswith("problem: bad.feather: cannot read the file (")


def test_inspect_lists_models_when_several(cli, tmp_path):
    """A multi-model table is inspected model by model, as build makes one page per model."""
    frame = pd.concat([long_frame().assign(model="gpt2"), long_frame().assign(model="gpt2-xl")])
    path = write(frame, tmp_path / "t.jsonl", "jsonl")
    result = cli("inspect", str(path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "2 models: gpt2, gpt2-xl (a build makes an overview and one page per model)"
    assert [line for line in lines if line.startswith(("model", "problem"))] == [
        "model: gpt2", "model shape: 12 layers x 12 heads (from known-model)", "problems: none",
        "model: gpt2-xl", "model shape: 48 layers x 25 heads (from known-model)", "problems: none",
    ]
    result = cli("inspect", str(path), "--model", "gpt2-xl")
    assert result.returncode == 0
    assert "model shape: 48 layers x 25 heads (from known-model)" in result.stdout.splitlines()

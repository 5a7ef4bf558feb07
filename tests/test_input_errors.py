"""Bad input: exit status 2, one line naming the problem and the fix, the output folder untouched."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from inputs_data import long_frame, scores_frame, write

PREFIX = "reporter: error: "


def fail(cli, tmp_path, table_path, *options, existing: bool = False) -> str:
    """Run a build that must fail; return its one-line message (without the prefix)."""
    out = tmp_path / "site"
    if existing:
        out.mkdir(exist_ok=True)
        (out / "index.html").write_text("previous report")
    result = cli("build", str(table_path), "-o", str(out), "--formats", "svg", *options)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(PREFIX)
    if existing:
        assert sorted(p.name for p in out.iterdir()) == ["index.html"]
        assert (out / "index.html").read_text() == "previous report"
    else:
        assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp folder left
    return lines[0][len(PREFIX):]


def csv(tmp_path, text: str, name: str = "t.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_missing_column_names_what_was_found_and_the_closest(cli, tmp_path):
    path = csv(tmp_path, "layr,head,category\n1,0,A\n")
    assert fail(cli, tmp_path, path) == (
        "missing column 'layer' (found: layr, head, category); did you mean 'layr'?; give layer, head, category "
        "columns (long), one true/false column per category (wide), or relation and score columns (scores)")


@pytest.mark.parametrize("name", ["Unclassified", "2 categories", "3 categories"])
def test_a_category_named_like_a_legend_entry_is_refused(cli, tmp_path, name):
    path = csv(tmp_path, f"layer,head,category\n0,0,A\n1,1,B\n2,2,{name}\n")
    assert fail(cli, tmp_path, path) == (
        f"category {name!r} has the name of a legend entry reporter adds itself ('Unclassified' for heads in no "
        "category, 'N categories' for heads in several); rename that category in the table or --category-map")


def test_a_category_named_like_an_unused_legend_entry_is_accepted(cli, tmp_path):
    # With two categories no head can be in "3 categories": the legend has no such entry.
    path = csv(tmp_path, "layer,head,category\n0,0,A\n1,1,3 categories\n")
    result = cli("build", str(path), "-o", str(tmp_path / "site"), "--formats", "")
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "site" / "data" / "summary.json").read_text())
    assert [c["name"] for c in summary["categories"]] == ["A", "3 categories"]  # the table's order


def test_missing_score_column_suggests_the_closest(cli, tmp_path):
    path = write(scores_frame().rename(columns={"score": "scores_w_ctx"}), tmp_path / "s.parquet", "parquet")
    message = fail(cli, tmp_path, path, "--threshold", "0.5")
    assert message.startswith("missing column 'score' (found: relation, category, template, layer, head, scores_w_ctx)")
    assert message.endswith("did you mean 'scores_w_ctx'?; name the score column with --score-column NAME")


@pytest.mark.parametrize("value, message", [
    ("1.5", "column 'layer' holds 1.5, not a whole number; layer indexes are 0-based integers"),
    ("one", "column 'layer' holds 'one', not a whole number; layer indexes are 0-based integers"),
    ("-1", "column 'layer' holds -1; layer indexes are 0-based, so not negative"),
    ("", "column 'layer' has a missing value (row 1); fill or drop that row"),
])
def test_bad_layer_index(cli, tmp_path, value, message):
    path = csv(tmp_path, f"layer,head,category\n1,0,A\n{value},1,A\n")
    assert fail(cli, tmp_path, path, existing=True) == message


def test_nan_head_index_in_parquet(cli, tmp_path):
    frame = long_frame().astype({"head": "float64"})
    frame.loc[3, "head"] = float("nan")
    path = write(frame, tmp_path / "t.parquet", "parquet")
    assert fail(cli, tmp_path, path) == "column 'head' has a missing value (row 3); fill or drop that row"


def test_index_outside_the_declared_shape(cli, tmp_path):
    path = write(long_frame(), tmp_path / "t.parquet", "parquet")
    assert fail(cli, tmp_path, path, "--layers", "4", "--heads", "4", existing=True) == (
        "layer index 5 is outside the model shape 4x4 (from flag); indexes are 0-based, so fix the table or the shape")


def test_index_outside_the_known_model_shape(cli, tmp_path):
    path = csv(tmp_path, "layer,head,category\n12,0,A\n")
    assert fail(cli, tmp_path, path, "--model", "gpt2") == (
        "layer index 12 is outside the model shape 12x12 (from known-model); indexes are 0-based, "
        "so fix the table or the shape")


def test_unknown_extension(cli, tmp_path):
    path = csv(tmp_path, "layer,head,category\n1,0,A\n", name="t.xlsx")
    assert fail(cli, tmp_path, path) == (
        "t.xlsx: unknown file type '.xlsx'; use .parquet, .csv, .tsv, .txt, .json, .jsonl, .yaml, .feather, .arrow, .npy, "
        ".npz, a folder of .parquet files or a folder of one file per category")


def test_truncated_parquet(cli, tmp_path):
    path = write(long_frame(), tmp_path / "t.parquet", "parquet")
    path.write_bytes(path.read_bytes()[:-40])
    message = fail(cli, tmp_path, path, existing=True)
    assert message.startswith("t.parquet: cannot read the file (")
    assert message.endswith("); check it is a complete parquet file")


def test_unreadable_json(cli, tmp_path):
    path = csv(tmp_path, '[{"layer": 1, "head": 0, "category": "A"}, {"layer": 2', name="t.json")
    message = fail(cli, tmp_path, path)
    assert message.startswith("t.json: cannot read the file (")
    assert message.endswith("); check it is a complete json file")


def test_empty_file(cli, tmp_path):
    path = csv(tmp_path, "")
    assert fail(cli, tmp_path, path) == "t.csv: the file is empty; give a table with at least one row"


def test_empty_table(cli, tmp_path):
    path = csv(tmp_path, "layer,head,category\n")
    assert fail(cli, tmp_path, path, existing=True) == (
        "the table has no rows; give at least one (layer, head, category) row")


def test_category_map_missing_relations(cli, tmp_path):
    path = write(scores_frame(with_category=False), tmp_path / "s.parquet", "parquet")
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"alg_a": "Algorithmic", "alg_b": "Algorithmic", "kn_a": "Knowledge"}))
    assert fail(cli, tmp_path, path, "--top-k", "2", "--category-map", str(mapping)) == (
        "--category-map gives no category for relations 'kn_b', 'lin_a'; map every relation to a category")


def test_category_column_missing_for_a_relation(cli, tmp_path):
    frame = scores_frame()
    frame.loc[frame["relation"] == "lin_a", "category"] = None
    path = write(frame, tmp_path / "s.parquet", "parquet")
    assert fail(cli, tmp_path, path, "--threshold", "0.5") == (
        "the 'category' column gives no category for relation 'lin_a'; map every relation to a category")


def test_head_id_disagrees_with_layer_and_head(cli, tmp_path):
    path = csv(tmp_path, "layer,head,head_id,category\n1,0,L1H0,A\n2,3,L2H1,A\n")
    assert fail(cli, tmp_path, path) == (
        "row 1: head_id 'L2H1' disagrees with layer 2, head 3 (1 rows disagree); drop one of the two or fix the table")


def test_unparseable_head_id(cli, tmp_path):
    path = csv(tmp_path, "head_id,category\nL1H0,A\nhead 7,A\n")
    assert fail(cli, tmp_path, path) == (
        "row 1: head_id 'head 7' is not a head id; write L12H5, L12-H5, 12.5, 12-5 or (12, 5)")


@pytest.mark.parametrize("rule", [["--threshold", "0.5"], ["--top-k", "3"], ["--top-percent", "10"]])
def test_rule_on_a_table_without_scores(cli, tmp_path, rule):
    path = write(long_frame(), tmp_path / "t.parquet", "parquet")
    assert fail(cli, tmp_path, path, *rule, existing=True) == (
        f"{rule[0]} needs per-head scores, but this long table has no relation/'score' columns to apply it to; "
        f"drop {rule[0]} or give a scores table")


def test_scores_without_a_rule(cli, tmp_path):
    path = write(scores_frame(), tmp_path / "s.parquet", "parquet")
    assert fail(cli, tmp_path, path) == (
        "this table holds scores and no rule turns them into categories; try --top-k 2 (the 2 highest-scoring heads "
        "of each relation: 7 of 24 heads) or --threshold 0.8 (about the 95th percentile of the scores: 7 heads) "
        "(`reporter inspect` shows the score distribution)")


def test_top_k_and_top_percent_together(cli, tmp_path):
    path = write(scores_frame(), tmp_path / "s.parquet", "parquet")
    assert fail(cli, tmp_path, path, "--top-k", "2", "--top-percent", "5") == (
        "--top-k and --top-percent are different rank rules: give one (any may go with --threshold)")


def test_several_models_need_model(cli, tmp_path):
    frame = pd.concat([long_frame().assign(model="gpt2"), long_frame().assign(model="EleutherAI/pythia-70m")])
    path = write(frame, tmp_path / "t.parquet", "parquet")
    # Without --model such a table builds a multi-model site (tests/test_multi_site.py).
    assert fail(cli, tmp_path, path, "--model", "llama", existing=True) == (
        "--model 'llama' is not in the table; it holds: EleutherAI/pythia-70m, gpt2")


def test_exact_duplicates_collapse_with_a_warning(cli, tmp_path):
    frame = pd.concat([long_frame(), long_frame().iloc[:2]])
    path = write(frame, tmp_path / "t.csv", "csv")
    out = tmp_path / "site"
    result = cli("build", str(path), "-o", str(out), "--formats", "svg", "-q")
    assert result.returncode == 0, result.stderr
    assert result.stderr == "reporter: warning: 2 duplicate (layer, head, category) rows were collapsed\n"
    summary = json.loads((out / "data" / "summary.json").read_text())
    assert summary["totals"]["classified"] == 7


def test_folder_without_parquet_files(cli, tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    (folder / "notes.md").write_text("nothing here")
    assert fail(cli, tmp_path, folder) == (
        "parts: the folder holds no .parquet files and no per-category files; give a file, a folder of .parquet "
        "files or a folder of one .npy/.csv/.json/.yaml/... file per category")
    (folder / "notes.txt").write_text("nothing here")
    assert fail(cli, tmp_path, folder) == (
        "notes.txt: not a matrix of numbers; a .txt input holds one row per layer and one number per head "
        "(give tables as .csv or .tsv)")


def test_folder_with_a_truncated_part(cli, tmp_path):
    folder = write(long_frame(), tmp_path / "parts", "parquet-folder")
    part = sorted(folder.iterdir())[1]
    part.write_bytes(part.read_bytes()[:30])
    message = fail(cli, tmp_path, folder, existing=True)
    assert message.startswith("parts: cannot read the Parquet folder (")
    assert message.endswith("); check every part is complete")


def test_unreadable_category_map(cli, tmp_path):
    path = write(scores_frame(with_category=False), tmp_path / "s.parquet", "parquet")
    mapping = tmp_path / "map.json"
    mapping.write_text('{"alg_a": "Algorithmic", ')
    message = fail(cli, tmp_path, path, "--threshold", "0.5", "--category-map", str(mapping))
    assert message.startswith("--category-map map.json: cannot read it (")
    assert message.endswith("); give relation,category rows")


def test_category_map_on_a_table_without_relations(cli, tmp_path):
    path = write(long_frame(), tmp_path / "t.parquet", "parquet")
    mapping = tmp_path / "map.csv"
    mapping.write_text("relation,category\nr,A\n")
    assert fail(cli, tmp_path, path, "--category-map", str(mapping)) == (
        "--category-map maps relations, but this long table has no 'relation' column; "
        "drop --category-map or give a scores table")

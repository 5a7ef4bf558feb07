"""Every format and shape reporter reads gives the same summary.json for the same memberships."""

from __future__ import annotations

import json

import pytest

from inputs_data import (CATEGORIES, N_HEADS, N_LAYERS, category_map, comparable, head_id_frame, long_frame,
                         scores_frame, summary_of, wide_frame, write)

SHAPE = {"layers": N_LAYERS, "heads": N_HEADS}
FORMATS = {
    "parquet": "t.parquet",
    "csv": "t.csv",
    "csv.gz": "t.csv.gz",
    "tsv": "t.tsv",
    "json-records": "t.json",
    "json-columns": "t.json",
    "jsonl": "t.jsonl",
    "feather": "t.feather",
    "arrow-stream": "t.arrow",
    "parquet-folder": "parts",
    "parquet-hive": "hive",
}


@pytest.fixture(scope="module")
def reference() -> dict:
    """summary.json of the long table given as a DataFrame."""
    return summary_of(long_frame(), **SHAPE)


def test_reference_counts(reference):
    design_totals = {k: reference["totals"][k] for k in ("heads", "classified", "unclassified", "multi_category")}
    assert design_totals == {"heads": 24, "classified": 7, "unclassified": 17, "multi_category": 2}
    assert [(c["name"], c["heads"]) for c in reference["categories"]] == [
        ("Algorithmic", 4), ("Knowledge", 4), ("Linguistic", 2)]
    assert reference["rule"] == {"kind": "given", "text": "categories as given in the table"}
    assert reference["model"] == {"name": None, "n_layers": 6, "n_heads": 4, "shape_source": "flag"}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_gives_the_same_summary(tmp_path, reference, fmt):
    path = write(long_frame(), tmp_path / FORMATS[fmt], fmt)
    summary = summary_of(path, **SHAPE)
    assert comparable(summary) == comparable(reference)
    assert summary["source"]["name"] == path.name + ("/" if path.is_dir() else "")
    assert len(summary["source"]["sha256"]) == 64


@pytest.mark.parametrize("shape", ["wide-bool", "wide-01", "L12H5", "L12-H5", "12.5", "12-5", "(12, 5)"])
@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_every_shape_gives_the_same_summary(tmp_path, reference, shape, fmt):
    if shape.startswith("wide"):
        frame = wide_frame(as_int=shape == "wide-01")
    else:
        frame = head_id_frame(shape)
    summary = summary_of(write(frame, tmp_path / f"t.{fmt}", fmt), **SHAPE)
    assert comparable(summary) == comparable(reference)


# What a scores input adds to the summary of the same memberships: its rule, its top heads, its robustness,
# the rule-free facts of each relation and the sentences read from them (ids "scores-...").
SCORES_ONLY = ("source", "rule", "top_heads", "robustness", "relation_scores")


def without_score_facts(summary: dict) -> dict:
    """The summary with the scores-only fields and the rule-free score observations left out."""
    kept = comparable(summary, drop=SCORES_ONLY)
    return {**kept, "observations": [o for o in kept["observations"] if not o["id"].startswith("scores-")]}


@pytest.mark.parametrize("rule", [{"threshold": 0.5}, {"top_k": 2}, {"top_percent": 8.3}])
def test_scores_with_each_rule_give_the_same_summary(tmp_path, reference, rule):
    path = write(scores_frame(), tmp_path / "scores.parquet", "parquet")
    summary = summary_of(path, **SHAPE, **rule)
    assert without_score_facts(summary) == comparable(reference, drop=SCORES_ONLY)
    assert [o["id"] for o in summary["observations"] if o["id"].startswith("scores-")] == ["scores-mass"]
    assert summary["rule"]["kind"] == "scores"
    assert summary["rule"]["relations"] == {r: [c] for r, c in sorted(category_map().items())}


@pytest.mark.parametrize("map_format", ["csv", "json"])
def test_scores_with_a_category_map_file(tmp_path, reference, map_format):
    path = write(scores_frame(with_category=False), tmp_path / "scores.csv", "csv")
    mapping = tmp_path / f"map.{map_format}"
    if map_format == "json":
        mapping.write_text(json.dumps(category_map()))
    else:
        mapping.write_text("relation,category\n" + "".join(f"{r},{c}\n" for r, c in category_map().items()))
    summary = summary_of(path, **SHAPE, threshold=0.5, category_map=str(mapping))
    assert without_score_facts(summary) == comparable(reference, drop=SCORES_ONLY)


def test_wide_names_strip_is_and_title_case_only_lower_case(tmp_path):
    frame = wide_frame()
    frame = frame.rename(columns={"is_linguistic": "IOI_heads"}).assign(is_name_mover=frame["is_linguistic"])
    summary = summary_of(frame, **SHAPE)
    # In the columns' order (input/order.py), the added column last.
    assert [c["name"] for c in summary["categories"]] == ["Algorithmic", "Knowledge", "IOI_heads", "Name Mover"]
    assert [c["heads"] for c in summary["categories"]] == [4, 4, 2, 2]


def test_wide_category_without_members_still_appears():
    frame = wide_frame().assign(is_translation=False)
    summary = summary_of(frame, **SHAPE)
    translation = summary["categories"][-1]
    assert translation["name"] == "Translation"
    assert translation["heads"] == 0 and translation["core_layers"] is None


def test_cli_writes_identical_summary_for_parquet_and_jsonl(tmp_path, cli):
    outputs = []
    for fmt, name in (("parquet", "t.parquet"), ("jsonl", "t.jsonl")):
        path = write(long_frame(), tmp_path / name, fmt)
        out = tmp_path / f"site-{fmt}"
        result = cli("build", str(path), "-o", str(out), "--layers", "6", "--heads", "4", "--formats", "svg", "-q")
        assert result.returncode == 0, result.stderr
        outputs.append(json.loads((out / "data" / "summary.json").read_text()))
    assert comparable(outputs[0]) == comparable(outputs[1])
    assert [c["name"] for c in outputs[0]["categories"]] == list(CATEGORIES)

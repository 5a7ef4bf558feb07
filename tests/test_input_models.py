"""Model shape (flag, metadata, known model, inferred), --model, and the score rules in detail."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from inputs_data import long_frame, scores_frame, summary_of, write
from reporter.errors import UsageError
from reporter.input.models.known_models import MODELS, lookup
from reporter.input.load import load
from reporter.input.models.models import models_in
from reporter.options import Options


@pytest.mark.parametrize("name, shape", [
    ("meta-llama/Meta-Llama-3.1-8B", (32, 32, 8)),
    ("meta-llama/Llama-3.1-8B", (32, 32, 8)),
    ("llama-3.1-70b-instruct", (80, 64, 8)),
    ("meta-llama/Llama-3.1-405B", (126, 128, 8)),
    ("meta-llama/Llama-2-70b-chat-hf", (80, 64, 8)),
    ("meta-llama/Llama-2-7b-hf", (32, 32, 32)),
    ("Meta-Llama-3-8B", (32, 32, 8)),
    ("gpt2", (12, 12, 12)),
    ("GPT2-XL", (48, 25, 25)),
    ("openai-community/gpt2-medium", (24, 16, 16)),
    ("EleutherAI/pythia-6.9b", (32, 32, 32)),
    ("EleutherAI/pythia-12b-deduped", (36, 40, 40)),
    ("mistralai/Mistral-7B-v0.1", (32, 32, 8)),
    ("Qwen/Qwen2.5-7B-Instruct", (28, 28, 4)),
    ("google/gemma-2-9b-it", (42, 16, 8)),
    ("google/gemma-2-27b", (46, 32, 16)),
])
def test_known_model_lookup(name, shape):
    known = lookup(name)
    assert (known.n_layers, known.n_heads, known.n_kv_heads) == shape


def test_known_model_table_size_and_unknown_names():
    assert len(MODELS) >= 20
    assert len({m.name.lower() for m in MODELS}) == len(MODELS)
    assert lookup("my-own-model") is None
    assert lookup("llama-3.1") is None
    assert lookup(None) is None


def test_shape_from_known_model_column():
    summary = summary_of(long_frame().assign(model="openai-community/gpt2"))
    assert summary["model"] == {"name": "openai-community/gpt2", "n_layers": 12, "n_heads": 12,
                                "shape_source": "known-model"}
    assert summary["totals"]["heads"] == 144


def test_shape_inferred_when_nothing_says(tmp_path):
    summary = summary_of(long_frame(), model="my-model")
    assert summary["model"] == {"name": "my-model", "n_layers": 6, "n_heads": 4, "shape_source": "inferred"}


def test_shape_from_parquet_metadata_and_flags_win(tmp_path):
    table = pa.Table.from_pandas(long_frame(), preserve_index=False)
    table = table.replace_schema_metadata({**table.schema.metadata, b"n_layers": b"10", b"n_heads": b"8"})
    path = tmp_path / "t.parquet"
    pq.write_table(table, path)
    assert summary_of(path, model="gpt2")["model"]["shape_source"] == "metadata"
    assert summary_of(path)["model"] == {"name": None, "n_layers": 10, "n_heads": 8, "shape_source": "metadata"}
    assert summary_of(path, layers=7, heads=5)["model"] == {"name": None, "n_layers": 7, "n_heads": 5,
                                                            "shape_source": "flag"}


def test_model_selects_rows_and_matches_loosely():
    frame = pd.concat([long_frame().assign(model="gpt2"), long_frame().iloc[:3].assign(model="EleutherAI/pythia-70m")])
    assert models_in(frame) == ("EleutherAI/pythia-70m", "gpt2")
    table = load(frame, Options(model="PYTHIA-70M"))
    assert table.model == "EleutherAI/pythia-70m"
    assert (table.n_layers, table.n_heads, table.shape_source) == (6, 8, "known-model")
    assert len(table.memberships) == 3


def test_single_model_table_is_named_by_model_option():
    table = load(long_frame().assign(model="run-17"), Options(model="my label"))
    assert table.model == "my label"


def test_several_models_without_model_is_a_usage_error():
    frame = pd.concat([long_frame().assign(model="b"), long_frame().assign(model="a")])
    with pytest.raises(UsageError, match=r"^the table holds 2 models \(a, b\); choose one with --model NAME$"):
        load(frame, Options())


def one_relation(scores: list[tuple[int, int, float]]) -> pd.DataFrame:
    """A scores table of relation 'r' (category 'C') from (layer, head, score) rows."""
    return pd.DataFrame([("r", "C", l, h, s) for l, h, s in scores],
                        columns=["relation", "category", "layer", "head", "score"])


@pytest.mark.parametrize("aggregate, threshold, members", [
    ("mean", 0.35, [(0, 0)]), ("median", 0.35, []), ("max", 0.35, [(0, 0), (0, 1)]), ("max", 0.5, [(0, 0)]),
])
def test_aggregate_over_repeated_rows(aggregate, threshold, members):
    frame = one_relation([(0, 0, 0.1), (0, 0, 0.2), (0, 0, 0.9), (0, 1, 0.0), (0, 1, 0.4), (0, 1, 0.05)])
    table = load(frame, Options(aggregate=aggregate, threshold=threshold))
    assert list(map(tuple, table.memberships[["layer", "head"]].to_numpy())) == members
    expected = {"mean": [0.4, 0.15], "median": [0.2, 0.05], "max": [0.9, 0.4]}[aggregate]
    assert table.scores["score"].round(6).tolist() == expected
    assert table.scores.columns.tolist() == ["layer", "head", "relation", "category", "score", "kept"]


def test_top_k_keeps_a_tie_whole_unless_asked_to_break_it_by_layer_then_head():
    frame = one_relation([(1, 0, 0.5), (0, 1, 0.5), (0, 2, 0.5), (2, 2, 0.1)])
    kept = load(frame, Options(top_k=2))
    assert list(map(tuple, kept.memberships[["layer", "head"]].to_numpy())) == [(0, 1), (0, 2), (1, 0)]
    first = load(frame, Options(top_k=2, ties="first"))
    assert list(map(tuple, first.memberships[["layer", "head"]].to_numpy())) == [(0, 1), (0, 2)]


def test_top_percent_rounds_up_and_threshold_combines():
    frame = one_relation([(0, h, h / 10) for h in range(10)])
    top = load(frame, Options(top_percent=15))  # ceil(1.5) = 2 heads
    assert top.memberships["head"].tolist() == [8, 9]
    both = load(frame, Options(top_k=3, threshold=0.85))
    assert both.memberships["head"].tolist() == [9]
    assert both.rule == ("A head joins a category when its score (score, mean over repeated rows) is among the 3 "
                         "highest of the relation and is at least 0.85 for at least one of the category's relations."
                         " At a rank cut every head tied at the cut is kept (--ties keep); no tie crossed a cut.")


def test_head_joins_category_through_any_of_its_relations():
    frame = scores_frame()
    table = load(frame, Options(threshold=0.5))
    knowledge = table.memberships[table.memberships["category"] == "Knowledge"]
    assert list(map(tuple, knowledge[["layer", "head"]].to_numpy())) == [(2, 0), (3, 3), (4, 2), (5, 3)]
    assert len(table.scores) == 24 * 5


def test_scores_shape_rule_in_summary_and_header(tmp_path):
    path = write(scores_frame(), tmp_path / "s.parquet", "parquet")
    summary = summary_of(path, top_k=2, aggregate="max", layers=6, heads=4)
    assert summary["rule"] == {
        "kind": "scores", "score_column": "score", "aggregate": "max", "threshold": None, "top_k": 2,
        "top_percent": None, "top_mass": None, "ties": "keep", "normalize": "none", "rank_within": "relation",
        "kv_heads": None,
        "relations": {"alg_a": ["Algorithmic"], "alg_b": ["Algorithmic"], "kn_a": ["Knowledge"],
                      "kn_b": ["Knowledge"], "lin_a": ["Linguistic"]},
        "thresholds": None, "heads_asked": 10, "heads_kept": 10, "ties_at_cut": [],
        "text": "A head joins a category when its score (score, max over repeated rows) is among the 2 highest "
                "of the relation for at least one of the category's relations. At a rank cut every head tied at the cut is kept (--ties keep); no tie crossed a cut.",
    }


def test_score_column_option_and_case_insensitive_columns():
    frame = scores_frame().rename(columns={"score": "W_Context", "relation": "Task", "layer": "Layer_Idx"})
    frame["score"] = 0.0  # a column named score that is not the chosen one must not be used
    table = load(frame, Options(score_column="w_context", threshold=0.5, layers=6, heads=4))
    assert len(table.memberships) == 10


def test_long_table_with_scores_keeps_them_and_a_rule_applies_per_category():
    frame = long_frame().assign(score=[0.1 * i for i in range(len(long_frame()))])
    as_given = load(frame, Options())
    assert as_given.scores["score"].round(6).tolist() == [round(0.1 * i, 6) for i in range(len(frame))]
    ruled = load(frame, Options(top_k=1))
    assert ruled.memberships.values.tolist() == [[2, 1, "Algorithmic"], [5, 3, "Knowledge"], [5, 3, "Linguistic"]]
    assert ruled.rule_spec["relations"] == {"Algorithmic": ["Algorithmic"], "Knowledge": ["Knowledge"],
                                            "Linguistic": ["Linguistic"]}


def test_rows_without_a_score_are_left_out_with_a_warning(caplog):
    frame = one_relation([(0, 0, 0.9), (0, 0, float("nan")), (0, 1, float("nan"))])
    table = load(frame, Options(threshold=0.5))
    assert table.warnings == ("2 rows have no score and were left out",)
    assert "2 rows have no score and were left out" in caplog.text
    assert table.scores[["layer", "head", "score"]].values.tolist() == [[0, 0, 0.9]]
    assert (table.n_layers, table.n_heads) == (1, 2)

"""KV-granular matrices, --model-config / cfg=, not-measured categories, rule suggestions, capped name lists."""

from __future__ import annotations

import json
import types

import numpy as np
import pandas as pd
import pytest

import reporter
from inputs_data import long_frame, scores_frame, write
from reporter.errors import UsageError
from reporter.input.models.known_models import lookup


def gates(layers: int = 32, kv: int = 8) -> np.ndarray:
    """Gate values in [0, 1], one per (layer, KV head); the KV heads of the second half of the layers score 0.9."""
    values = np.full((layers, kv), 0.1)
    values[layers // 2:] = 0.9
    return values


def test_kv_granular_matrix_is_drawn_per_kv_head(tmp_path, cli):
    path = tmp_path / "llama_gates.tsv"
    path.write_text("\n".join("\t".join(str(v) for v in row) for row in gates()) + "\n")
    result = cli("inspect", str(path), "--model", "meta-llama/Meta-Llama-3.1-8B", "--threshold", "0.5")
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[0] == f"input: {path} (tsv, 32 x 8 matrix)"
    assert lines[3] == ("model shape: 32 layers x 32 heads (from known-model); the matrix has one column per key/value "
                        "head (8 per layer, each shared by 4 query heads), drawn as 32 x 8")
    assert lines[-3:] == ["  llama_gates  128 heads", "key/value heads: 256 in all, 128 classified, 128 unclassified",
                          "problems: none"]
    report = reporter.build(path, model="meta-llama/Meta-Llama-3.1-8B", threshold=0.5, formats="")
    assert report.summary["model"] == {"name": "meta-llama/Meta-Llama-3.1-8B", "n_layers": 32, "n_heads": 8,
                                       "shape_source": "known-model", "head_granularity": "key/value",
                                       "query_heads": 32}
    assert "32 layers × 8 key/value heads (each shared by 4 of the model&#39;s 32 query heads)" in report.to_html()
    flags = reporter.build(gates(), category="gates", threshold=0.5, n_layers=32, n_heads=32, kv_heads=8, formats="")
    assert flags.summary["model"]["n_heads"] == 8 and flags.summary["model"]["query_heads"] == 32
    unknown = reporter.build(gates(), category="gates", threshold=0.5, formats="")
    assert unknown.summary["model"] == {"name": None, "n_layers": 32, "n_heads": 8, "shape_source": "inferred"}


def test_model_config_file_and_cfg_object(tmp_path, cli):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"num_hidden_layers": 6, "num_attention_heads": 4, "num_key_value_heads": 2,
                                  "_name_or_path": "tiny/model-6x4"}))
    path = write(long_frame(), tmp_path / "t.csv", "csv")
    result = cli("inspect", str(path), "--model-config", str(config))
    assert result.returncode == 0, result.stdout
    assert "model shape: 6 layers x 4 heads (from model-config)" in result.stdout.splitlines()
    report = reporter.build(path, model_config=str(config), formats="")
    assert report.summary["model"] == {"name": "tiny/model-6x4", "n_layers": 6, "n_heads": 4,
                                       "shape_source": "model-config"}
    assert report.options.kv_heads == 2
    assert "shape from the model config" in report.to_html()
    hooked = types.SimpleNamespace(n_layers=8, n_heads=4, model_name="tiny-lens")  # HookedTransformerConfig's names
    summary = reporter.build(long_frame(), cfg=hooked, formats="").summary
    assert summary["model"] == {"name": "tiny-lens", "n_layers": 8, "n_heads": 4, "shape_source": "model-config"}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"hidden_size": 64, "vocab_size": 10}))
    result = cli("inspect", str(path), "--model-config", str(bad))
    assert result.returncode == 2
    assert result.stderr == ("reporter: error: the model config has no whole-number num_hidden_layers and "
                             "num_attention_heads (or n_layers and n_heads); it has hidden_size, vocab_size\n")


@pytest.mark.parametrize("name, shape", [("gpt2-small", (12, 12)), ("pythia-70m", (6, 8)), ("gpt2-xl", (48, 25)),
                                         ("llama-3-8b", (32, 32)), ("opt-125m", (12, 12))])
def test_transformer_lens_names(name, shape):
    known = lookup(name)
    assert (known.n_layers, known.n_heads) == shape


def test_not_measured_category_on_a_multi_model_table():
    full = scores_frame().assign(model="model-a")
    partial = scores_frame().query("category != 'Linguistic'").assign(model="model-b")
    site = reporter.build_site([pd.concat([full, partial])], top_k=2, layers=6, heads=4, formats="")
    by_model = {m["name"]: {c["name"]: (c["measured"], c["heads"]) for c in m["categories"]}
                for m in site.summary["models"]}
    assert by_model == {"model-a": {"Algorithmic": (True, 4), "Knowledge": (True, 4), "Linguistic": (True, 2)},
                        "model-b": {"Algorithmic": (True, 4), "Knowledge": (True, 4), "Linguistic": (False, 0)}}
    b = site.reports[1]
    assert [(c["name"], c["measured"]) for c in b.summary["categories"]] == [
        ("Algorithmic", True), ("Knowledge", True), ("Linguistic", False)]
    texts = [o["text"] for o in b.summary["observations"]]
    assert "Linguistic was not measured: the table scores none of its relations for this model." in texts
    assert "No head is in Linguistic." not in texts
    assert ("Linguistic was measured only in model-a (2 heads): model-b scores no Linguistic relation."
            in [o["text"] for o in site.summary["observations"]])
    page = b.pages()["index.html"].decode()
    assert "<td>not measured</td>" in page
    assert site.pages()["index.html"].decode().count("not measured") >= 2


def ramp() -> pd.DataFrame:
    """One relation over a 10 x 10 model: head i (layer * 10 + head) scores i / 100."""
    return pd.DataFrame({"layer": np.repeat(np.arange(10), 10), "head": np.tile(np.arange(10), 10),
                         "relation": "r", "category": "R", "score": np.arange(100) / 100})


def test_build_without_a_rule_suggests_one_from_the_data():
    # 100 scores 0.00 .. 0.99: the 95th percentile is 0.9405, rounded down to 0.94, which 0.94 .. 0.99 pass (6);
    # the top-k keeps 5% of the relation's 100 heads.
    with pytest.raises(UsageError) as error:
        reporter.build(ramp(), formats="")
    assert str(error.value) == (
        "this table holds scores and no rule turns them into categories; try top_k=5 (the 5 highest-scoring heads "
        "of each relation: 5 of 100 heads) or threshold=0.94 (about the 95th percentile of the scores: 6 heads) "
        "(`reporter inspect` shows the score distribution)")


def test_inspect_shows_the_distribution_and_a_rule_that_keeps_almost_nothing(tmp_path, cli):
    path = write(ramp(), tmp_path / "ramp.csv", "csv")
    result = cli("inspect", str(path), "--threshold", "0.98")
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    # Median 0.495, 90th percentile 0.891, 99th 0.9801, max 0.99; candidate thresholds at the 90th, 95th and 99th
    # percentiles rounded down: 0.89 (0.89 .. 0.99 pass: 11 heads), 0.94 (6), 0.98 (2); top-k 1%, 5%, 10% of 100.
    assert lines[3:8] == [
        "scores per relation (one per head, aggregated): median, 90th percentile, 99th percentile, max",
        "  r  0.495  0.891  0.98  0.99",
        # 0.99 + 0.98 + ... : the 30 highest of 0..0.99 sum to 25.35, past half of 49.5
        "heads holding 50%, 80%, 90% of each relation's summed score (highest first)",
        "  r  30  55  69  of 100",
        "heads kept (of 100 scored): --threshold 0.89: 11; --threshold 0.94: 6; --threshold 0.98: 2; --top-k 1: 1; "
        "--top-k 5: 5; --top-k 10: 10",
    ]
    assert lines[-1] == (
        "problem: the rule keeps 2 of 100 heads (2.0%), fewer than 10 (10 per category, the least a claim about where "
        "a category sits needs); try --top-k 5 (the 5 highest-scoring heads of each relation: 5 of 100 heads) or --threshold 0.94 "
        "(about the 95th percentile of the scores: 6 heads)")
    result = cli("inspect", str(path), "--threshold", "0.5", "--layers", "10", "--heads", "10")
    assert result.returncode == 0 and result.stdout.splitlines()[-1] == "problems: none"


def test_lists_of_names_stop_at_ten(tmp_path, cli):
    path = tmp_path / "t.csv"
    path.write_text(",".join(f"c{i}" for i in range(15)) + "\n" + ",".join("x" * 15) + "\n")
    result = cli("inspect", str(path))
    assert "missing column 'layer' (found: c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 and 5 more)" in result.stdout
    frame = pd.concat([long_frame().assign(model=f"m{i:02d}") for i in range(12)])
    with pytest.raises(UsageError, match=r"^the table holds 12 models \(m00, m01, m02, m03, m04, m05, m06, m07, m08, m09 "
                                         r"and 2 more\); reporter.build makes one model's report: call "
                                         r"reporter.build_site\(table\)"):
        reporter.build(frame, formats="")

"""The second red-team pass's inputs: each gives one line and exit 2, never an internal error or a wrong report."""

from __future__ import annotations

import json

import numpy as np
import pytest

import reporter
from reporter.errors import ReporterError

TABLE = "layer,head,category\n0,0,A\n1,1,A\n"


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(TABLE)
    return path


def build_error(cli, *args, cwd) -> str:
    """The one line `reporter build` prints for ``args`` (it must exit 2 and write no site)."""
    r = cli("build", *args, "-o", "site", "--formats", "", cwd=cwd)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and not (cwd / "site").exists(), r.stderr
    return r.stderr.removeprefix("reporter: error: ").strip()


def test_a_model_config_nested_5000_deep(cli, table, tmp_path):
    (tmp_path / "config.json").write_text('{"a":' * 5000 + "1" + "}" * 5000)
    assert build_error(cli, "t.csv", "--model-config", "config.json", cwd=tmp_path) == (
        "--model-config config.json: nested too deeply to be a model config; give a Hugging Face config.json")


def test_a_model_config_whose_text_config_is_a_list(cli, table, tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"text_config": [1, 2]}))
    assert build_error(cli, "t.csv", "--model-config", "config.json", cwd=tmp_path) == (
        "the model config has no whole-number num_hidden_layers and num_attention_heads (or n_layers and n_heads); "
        "it has text_config")


def test_cfg_that_is_not_a_config(table):
    with pytest.raises(ReporterError, match=r"^the model config has no whole-number num_hidden_layers .*no keys$"):
        reporter.build(table, cfg=42, formats=())


def test_matrices_of_different_shapes_in_one_folder(cli, tmp_path):
    (tmp_path / "cats").mkdir()
    (tmp_path / "cats" / "A.csv").write_text("true,false\nfalse,true\n")
    (tmp_path / "cats" / "B.csv").write_text("true,false,true\nfalse,true,true\ntrue,true,true\n")
    assert build_error(cli, "cats", cwd=tmp_path) == (
        "cats/: the matrices have different shapes (2x2 and 3x3 layers x heads); give every part the model's shape")


def test_arrays_of_different_shapes_in_one_npz(tmp_path):
    np.savez(tmp_path / "m.npz", A=np.ones((2, 2), bool), B=np.ones((3, 3), bool))
    with pytest.raises(ReporterError) as caught:
        reporter.build(tmp_path / "m.npz", formats=())
    assert str(caught.value) == ("m.npz: the matrices have different shapes (2x2 and 3x3 layers x heads); "
                                 "give every part the model's shape")


def test_per_layer_keys_are_not_head_ids(tmp_path):
    # L10 … L39 would read as L1H0 … L3H9: a layer and a head need something between them.
    path = tmp_path / "layers.json"
    path.write_text(json.dumps({f"L{i}": [0.1, 0.2] for i in range(10, 40)}))
    with pytest.raises(ReporterError) as caught:
        reporter.build(path, formats=())
    assert str(caught.value).startswith("missing column 'layer' (found: L10, L11, ")
    assert reporter.build({"L1H0": True, "L3-H9": True}, category="A", formats=()).table.memberships[
        ["layer", "head"]].values.tolist() == [[1, 0], [3, 9]]


def test_inspect_refuses_the_kv_heads_build_refuses(cli, table, tmp_path):
    message = ("--kv-heads 3 does not divide the 2 heads per layer; give the model's number of key/value heads "
               "(a divisor of 2, e.g. 1)")
    assert build_error(cli, "t.csv", "--kv-heads", "3", cwd=tmp_path) == message
    r = cli("inspect", "t.csv", "--kv-heads", "3", cwd=tmp_path)
    assert (r.returncode, r.stdout.splitlines()[-1]) == (2, f"problem: {message}")

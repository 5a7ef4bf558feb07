"""The rest of what the field publishes: per-layer lists (MInference), per-layer rankings (CompressKV),
YAML head lists (QRHead), folders of bare JSON lists, ``layer, head, score`` tables, head ids read as
floats, several files as one model's categories. Each gives the summary.json of its tidy equivalent;
data written here in those shapes, never the shared files."""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pytest

import reporter
from inputs_data import N_HEADS, N_LAYERS, comparable, long_frame, summary_of
from reporter.analysis.summarize import summarize
from reporter.errors import InputError, UsageError
from reporter.input.sources import dataset
from reporter.input.load import load_raw
from reporter.input.models.multi import model_inputs
from reporter.observe.categories import observe
from reporter.options import Options
from reporter.output.summary_json import summary_dict

SHAPE = {"layers": N_LAYERS, "heads": N_HEADS}


def summary_of_inputs(inputs: list, **options: object) -> dict:
    """summary.json of the one model several inputs make, resolved as build resolves them."""
    opts = Options.from_kwargs(**options)
    (found,) = model_inputs(inputs, opts.model, opts.category, opts)
    stats = summarize(load_raw(found.source, opts))
    return summary_dict(stats, observe(stats))


def labels() -> list[tuple[int, int, str]]:
    """One pattern per head: "A" in layers 0-2, "B" after, "C" for head 3 of layers 4 and 5."""
    return [(l, h, "C" if h == 3 and l >= 4 else ("A" if l < 3 else "B")) for l in range(N_LAYERS) for h in range(N_HEADS)]


def score_at(layer: int, head: int) -> float:
    """A distinct score per head, highest for the heads of the last layers."""
    return round((layer * N_HEADS + head) / 100, 2)


def per_layer_list() -> list[dict]:
    """MInference's shape: a list of layers, each {head: [pattern, vertical, slash, score]}."""
    layers = [{} for _ in range(N_LAYERS)]
    for layer, head, label in labels():
        layers[layer][str(head)] = [label, 1000, 6096, score_at(layer, head)]
    return layers


# -- a list of layers of {head: [values]} ---------------------------------------------------------

def test_per_layer_list_without_field_names_the_structure(tmp_path):
    path = tmp_path / "patterns.json"
    path.write_text(json.dumps(per_layer_list()))
    with pytest.raises(InputError) as error:
        reporter.build(str(path), formats="")
    assert str(error.value) == (
        "patterns.json: a JSON list of 6 layers of {head: [4 values]}: say which value is the category "
        "(field=0, or field=0,1,2 for a label of several) or the score (field=3)")
    with pytest.raises(InputError) as error:
        reporter.build(str(path), formats="", field=4)
    assert "field=4 is not a position (0 to 3)" in str(error.value)


def test_per_layer_list_category_field_is_the_long_table(tmp_path):
    path = tmp_path / "patterns.json"
    path.write_text(json.dumps(per_layer_list()))
    tidy = pd.DataFrame(labels(), columns=["layer", "head", "category"])
    assert comparable(summary_of(str(path), field=0, **SHAPE)) == comparable(summary_of(tidy, **SHAPE))
    joined = tidy.assign(category=tidy["category"] + " 1000 6096")
    assert comparable(summary_of(str(path), field="0,1,2", **SHAPE)) == comparable(summary_of(joined, **SHAPE))


def test_per_layer_list_score_field_is_a_scores_table(tmp_path):
    path = tmp_path / "patterns.json"
    path.write_text(json.dumps(per_layer_list()))
    tidy = pd.DataFrame([(l, h, "patterns", "patterns", score_at(l, h)) for l, h, _ in labels()],
                        columns=["layer", "head", "relation", "category", "score"])
    got = summary_of(str(path), field=3, top_k=5, **SHAPE)
    assert comparable(got) == comparable(summary_of(tidy, top_k=5, **SHAPE))
    assert got["totals"]["classified"] == 5


# -- {layer: [head indices, best first]} -----------------------------------------------------------

def ranking() -> dict[str, list[int]]:
    """CompressKV's shape: every layer's heads, best first."""
    return {str(l): [(l + i) % N_HEADS for i in range(N_HEADS)] for l in range(N_LAYERS)}


def test_ranking_is_a_rank_score_per_layer(tmp_path):
    path = tmp_path / "ranked.json"
    path.write_text(json.dumps(ranking()))
    rows = [(l, h, "ranked", "ranked", float(N_HEADS - i)) for l, heads in ranking().items()
            for i, h in enumerate(heads)]
    tidy = pd.DataFrame(rows, columns=["layer", "head", "relation", "category", "score"]).astype({"layer": int})
    # threshold N_HEADS - 1 keeps the first two heads of every layer
    got = summary_of(str(path), threshold=N_HEADS - 1, **SHAPE)
    assert comparable(got) == comparable(summary_of(tidy, threshold=N_HEADS - 1, **SHAPE))
    first_two = sorted((l, (l + i) % N_HEADS) for l in range(N_LAYERS) for i in range(2))
    for options in (Options(threshold=N_HEADS - 1, **SHAPE), Options(top_k=2, rank_within="layer", **SHAPE)):
        table = reporter.input.load.load(str(path), options)
        assert sorted(map(tuple, table.memberships[["layer", "head"]].to_numpy().tolist())) == first_two


def test_inspect_says_how_a_ranking_was_read(cli, tmp_path):
    path = tmp_path / "ranked.json"
    path.write_text(json.dumps(ranking()))
    result = cli("inspect", str(path), "--threshold", "3")
    assert result.returncode == 0, result.stdout
    read_as = ("a JSON map of 6 layers to 4 head indices each, best first, read as a rank score within each layer "
               "(the first scores the layer's count, the last 1); --top-k K --rank-within layer keeps the first K of "
               "each layer")
    assert f"read as: {read_as}" in result.stdout.splitlines()
    unruled = cli("inspect", str(path))
    assert unruled.returncode == 2
    assert unruled.stdout.splitlines()[-1].startswith(f"problem: {read_as}: this table holds scores and no rule")


# -- YAML head lists, folders of bare lists ----------------------------------------------------------

def head_ids(category: str) -> list[str]:
    """The reference heads of one category as "layer-head" ids."""
    return [f"{l}-{h}" for l, h in long_frame().query("category == @category")[["layer", "head"]].to_numpy()]


def test_yaml_head_lists_are_the_long_table(tmp_path):
    folder = tmp_path / "heads"
    folder.mkdir()
    for category in ("Algorithmic", "Knowledge", "Linguistic"):
        (folder / f"{category}.yaml").write_text(
            f'# top heads\nattn_head_set: "{",".join(head_ids(category))}" # detected\n'
            'model_base_class: "GPT2"\nmodel_name_or_path: "openai-community/gpt2"\n')
    tidy = long_frame().assign(model="openai-community/gpt2")
    got = summary_of(str(folder))
    assert got["model"] == {"name": "openai-community/gpt2", "n_layers": 12, "n_heads": 12, "shape_source": "known-model"}
    assert comparable(got) == comparable(summary_of(tidy))
    files = sorted(str(p) for p in folder.iterdir())
    assert comparable(summary_of_inputs(files)) == comparable(summary_of(tidy))


def test_yaml_with_several_head_list_fields_names_one_category_each(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("".join(f"{c}:\n" + "".join(f"  - {i}\n" for i in head_ids(c))
                            for c in ("Algorithmic", "Knowledge", "Linguistic")))
    assert comparable(summary_of(str(path), **SHAPE)) == comparable(summary_of(long_frame(), **SHAPE))


def test_yaml_without_head_ids_names_what_to_give(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("learning_rate: 0.1\nname: run\n")
    with pytest.raises(InputError) as error:
        reporter.build(str(path), formats="")
    assert str(error.value) == (
        'config.yaml: the YAML holds no head ids reporter reads; give a field of head ids (attn_head_set: '
        '"13-1,14-22" or a list), {category: [head ids]} or {head_id: score}')


def test_folder_of_bare_json_lists_is_the_long_table(tmp_path):
    folder = tmp_path / "lists"
    folder.mkdir()
    for category in ("Algorithmic", "Knowledge", "Linguistic"):
        (folder / f"{category}.json").write_text(json.dumps(head_ids(category)))
    assert comparable(summary_of(str(folder), **SHAPE)) == comparable(summary_of(long_frame(), **SHAPE))
    with pytest.raises(InputError) as error:
        reporter.build(head_ids("Knowledge"), formats="", **SHAPE)
    assert str(error.value) == "the list: a list of 4 head ids is one category; name it with category=NAME"
    api = summary_of(head_ids("Knowledge"), category="Knowledge", **SHAPE)
    assert comparable(api) == comparable(summary_of(long_frame().query("category == 'Knowledge'"), **SHAPE))


# -- layer, head, score ------------------------------------------------------------------------------

def one_relation() -> pd.DataFrame:
    """A function-vector-like table: layer, head, score and nothing else."""
    return pd.DataFrame([(l, h, score_at(l, h)) for l, h, _ in labels()], columns=["layer", "head", "score"])


def test_layer_head_score_is_one_relation(tmp_path):
    path = tmp_path / "fv.csv"
    one_relation().to_csv(path, index=False)
    tidy = one_relation().assign(relation="FV", category="FV")
    expected = comparable(summary_of(tidy, top_k=4, **SHAPE))
    assert comparable(summary_of(str(path), category="FV", top_k=4, **SHAPE)) == expected
    assert comparable(summary_of(one_relation(), category="FV", top_k=4, **SHAPE)) == expected
    named = summary_of(str(path), top_k=4, **SHAPE)  # the file's name names it
    assert [c["name"] for c in named["categories"]] == ["fv"]
    with pytest.raises(InputError) as error:
        reporter.build(one_relation(), top_k=4, formats="", **SHAPE)
    assert str(error.value) == ("a layer, head, score table (no relation, no category column) is one category; "
                                "name it with category=NAME")


def test_category_stands_in_for_the_map_of_relations():
    frame = one_relation().assign(relation="function_vector")
    tidy = frame.assign(category="FV")
    assert comparable(summary_of(frame, category="FV", top_k=4, **SHAPE)) == comparable(summary_of(tidy, top_k=4, **SHAPE))


# -- head ids that arrived as floats ---------------------------------------------------------------------

def test_head_ids_of_a_csv_are_text(tmp_path):
    path = tmp_path / "ioi.csv"
    path.write_text("head_id,category\n10.10,Name mover\n10.1,Name mover\n9.9,Backup\n")
    table = reporter.input.load.load(str(path), Options(layers=12, heads=12))
    assert sorted(map(tuple, table.memberships[["layer", "head"]].to_numpy().tolist())) == [(9, 9), (10, 1), (10, 10)]


def test_api_refuses_float_head_ids_with_the_reason_and_the_fix():
    frame = pd.DataFrame({"head_id": [9.9, 10.1], "category": ["Backup", "Name mover"]})
    with pytest.raises(InputError) as error:
        reporter.build(frame, model="gpt2", formats="")
    assert str(error.value) == (
        "column 'head_id' holds numbers (such as 9.9), not text: as numbers 10.10 and 10.1 are the same, so which "
        "head is meant cannot be told; read that column as text (pd.read_csv(..., dtype={'head_id': str})) or "
        "give layer and head columns")


# -- several files as one model's categories -----------------------------------------------------------

def member_matrix(category: str) -> np.ndarray:
    """The reference memberships of one category as a [layers, heads] boolean matrix."""
    grid = np.zeros((N_LAYERS, N_HEADS), dtype=bool)
    for layer, head in long_frame().query("category == @category")[["layer", "head"]].to_numpy():
        grid[layer, head] = True
    return grid


@pytest.fixture
def matrices(tmp_path) -> list[str]:
    paths = []
    for category in ("Algorithmic", "Knowledge", "Linguistic"):
        np.save(tmp_path / f"{category}.npy", member_matrix(category))
        paths.append(str(tmp_path / f"{category}.npy"))
    return paths


def test_several_files_are_the_categories_of_one_model(matrices):
    assert comparable(summary_of_inputs(matrices, **SHAPE)) == comparable(summary_of(long_frame(), **SHAPE))
    renamed = summary_of_inputs(matrices, category="X,Y,Z", **SHAPE)
    assert [c["name"] for c in renamed["categories"]] == ["X", "Y", "Z"]
    report = reporter.build_site(matrices, one_model_per_file=True, formats="", **SHAPE)
    assert [m["name"] for m in report.summary["models"]] == ["Algorithmic", "Knowledge", "Linguistic"]


def test_build_of_several_files_writes_one_report(cli, matrices, tmp_path):
    result = cli("build", *matrices, "--layers", "6", "--heads", "4", "--formats", "", "-o", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "site" / "data" / "summary.json").read_text())
    assert summary["source"]["name"] == "Algorithmic.npy + Knowledge.npy + Linguistic.npy"
    assert comparable(summary) == comparable(summary_of(long_frame(), **SHAPE))


# -- DuckDB --------------------------------------------------------------------------------------------------

def test_engine_duckdb_without_duckdb_is_one_line(monkeypatch, tmp_path):
    path = tmp_path / "t.parquet"
    long_frame().to_parquet(path)
    monkeypatch.setitem(__import__("sys").modules, "duckdb", None)  # as if the extra were not installed
    with pytest.raises(UsageError) as error:
        reporter.build(str(path), engine="duckdb", formats="")
    assert str(error.value) == (f"{path}: the duckdb engine needs DuckDB, which is not installed; "
                                "pip install 'attention-head-report[datasets]'")


def test_large_parquet_without_duckdb_says_so_and_goes_on(monkeypatch, tmp_path, caplog):
    path = tmp_path / "t.parquet"
    long_frame().to_parquet(path)
    monkeypatch.setitem(__import__("sys").modules, "duckdb", None)
    monkeypatch.setattr(dataset, "LARGE_BYTES", path.stat().st_size - 1)  # this file counts as large
    with caplog.at_level(logging.WARNING):
        summary = summary_of(str(path), **SHAPE)
    assert summary["totals"]["classified"] == 7
    assert [r.getMessage() for r in caplog.records] == [
        "t.parquet: 0 MiB of Parquet is read into memory by pandas; pip install 'attention-head-report[datasets]' "
        "to scan it out of core with DuckDB"]


# -- the same inputs, the same answers: inspect, build, diff and the API -------------------------------------

def refused_inputs(tmp_path) -> dict[str, tuple[str, str]]:
    """Inputs every entry point refuses: name -> (path, the one-line message)."""
    listing = tmp_path / "patterns.json"
    listing.write_text(json.dumps(per_layer_list()))
    config = tmp_path / "config.yaml"
    config.write_text("learning_rate: 0.1\n")
    floats = tmp_path / "floats.parquet"
    pd.DataFrame({"head_id": [9.9, 10.1], "category": ["A", "B"]}).to_parquet(floats)
    return {
        "per-layer list": (str(listing), "patterns.json: a JSON list of 6 layers of {head: [4 values]}: say which "
                           "value is the category (--field 0, or --field 0,1,2 for a label of several) or the score "
                           "(--field 3)"),
        "yaml": (str(config), 'config.yaml: the YAML holds no head ids reporter reads; give a field of head ids '
                 '(attn_head_set: "13-1,14-22" or a list), {category: [head ids]} or {head_id: score}'),
        "float head ids": (str(floats), "column 'head_id' holds numbers (such as 9.9), not text: as numbers 10.10 and "
                           "10.1 are the same, so which head is meant cannot be told; read that column as text "
                           "(pd.read_csv(..., dtype={'head_id': str})) or give layer and head columns"),
    }


def test_every_entry_point_refuses_the_same_inputs_with_the_same_message(cli, tmp_path):
    from reporter.errors import keyword_wording

    good = tmp_path / "good.csv"
    long_frame().to_csv(good, index=False)
    for name, (path, message) in refused_inputs(tmp_path).items():
        inspected = cli("inspect", path)
        assert (inspected.returncode, inspected.stdout.splitlines()[-1]) == (2, f"problem: {message}"), name
        for args in (("build", path), ("diff", path, str(good)), ("diff", str(good), path)):
            result = cli(*args, "-o", str(tmp_path / "out"), "--formats", "")
            assert (result.returncode, result.stderr) == (2, f"reporter: error: {message}\n"), (name, args)
        assert not (tmp_path / "out").exists()
        for call in (lambda: reporter.build(path, formats=""), lambda: reporter.build_site(path, formats=""),
                     lambda: reporter.build_diff(path, str(good), formats="")):
            with pytest.raises(InputError) as error:
                call()
            assert str(error.value) == keyword_wording(message), name


def test_every_entry_point_takes_a_multi_model_scores_table(cli, tmp_path):
    path = tmp_path / "fv.csv"
    pd.concat([one_relation().assign(model="gpt2"), one_relation().assign(model="gpt2-medium")]).to_csv(path, index=False)
    inspected = cli("inspect", str(path), "--top-k", "12", "--category", "FV")
    assert inspected.returncode == 0, inspected.stdout
    lines = inspected.stdout.splitlines()
    assert lines[0] == "2 models: gpt2, gpt2-medium (a build makes an overview and one page per model)"
    assert [line for line in lines if line.startswith("  FV ") and line.endswith("heads")] == ["  FV  12 heads"] * 2
    built = cli("build", str(path), "--top-k", "3", "--category", "FV", "--formats", "", "-o", str(tmp_path / "site"))
    assert built.returncode == 0, built.stderr
    assert [(tmp_path / "site" / m / "index.html").is_file() for m in ("gpt2", "gpt2-medium")] == [True, True]
    diffed = cli("diff", str(path), str(path), "--model", "gpt2", "--top-k", "3", "--formats", "", "-o",
                 str(tmp_path / "diff"))
    assert diffed.returncode == 0, diffed.stderr
    site = reporter.build_site(str(path), top_k=3, category="FV", formats="")
    assert [m["name"] for m in site.summary["models"]] == ["gpt2", "gpt2-medium"]
    with pytest.raises(UsageError) as error:
        reporter.build(str(path), top_k=3, formats="")
    assert str(error.value) == (
        "fv.csv holds 2 models (gpt2, gpt2-medium); reporter.build makes one model's report: call "
        "reporter.build_site(table) for an overview and a page per model, or reporter.build(table, model='NAME') "
        "for one of them")
    one = reporter.build(str(path), top_k=3, model="gpt2-medium", formats="")
    assert one.summary["model"]["name"] == "gpt2-medium" and one.summary["totals"]["classified"] == 3


# -- categories not measured -----------------------------------------------------------------------------

def test_a_category_not_measured_gets_no_panel_no_row_and_no_button():
    from inputs_data import scores_frame

    full = scores_frame().assign(model="model-a")
    partial = scores_frame().query("category != 'Linguistic'").assign(model="model-b")
    site = reporter.build_site([pd.concat([full, partial])], top_k=2, formats="", **SHAPE)
    a, b = site.reports
    assert titles(a, "heatmaps", "concat") == ["All Categories", "Algorithmic", "Knowledge", "Linguistic"]
    assert titles(b, "heatmaps", "concat") == ["All Categories", "Algorithmic", "Knowledge"]
    # a 6-layer model's profile rows sit side by side (a wrapped concat), a deep model's stack (vconcat)
    assert titles(a, "layer-profile", "concat") == ["Algorithmic", "Knowledge", "Linguistic"]
    assert titles(b, "layer-profile", "concat") == ["Algorithmic", "Knowledge"]
    assert b.figures["layer-profile"].tables[0].columns == ("layer", "Algorithmic", "Knowledge")
    assert {r["category"] for r in b.figures["layer-profile"].datasets["profile"]} == {"Algorithmic", "Knowledge"}
    page = b.pages()["index.html"].decode()
    from bs4 import BeautifulSoup

    said = [li.get_text(" ", strip=True) for li in BeautifulSoup(page, "html.parser").select("li[id^=obs-]")]
    assert [text for text in said if "measured" in text] == [
        "Linguistic was not measured: the table scores none of its relations for this model. see figure"]
    assert 'data-highlight="Linguistic"' not in page and 'data-highlight="Knowledge"' in page
    assert 'data-highlight="Linguistic"' in a.pages()["index.html"].decode()


def titles(report, slug: str, key: str) -> list[str]:
    """The titles of a figure's panels or rows, in order."""
    return [title(part) for part in report.figures[slug].spec[key]]


def title(part: dict) -> str:
    """A panel's title: its own, or its first layer's."""
    found = part.get("title") or next((p.get("title") for p in part.get("layer", []) if p.get("title")), None)
    return found["text"] if isinstance(found, dict) else found

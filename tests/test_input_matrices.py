"""Shapes the field publishes (matrices, head-id maps, objects, one file per category) give the same
summary.json as their tidy-table equivalent."""

from __future__ import annotations

import json
import types

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import reporter
from inputs_data import CATEGORIES, N_HEADS, N_LAYERS, RELATIONS, category_map, comparable, long_frame, \
    scores_frame, summary_of
from reporter.errors import InputError, UsageError

SHAPE = {"layers": N_LAYERS, "heads": N_HEADS}


def member_matrix(category: str) -> np.ndarray:
    """The reference memberships of one category as a [layers, heads] boolean matrix."""
    grid = np.zeros((N_LAYERS, N_HEADS), dtype=bool)
    for layer, head in long_frame().query("category == @category")[["layer", "head"]].to_numpy():
        grid[layer, head] = True
    return grid


def score_matrices() -> dict[str, np.ndarray]:
    """Each relation's scores (mean over templates) as a [layers, heads] float matrix."""
    means = scores_frame().groupby(["relation", "layer", "head"])["score"].mean()
    return {r: means[r].to_numpy().reshape(N_LAYERS, N_HEADS) for r in RELATIONS}


def tidy_scores(matrices: dict[str, np.ndarray]) -> pd.DataFrame:
    """The tidy equivalent of score matrices: one row per (layer, head, relation)."""
    rows = [(r, category_map()[r], l, h, float(m[l, h])) for r, m in matrices.items()
            for l in range(N_LAYERS) for h in range(N_HEADS)]
    return pd.DataFrame(rows, columns=["relation", "category", "layer", "head", "score"])


@pytest.fixture(scope="module")
def reference() -> dict:
    return comparable(summary_of(long_frame(), **SHAPE))


@pytest.fixture(scope="module")
def scores_reference() -> dict:
    return comparable(summary_of(tidy_scores(score_matrices()), threshold=0.5, **SHAPE))


def write_text_matrix(path, matrix: np.ndarray, sep: str, header: bool, index: bool, fmt: str) -> None:
    """A matrix as text: optional header row of head numbers, optional index column of layers."""
    lines = []
    if header:
        lines.append(sep.join((["layer"] if index else []) + [str(h) for h in range(matrix.shape[1])]))
    for layer, row in enumerate(matrix):
        lines.append(sep.join(([str(layer)] if index else []) + [fmt.format(v.item()) for v in row]))
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("suffix, sep", [("csv", ","), ("tsv", "\t"), ("txt", " ")])
@pytest.mark.parametrize("header, index", [(False, False), (True, False), (True, True)])
def test_text_membership_matrices_in_a_folder(tmp_path, reference, suffix, sep, header, index):
    folder = tmp_path / "heads"
    folder.mkdir()
    for category in CATEGORIES:
        write_text_matrix(folder / f"{category}.{suffix}", member_matrix(category).astype(int), sep, header, index,
                          "{}")
    (folder / "README.md").write_text("not read")
    summary = summary_of(folder, **SHAPE)
    assert comparable(summary) == reference
    assert summary["source"]["name"] == "heads/"


@pytest.mark.parametrize("header", [False, True])
def test_text_score_matrix_with_category(tmp_path, header):
    matrix = score_matrices()["alg_a"]
    path = tmp_path / "gates.tsv"
    write_text_matrix(path, matrix, "\t", header, False, "{!r}")
    tidy = tidy_scores({"alg_a": matrix}).assign(relation="Retrieval", category="Retrieval")
    expected = comparable(summary_of(tidy, top_k=2, **SHAPE))
    assert comparable(summary_of(path, category="Retrieval", top_k=2, **SHAPE)) == expected
    assert expected["categories"][0]["heads"] == 2


def test_npy_and_npz(tmp_path, reference, scores_reference):
    np.savez(tmp_path / "members.npz", **{c: member_matrix(c) for c in CATEGORIES})
    assert comparable(summary_of(tmp_path / "members.npz", **SHAPE)) == reference
    np.savez(tmp_path / "scores.npz", **score_matrices())
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps(category_map()))
    summary = summary_of(tmp_path / "scores.npz", threshold=0.5, category_map=str(mapping), **SHAPE)
    assert comparable(summary) == scores_reference
    folder = tmp_path / "npy"
    folder.mkdir()
    for c in CATEGORIES:
        np.save(folder / f"{c}.npy", member_matrix(c))
    assert comparable(summary_of(folder, **SHAPE)) == reference


def test_3d_array_with_relation_names_is_a_scores_table(scores_reference, tmp_path):
    matrices = score_matrices()
    cube = np.stack([matrices[r] for r in RELATIONS], axis=2)
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps(category_map()))
    summary = reporter.build(cube, category=",".join(RELATIONS), threshold=0.5, category_map=str(mapping),
                             formats="", **SHAPE).summary
    assert comparable(summary) == scores_reference
    np.save(tmp_path / "cube.npy", cube)
    summary = summary_of(tmp_path / "cube.npy", category=",".join(RELATIONS), threshold=0.5,
                         category_map=str(mapping), **SHAPE)
    assert comparable(summary) == comparable(scores_reference, drop=("source",))
    with pytest.raises(InputError, match="array of 5 relations needs as many names"):
        reporter.build(cube, category="one", threshold=0.5)


def head_id(layer: int, head: int) -> str:
    return f"{layer}-{head}"


def test_head_id_json_with_scalar_and_list_values(tmp_path):
    raw = scores_frame().query("relation == 'alg_a'")
    lists = {head_id(l, h): g["score"].tolist() for (l, h), g in raw.groupby(["layer", "head"])}
    path = tmp_path / "retrieval_heads.json"
    path.write_text(json.dumps(lists))
    tidy = raw.assign(relation="retrieval_heads", category="retrieval_heads")
    expected = comparable(summary_of(tidy, threshold=0.5, **SHAPE))
    assert comparable(summary_of(path, threshold=0.5, **SHAPE)) == expected
    assert [(c["name"], c["heads"]) for c in expected["categories"]] == [("retrieval_heads", 2)]
    scalars = {head_id(l, h): float(g["score"].mean()) for (l, h), g in raw.groupby(["layer", "head"])}
    path.write_text(json.dumps(scalars))
    tidy = tidy_scores({"alg_a": score_matrices()["alg_a"]}).assign(relation="Retrieval", category="Retrieval")
    assert comparable(summary_of(path, category="Retrieval", threshold=0.5, **SHAPE)) == \
        comparable(summary_of(tidy, threshold=0.5, **SHAPE))


def test_nested_json(tmp_path, reference):
    flags = {c: {f"L{l}H{h}": bool(member_matrix(c)[l, h]) for l in range(N_LAYERS) for h in range(N_HEADS)}
             for c in CATEGORIES}
    path = tmp_path / "nested.json"
    path.write_text(json.dumps(flags))
    assert comparable(summary_of(path, **SHAPE)) == reference
    lists = {c: [f"{l}.{h}" for l, h in long_frame().query("category == @c")[["layer", "head"]].to_numpy()]
             for c in CATEGORIES}
    path.write_text(json.dumps(lists))
    assert comparable(summary_of(path, **SHAPE)) == reference


class TensorLike:
    """Not numpy: only ``__array__``, as a torch tensor offers."""

    def __init__(self, values: np.ndarray):
        self.values = values

    def __array__(self, dtype=None, copy=None):
        return self.values if dtype is None else self.values.astype(dtype)


def api_summary(obj, **options) -> dict:
    return comparable(reporter.build(obj, formats="", **options).summary)


def test_api_objects(reference):
    as_pairs = {c: [tuple(map(int, p)) for p in long_frame().query("category == @c")[["layer", "head"]].to_numpy()]
                for c in CATEGORIES}
    assert api_summary(as_pairs, n_layers=N_LAYERS, n_heads=N_HEADS) == reference
    assert api_summary({c: member_matrix(c) for c in CATEGORIES}, **SHAPE) == reference
    assert api_summary({c: TensorLike(member_matrix(c)) for c in CATEGORIES}, **SHAPE) == reference
    assert api_summary(pa.Table.from_pandas(long_frame()), **SHAPE) == reference
    one = comparable(summary_of(long_frame().query("category == 'Knowledge'"), **SHAPE))
    assert api_summary(member_matrix("Knowledge"), category="Knowledge", **SHAPE) == one
    assert api_summary(TensorLike(member_matrix("Knowledge")), category="Knowledge", **SHAPE) == one


def test_api_polars_table(reference):
    polars = pytest.importorskip("polars")
    assert api_summary(polars.from_pandas(long_frame()), **SHAPE) == reference


def test_api_refuses_what_it_cannot_read_in_api_words():
    with pytest.raises(InputError) as error:
        reporter.build(42)
    assert str(error.value) == (
        "cannot read a builtins.int; give a path, a pandas, polars or pyarrow table, a [layers, heads] array "
        "(numpy, or anything with __array__), a dict {head_id: value}, {category: [head ids]}, {category: array} or "
        "{layer: [head indices, best first]}, or a list of head ids or of layers {head: value}")
    with pytest.raises(InputError, match=r"^a ndarray of per-head values is one category; name it with category=NAME$"):
        reporter.build(np.zeros((3, 2)))
    with pytest.raises(UsageError, match=r"^layers= and heads= go together: give both or neither$"):
        reporter.build(long_frame(), n_layers=6)


def test_cli_names_flags_and_matrix_inspect(cli, tmp_path):
    path = tmp_path / "Induction.txt"
    write_text_matrix(path, member_matrix("Algorithmic").astype(int), " ", False, False, "{}")
    result = cli("inspect", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"input: {path} (text, 6 x 4 matrix)",
        "shape: long (layer, head, category, member)",
        "model shape: 6 layers x 4 heads (from inferred)",
        "categories:",
        "  Induction  4 heads",
        "heads: 24 in all, 4 classified, 20 unclassified",
        "problem (a build still runs): the model's shape was not given: 6 x 4 is the largest layer and head index "
        "+ 1, and the model may have more layers; pass --model NAME (a known model), --layers N --heads N or "
        "--model-config FILE",
    ]
    result = cli("build", str(path), "--layers", "6", "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr == "reporter: error: --layers and --heads go together: give both or neither\n"

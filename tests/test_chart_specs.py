"""Every figure's spec is valid Vega-Lite: charts skip Altair's validation at build time, so it is checked here."""

from __future__ import annotations

import json

import altair as alt
import jsonschema
import pandas as pd
import pytest

from reporter.diff_report import build_diff
from reporter.report import build
from reporter.site import build_site


def all_figures(table, **options):
    return build(table, **options).figures


def test_every_figure_of_the_small_table_validates(small_table):
    figures = all_figures(small_table, layers=6, heads=4, kv_heads=2)
    assert list(figures) == ["heatmaps", "layer-profile", "overlap", "kv-groups"]
    for figure in figures.values():
        alt.Root.validate(figure.full_spec())


def test_every_figure_validates_with_ten_categories_and_one_empty():
    names = [f"cat{i}" for i in range(10)]
    rows = [(i % 12, (i * 7) % 16, names[i % 9]) for i in range(60)] + [(11, 15, "cat9")]
    figures = all_figures(pd.DataFrame(rows, columns=["layer", "head", "category"]), layers=12, heads=16, categories=",".join(names))
    for figure in figures.values():
        alt.Root.validate(figure.full_spec())


def test_every_overview_and_diff_figure_validates(small_table):
    other = small_table[small_table["category"] != "C"]
    overview = build_site([small_table, other], layers=6, heads=4).figures
    diff = build_diff(small_table, other, layers=6, heads=4).figures
    assert list(overview) == ["model-heatmaps", "core-windows", "depth-profiles"]
    assert list(diff) == ["changes", "change-profile"]
    for figure in [*overview.values(), *diff.values()]:
        alt.Root.validate(figure.full_spec())


def test_the_layer_brush_listens_in_every_row_of_the_profile(small_table):
    spec = all_figures(small_table)["layer-profile"].spec
    brush = next(p for p in spec["params"] if p["name"] == "layer_brush")
    bars = [row["layer"][2]["name"] for row in spec["concat"]]  # 6 layers: rows side by side (a grid)
    assert brush["views"] == bars == ["profile_bars_0", "profile_bars_1", "profile_bars_2"]


def test_the_check_catches_a_broken_spec(small_table):
    spec = all_figures(small_table)["heatmaps"].full_spec()
    spec["concat"][0]["layer"][0]["mark"] = {"type": "rectangle"}
    with pytest.raises(jsonschema.ValidationError):
        alt.Root.validate(spec)


def test_head_cells_carry_no_per_head_aria_labels(small_table):
    spec = all_figures(small_table)["heatmaps"].spec
    all_panel, *category_panels = spec["concat"]
    for panel in [all_panel, *category_panels]:
        background, cells = panel["layer"]
        assert cells["mark"] == {"type": "rect", "aria": False}
        assert background["mark"] == {"type": "rect"}


def test_figures_need_no_test_results(small_table):
    # A build draws its figures from describe() while the tests run: they must not differ.
    from reporter.charts import build_figures
    from reporter.input.load import load
    from reporter.options import Options
    from reporter.analysis.summarize import describe, summarize

    table = load(small_table, Options(layers=6, heads=4))
    early = build_figures(describe(table), kv_heads=2)
    full = build_figures(summarize(table), kv_heads=2)
    assert describe(table).categories[0].uniform_p is None and summarize(table).categories[0].uniform_p is not None
    assert {s: f.vl_json for s, f in early.items()} == {s: f.vl_json for s, f in full.items()}


def test_stacked_rows_label_their_shared_axis_on_the_bottom_row_only(small_table):
    other = small_table[small_table["category"] != "C"]
    deep = small_table.assign(layer=small_table["layer"] * 6)  # 36 layers: the profile's rows stack
    profile = build(deep, layers=36, heads=4, formats=()).figures["layer-profile"].spec
    changes = build_diff(small_table, other, layers=6, heads=4).figures["change-profile"].spec
    depths = build_site([small_table, other], layers=6, heads=4).figures["depth-profiles"].spec
    rows_of = {
        "layer-profile": [row["layer"][1]["encoding"]["x"]["axis"] for row in profile["vconcat"]],
        "change-profile": [row["encoding"]["x"]["axis"] for row in changes["vconcat"]],
        "depth-profiles": [row["layer"][0]["encoding"]["x"]["axis"] for row in depths["concat"][0]["vconcat"]],
    }
    assert [len(axes) for axes in rows_of.values()] == [3, 4, 3]
    for axes in rows_of.values():
        *upper, bottom = axes
        assert all(a["labels"] is False and a["title"] is None for a in upper)
        assert "labels" not in bottom and "title" not in bottom and bottom["values"] == upper[0]["values"]


def test_the_profile_titles_its_y_axis_and_outlines_a_core_window_that_is_not_a_concentration():
    # A fills layers 2-3 of a 6x12 model (a concentration); B has one head in every layer (no claim).
    rows = [(layer, head, "A") for layer in (2, 3) for head in range(12)] + [(layer, 0, "B") for layer in range(6)]
    report = build(pd.DataFrame(rows, columns=["layer", "head", "category"]), layers=6, heads=12, formats=())
    figure = report.figures["layer-profile"]
    rows_ = figure.spec["concat"]
    assert [r["layer"][2]["encoding"]["y"]["title"] for r in rows_] == ["heads", "heads"]
    assert [r["title"]["text"] for r in rows_] == ["A", "B"]
    assert [(c["category"], c["concentrated"], c["kind"]) for c in figure.datasets["core"]] == [
        ("A", True, "core window"), ("B", False, "core window (not a concentration)")]
    band, outline = rows_[0]["layer"][0], rows_[0]["layer"][1]
    assert {"filter": "datum.concentrated"} in band["transform"] and band["mark"]["opacity"] == 0.14
    assert {"filter": "!datum.concentrated"} in outline["transform"] and outline["mark"]["fill"] is None
    assert outline["mark"]["strokeDash"] == [4, 3]


def test_a_short_model_sets_its_profile_rows_side_by_side_each_labelling_its_axis(small_table):
    # 6 layers: rows stay WIDTH wide (bars at most LAYER_PX), so the page lays them out in as many columns as fit.
    spec = all_figures(small_table)["layer-profile"].spec
    assert "vconcat" not in spec and spec["columns"] == 3
    assert spec["usermeta"]["fit"] == {"kind": "grid", "width": 520, "panels": 3, "step": 520 + 36 + 18,
                                       "extra": 0, "grow": 1.0}
    for row in spec["concat"]:
        axis = row["layer"][1]["encoding"]["x"]["axis"]
        assert "labels" not in axis and "title" not in axis and axis["values"] == [0, 1, 2, 3, 4, 5, 6]


def test_the_depth_profiles_give_each_model_a_named_panel_and_each_category_its_colour(tmp_path):
    rows = [(layer, head, cat, model) for model in ("m1", "m2", "m3") for layer in range(6) for head in range(4)
            for cat in "AB" if (layer + head + len(model)) % 3 == 0]
    site = build_site([pd.DataFrame(rows, columns=["layer", "head", "category", "model"])], formats=())
    spec = site.figures["depth-profiles"].spec
    assert [panel["title"]["text"][0] for panel in spec["concat"]] == ["m1", "m2", "m3"]
    colors = site.comparison.colors
    for m, panel in enumerate(spec["concat"]):
        assert [row["title"]["text"] for row in panel["vconcat"]] == ["A", "B"]
        for i, row in enumerate(panel["vconcat"]):
            area, line = row["layer"]
            assert area["mark"]["color"] == line["mark"]["color"] == colors["AB"[i]]
            assert {"filter": f"datum.m === {m} && datum.ci === {i}"} in area["transform"]
            assert "color" not in line["encoding"] and "strokeDash" not in line["encoding"]
    assert spec["usermeta"]["fit"]["kind"] == "grid" and spec["usermeta"]["fit"]["panels"] == 3

def test_a_category_a_model_did_not_measure_reads_not_measured_in_its_depth_row():
    # Two scores tables: only the first scores a relation of "Late".
    def scores(relations):
        return pd.DataFrame([(layer, head, rel, cat, 0.9 if (layer + head) % 3 == 0 else 0.1)
                             for layer in range(6) for head in range(4) for rel, cat in relations],
                            columns=["layer", "head", "relation", "category", "score"])
    both = scores([("r1", "Early"), ("r2", "Late")]).assign(model="m1")
    one = scores([("r1", "Early")]).assign(model="m2")
    site = build_site([pd.concat([both, one])], threshold=0.5, formats=())
    second = site.figures["depth-profiles"].spec["concat"][1]["vconcat"]
    assert [row["title"]["text"] for row in second] == ["Early", "Late"]
    assert [part["mark"]["type"] for part in second[1]["layer"]] == ["text"]
    assert second[1]["layer"][0]["mark"]["text"] == "not measured"
    assert [part["mark"]["type"] for part in site.figures["depth-profiles"].spec["concat"][0]["vconcat"][1]["layer"]] == [
        "area", "line"]

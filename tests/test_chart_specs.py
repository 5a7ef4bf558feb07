"""Every figure's spec is valid Vega-Lite: charts skip Altair's validation at build time, so it is checked here."""

from __future__ import annotations

import altair as alt
import jsonschema
import pandas as pd
import pytest

from reporter.report import build


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

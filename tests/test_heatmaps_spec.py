"""The `heatmaps` figure reproduces the reference figure: read back from figures/heatmaps.vl.json."""

from __future__ import annotations

import json

import pytest

from conftest import long_table

import reporter

CATEGORIES = ["Algorithmic", "Knowledge", "Linguistic", "Translation"]


ROWS = (
    [(20 + i % 20, i % 64, "Algorithmic") for i in range(40)]
    + [(30 + i % 15, (i * 7) % 64, "Knowledge") for i in range(30)]
    + [(60 + i % 20, (i * 3) % 64, "Linguistic") for i in range(30)]
    + [(70, 5, "Translation"), (71, 6, "Translation"), (20, 0, "Translation")]
)


@pytest.fixture(scope="module")
def spec(tmp_path_factory) -> dict:
    """The saved spec of an 80x64 report with the four reference categories."""
    rows = ROWS
    out = tmp_path_factory.mktemp("spec") / "site"
    reporter.build(long_table(rows), layers=80, heads=64, formats="svg").save(out)
    return json.loads((out / "figures" / "heatmaps.vl.json").read_text())


def layers_of(panel: dict) -> list[dict]:
    return panel["layer"]


def test_panel_titles_in_order(spec):
    assert [p["title"] for p in spec["concat"]] == ["All Categories", *CATEGORIES]


def test_axis_titles_and_ticks(spec):
    for panel in spec["concat"]:
        for layer in layers_of(panel):
            enc = layer["encoding"]
            assert enc["x"]["title"] == "layer"
            assert enc["y"]["title"] == "head"
            assert enc["x"]["axis"]["values"] == [0, 16, 32, 48, 64, 80]
            assert enc["y"]["axis"]["values"] == [0, 12, 24, 36, 48, 60]
            assert enc["x"]["scale"]["domain"] == [0, 80]
            assert enc["y"]["scale"]["domain"] == [0, 64]


def test_legend_labels_in_order_with_colours(spec):
    color = spec["concat"][0]["layer"][1]["encoding"]["color"]
    expected = {
        "4 categories": "#e377c2",
        "3 categories": "#8c564b",
        "2 categories": "#9467bd",
        "Translation": "#d62728",
        "Linguistic": "#2ca02c",
        "Knowledge": "#ff7f0e",
        "Algorithmic": "#1f77b4",
        "Unclassified": "#e0e0e0",
    }
    assert color["scale"]["domain"] == list(expected)
    assert color["scale"]["range"] == list(expected.values())
    # The domain alone orders the legend: a list of names in legend values or sort breaks Vega on
    # names such as "constructor" (tests/test_names_in_figures.py).
    assert "values" not in color["legend"] and "sort" not in color


def test_category_panels_colour_their_heads_over_light_gray(spec):
    colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]
    for index, (panel, colour) in enumerate(zip(spec["concat"][1:], colours)):
        background, cells = panel["layer"]
        assert background["encoding"]["color"] == {"value": "#e0e0e0"}
        assert cells["encoding"]["color"] == {"value": colour}
        assert {"filter": f"datum.c{index} === 1"} in cells["transform"]


def test_tooltips_name_layer_head_and_categories(spec):
    cells = spec["concat"][0]["layer"][1]
    assert [t["title"] for t in cells["encoding"]["tooltip"]] == ["layer", "head", "categories"]


def test_data_is_sparse_classified_heads_plus_one_background(spec):
    heads = spec["datasets"]["heads"]
    assert len(spec["datasets"]["background"]) == 1
    assert len(heads) == len({(h["layer"], h["head"]) for h in heads})
    assert len(heads) < 80 * 64
    members: dict[tuple[int, int], list[str]] = {}
    for layer, head, category in ROWS:
        members.setdefault((layer, head), []).append(category)
    assert len(heads) == len(members)
    expected = sorted((k[0], k[1], ", ".join(v)) for k, v in members.items() if len(v) == 2)
    multi = sorted((h["layer"], h["head"], h["categories"]) for h in heads if h["label"] == "2 categories")
    assert multi == expected
    assert (20, 0, "Algorithmic, Translation") in multi


def test_each_head_is_a_one_by_one_cell_whose_edges_come_with_the_data(spec):
    # Edges in the data rather than a calculate transform in every panel: a fifth less drawing.
    assert all((h["layer_end"], h["head_end"]) == (h["layer"] + 1, h["head"] + 1) for h in spec["datasets"]["heads"])
    for panel in spec["concat"]:
        cells = layers_of(panel)[1]
        assert "calculate" not in json.dumps(cells.get("transform", []))
        assert (cells["encoding"]["x2"], cells["encoding"]["y2"]) == ({"field": "layer_end"}, {"field": "head_end"})


def test_ticks_follow_n_over_5_for_other_shapes():
    from reporter.charts.heatmaps import ticks

    assert ticks(48) == [0, 9, 18, 27, 36, 45]
    assert ticks(25) == [0, 5, 10, 15, 20, 25]
    assert ticks(3) == [0, 1, 2, 3]


def test_large_model_does_not_hit_altairs_row_limit():
    rows = [(layer, head, "A" if (layer + head) % 2 else "B") for layer in range(126) for head in range(128)]
    report = reporter.build(long_table(rows), formats=())
    heads = report.figures["heatmaps"].datasets["heads"]
    assert len(heads) == 126 * 128


def legend_of(report) -> dict[str, str]:
    """The All Categories legend of a built report: entry -> colour, top to bottom."""
    color = report.figures["heatmaps"].spec["concat"][0]["layer"][1]["encoding"]["color"]
    assert "values" not in color["legend"]  # the domain lists the entries (charts/vega_safe.py)
    return dict(zip(color["scale"]["domain"], color["scale"]["range"]))


def test_four_categories_list_exactly_the_reference_eight_even_without_multi_category_heads():
    rows = [(layer, 0, name) for layer, name in enumerate(CATEGORIES)]  # no head in two categories
    legend = legend_of(reporter.build(long_table(rows), layers=80, heads=64, formats=()))
    assert legend == {"4 categories": "#e377c2", "3 categories": "#8c564b", "2 categories": "#9467bd",
                      "Translation": "#d62728", "Linguistic": "#2ca02c", "Knowledge": "#ff7f0e",
                      "Algorithmic": "#1f77b4", "Unclassified": "#e0e0e0"}


def test_beyond_the_reference_the_legend_lists_only_the_counts_some_head_has():
    names = [f"C{i}" for i in range(7)]
    rows = [(layer, 1, name) for layer, name in enumerate(names)]
    legend = legend_of(reporter.build(long_table(rows), layers=10, heads=4, formats=()))
    assert list(legend) == [*reversed(names), "Unclassified"]  # no head in two: no "k categories" entry
    # One head in six categories and one in two: "6 categories" and "2 categories" join, 3, 4, 5 and 7 stay out.
    six = rows + [(9, 0, name) for name in names[:6]] + [(8, 0, "C0"), (8, 0, "C1")]
    legend = legend_of(reporter.build(long_table(six), layers=10, heads=4, formats=()))
    assert list(legend) == ["6 categories", "2 categories", *reversed(names), "Unclassified"]
    assert legend["2 categories"] == "#9467bd" and legend["6 categories"] == "#c2185b"
    assert len(set(legend.values())) == len(legend)


def all_panels(report) -> list[tuple[str, dict[str, str]]]:
    """Each "All Categories" panel of a built report: its title and its legend (entry -> colour)."""
    out = []
    for panel in report.figures["heatmaps"].spec["concat"]:
        title = panel["title"]["text"] if isinstance(panel["title"], dict) else panel["title"]
        if title.startswith("All Categories"):
            scale = panel["layer"][1]["encoding"]["color"]["scale"]
            out.append((title, dict(zip(scale["domain"], scale["range"]))))
    return out


def test_twenty_categories_take_two_colour_groups_each_legend_with_its_own_colours():
    names = [f"category {i:02d}" for i in range(20)]
    rows = [(layer, head, names[(layer + head) % 20]) for layer in range(20) for head in range(8)]
    rows += [(0, 0, names[1]), (0, 0, names[2]), (1, 1, names[5])]  # heads in 3 and 2 categories
    panels = all_panels(reporter.build(long_table(rows), layers=20, heads=8, formats=()))
    assert [title for title, _ in panels] == ["All Categories, group 1 of 2", "All Categories, group 2 of 2"]
    first, second = (legend for _, legend in panels)
    assert list(first) == ["3 categories", "2 categories", *reversed(names[:10]), "Unclassified"]
    assert list(second) == ["3 categories", "2 categories", *reversed(names[10:]), "Unclassified"]
    for legend in (first, second):
        assert len(set(legend.values())) == len(legend)  # no colour twice within a panel's legend
    assert [first[n] for n in names[:4]] == ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]
    assert [second[n] for n in names[10:14]] == ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]

"""Alt text and the data tables behind each figure, as the page carries them."""

from __future__ import annotations

import pandas as pd
from bs4 import BeautifulSoup

from reporter.report import build


def page(small_table) -> tuple[BeautifulSoup, object]:
    report = build(small_table, layers=6, heads=4, formats=())
    return BeautifulSoup(report.to_html(), "html.parser"), report


def rows(table) -> list[list[str]]:
    return [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in table.select("tbody tr")]


def test_every_figure_has_alt_text_written_from_its_observations(small_table):
    soup, report = page(small_table)
    for slug in report.figures:
        label = soup.select_one(f"[data-figure='{slug}']")["aria-label"]
        # The visible caption says what the figure draws; the alt text adds the observations it shows.
        caption = soup.select_one(f"#fig-{slug} figcaption").get_text()
        assert label.startswith(caption) and not any(o.text in caption for o in report.observations)
        for obs in report.observations:
            if obs.figure == slug:
                assert obs.text in label
    # Too few heads to locate any category: the hedges and overlap findings belong to the heatmaps.
    assert [(o.id, o.figure) for o in report.observations] == [
        ("a-few", "heatmaps"), ("b-few", "heatmaps"), ("c-few", "heatmaps"),
        ("multi-category", "heatmaps"), ("top-pair", "heatmaps"), ("unclassified", "heatmaps")]
    heatmaps = soup.select_one("[data-figure='heatmaps']")["aria-label"]
    assert heatmaps == ("Heatmaps of 6 layers by 4 heads: All Categories, then one panel per category (A, B, C); "
                        "7 heads are classified. " + " ".join(o.text for o in report.observations))
    profile = soup.select_one("[data-figure='layer-profile']")["aria-label"]
    assert profile == ("Bars of heads per layer for each category (A, B, C); each category's core window "
                       "is shaded when its heads concentrate there and outlined when they do not.")


def test_layer_profile_alt_text_carries_its_concentration_finding():
    # 24 A heads fill layers 2-3 of a 6x12 model; B has one head in each layer, too few for a test.
    rows = [(layer, head, "A") for layer in (2, 3) for head in range(12)] + [(layer, 0, "B") for layer in range(6)]
    table = pd.DataFrame(rows, columns=["layer", "head", "category"])
    soup = BeautifulSoup(build(table, layers=6, heads=12, formats=()).to_html(), "html.parser")
    core = "A heads concentrate in layers 2–3: 24 of its 24 heads (100.0%) in 2 of the 6 layers (median layer 2.5)."
    assert soup.select_one("[data-figure='layer-profile']")["aria-label"] == (
        "Bars of heads per layer for each category (A, B); each category's core window is shaded when its heads "
        "concentrate there and outlined when they do not. " + core)
    # The heatmaps show the layer profile's findings too, followed by their own.
    assert soup.select_one("[data-figure='heatmaps']")["aria-label"].startswith(
        "Heatmaps of 6 layers by 12 heads: All Categories, then one panel per category (A, B); "
        "28 heads are classified. " + core + " All 6 B heads sit in layers 0–5: L0H0, L1H0, L2H0, L3H0, L4H0 and L5H0.")


def test_heatmap_data_table_lists_heads_per_layer(small_table):
    soup, _ = page(small_table)
    [table] = soup.select("#fig-heatmaps details.data-table table")
    assert [th.get_text() for th in table.select("thead th")] == ["layer", "A", "B", "C"]
    assert rows(table) == [
        ["1", "0, 1", "–", "–"], ["2", "0, 1", "0", "0"], ["3", "3", "–", "–"], ["4", "–", "2", "–"], ["5", "–", "3", "3"],
    ]


def test_overlap_data_tables(small_table):
    soup, _ = page(small_table)
    pairs, combos = soup.select("#fig-overlap details.data-table table")
    assert rows(pairs) == [
        ["A", "5 heads", "1 (J = 0.143)", "1 (J = 0.167)"],
        ["B", "1 (J = 0.143)", "3 heads", "2 (J = 0.667)"],
        ["C", "1 (J = 0.167)", "2 (J = 0.667)", "2 heads"],
    ]
    assert rows(combos) == [["B + C", "1"], ["A + B + C", "1"]]


def test_category_names_in_the_table_are_highlight_buttons(small_table):
    soup, _ = page(small_table)
    buttons = soup.select("#categories th[scope=row] button.pick")
    assert [(b["data-highlight"], b["aria-pressed"], b.get_text()) for b in buttons] == [
        ("A", "false", "A"), ("B", "false", "B"), ("C", "false", "C")]

"""Alt text and the data tables behind each figure, as the page carries them."""

from __future__ import annotations

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
        assert label == soup.select_one(f"#fig-{slug} figcaption").get_text()
        for obs in report.observations:
            if obs.figure == slug:
                assert obs.text in label
    profile = soup.select_one("[data-figure='layer-profile']")["aria-label"]
    assert profile.startswith("Bars of heads per layer for each category (A, B, C), each category's core window shaded. ")


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

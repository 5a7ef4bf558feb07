"""Figure `overlap`: its numbers against a table worked out by hand."""

from __future__ import annotations

import re

import pytest
import vl_convert as vlc

from bs4 import BeautifulSoup

from reporter.charts import build_figures
from reporter.report import build
from reporter.input.load import load
from reporter.options import Options
from reporter.analysis.summarize import Intersection, summarize


@pytest.fixture
def summary(small_table):
    """small_table: A = (1,0) (1,1) (2,0) (2,1) (3,3); B = (2,0) (4,2) (5,3); C = (2,0) (5,3)."""
    return summarize(load(small_table, Options(layers=6, heads=4)))


def test_exact_intersections_name_the_combinations(summary):
    # (2,0) is in A, B and C; (5,3) in B and C. Equal sizes: fewer categories first.
    assert summary.intersections == (Intersection(("B", "C"), 1), Intersection(("A", "B", "C"), 1))


def test_matrix_counts_and_jaccard_match_the_hand_made_table(summary):
    figure = build_figures(summary)["overlap"]
    cells = {(r["row"], r["col"]): (r["heads"], r["jaccard"]) for r in figure.datasets["overlap_matrix"]}
    assert cells == {
        ("A", "A"): (5, 1.0), ("B", "B"): (3, 1.0), ("C", "C"): (2, 1.0),
        ("A", "B"): (1, 0.1429), ("B", "A"): (1, 0.1429),  # 1 shared of 5 + 3 - 1 = 7
        ("A", "C"): (1, 0.1667), ("C", "A"): (1, 0.1667),  # 1 of 6
        ("B", "C"): (2, 0.6667), ("C", "B"): (2, 0.6667),  # 2 of 3
    }


def test_upset_columns_bars_and_dots(summary):
    figure = build_figures(summary)["overlap"]
    bars = [(r["k"], r["combination"], r["heads"], r["label"]) for r in figure.datasets["intersections"]]
    assert bars == [(0, "B + C", 1, "2 categories"), (1, "A + B + C", 1, "3 categories")]
    dots = {(r["k"], r["category"]) for r in figure.datasets["intersection_members"] if r["member"]}
    assert dots == {(0, "B"), (0, "C"), (1, "A"), (1, "B"), (1, "C")}
    spans = [(r["k"], r["first"], r["last"]) for r in figure.datasets["intersection_spans"]]
    assert spans == [(0, "B", "C"), (1, "A", "C")]


def test_rendered_matrix_shows_the_counts(summary):
    figure = build_figures(summary)["overlap"]
    svg = vlc.vegalite_to_svg(figure.full_spec())
    assert "Shared heads (Jaccard shading)" in svg and "Heads in exactly these categories" in svg
    texts = re.findall(r'<text[^>]*>([^<]*)</text>', svg)
    # Matrix row by row (A, B, C), then the bar labels of the two combinations.
    matrix = ["5", "1", "1", "1", "3", "2", "1", "2", "2"]
    assert any(texts[i:i + 9] == matrix for i in range(len(texts))), texts


def test_alt_text_states_the_top_pair_and_combinations(summary):
    figure = build_figures(summary)["overlap"]
    assert figure.alt_text == (
        "Overlap of categories. The pair sharing the most heads is B and C (2 heads, Jaccard 0.667). "
        "Heads in two or more categories, by exact combination: B + C: 1; A + B + C: 1."
    )


def test_no_multi_category_heads_replaces_the_figure_by_one_sentence(small_table):
    single = small_table.drop_duplicates(subset=["layer", "head"], keep="first")
    s = summarize(load(single, Options(layers=6, heads=4)))
    figure = build_figures(s)["overlap"]
    assert s.intersections == ()
    assert figure.datasets["intersections"] == []
    assert figure.stand_in == figure.alt_text == "Overlap of categories: no head belongs to two or more categories."
    assert not figure.drawn and figure.tables == ()
    report = build(single, layers=6, heads=4, formats=())
    assert "overlap" not in report.figure_sets()[""]
    soup = BeautifulSoup(report.to_html(), "html.parser")
    section = soup.select_one("#fig-overlap")
    assert section.select_one("p.stand-in").get_text() == figure.stand_in
    assert section.select_one("[data-figure]") is None and section.select_one("details") is None
    assert '"overlap_matrix"' not in soup.select_one("#report-data").get_text()

"""Text limits: set only when a name from the input could reach them, since each one costs a measurement."""

from __future__ import annotations

import json
import re

import pytest

from reporter.charts.theme import LIMITS, NO_LIMITS, ROOM_EM, config, fits
from reporter.diff_report import build_diff
from reporter.vega.export_helper import draw_svg
from reporter.report import build
from reporter.site import build_site


def limits_of(spec: dict) -> dict:
    """The limit settings of a spec's config, in the shape of LIMITS."""
    return {part: {key: spec["config"][part][key] for key in keys} for part, keys in LIMITS.items()}


def renamed(table, names: dict[str, str]):
    return table.assign(category=table["category"].replace(names))


def test_fits_counts_ems_by_character():
    # Room for 14.5 ems: narrow characters count 0.7, other Latin 1.1, anything else 2.
    assert fits("a" * 20) and not fits("a" * 21)
    assert fits("W" * 13) and not fits("W" * 14) and fits("m" * 13) and not fits("m" * 14)
    assert fits("翻" * 7) and not fits("翻" * 8)
    assert fits("Factual recall") and fits("Unclassified") and fits("10 categories") and fits("Übersetzung")
    assert not fits("meta-llama/Meta-Llama-3.1-8B") and fits("")


def test_the_room_is_the_tightest_limit_for_its_font_size():
    c = config(None)
    pairs = [(c["title"]["limit"], c["title"]["fontSize"]),
             (c["axis"]["titleLimit"], c["axis"]["titleFontSize"]), (c["axis"]["labelLimit"], c["axis"]["labelFontSize"]),
             (c["legend"]["titleLimit"], c["legend"]["titleFontSize"]), (c["legend"]["labelLimit"], c["legend"]["labelFontSize"])]
    assert len(pairs) == sum(len(limits) for limits in LIMITS.values())
    assert ROOM_EM == min(limit / size for limit, size in pairs) == 160 / 11


def test_config_has_limits_for_unknown_or_long_names_and_none_for_short_ones():
    assert limits_of({"config": config()}) == LIMITS
    assert limits_of({"config": config(["Knowledge", "X" * 14])}) == LIMITS
    assert limits_of({"config": config(["Knowledge", "Translation"])}) == NO_LIMITS
    assert LIMITS == {"title": {"limit": 300}, "axis": {"titleLimit": 300, "labelLimit": 180},
                      "legend": {"titleLimit": 180, "labelLimit": 160}}


def test_short_names_draw_every_figure_without_limits(small_table):
    other = small_table[small_table["category"] != "C"]
    figures = [
        *build(small_table, layers=6, heads=4, kv_heads=2).figures.values(),
        *build_site([small_table, other], layers=6, heads=4).figures.values(),
        *build_diff(small_table, other, layers=6, heads=4).figures.values(),
    ]
    assert len(figures) == 9
    assert all(limits_of(f.spec) == NO_LIMITS for f in figures)


def test_a_long_category_name_puts_the_limits_in_every_figure(small_table):
    table = renamed(small_table, {"B": "a category name longer than a legend"})
    other = table[table["category"] != "C"]
    figures = [
        *build(table, layers=6, heads=4, kv_heads=2).figures.values(),
        *build_site([table, other], layers=6, heads=4).figures.values(),
        *build_diff(table, other, layers=6, heads=4).figures.values(),
    ]
    assert [limits_of(f.spec) == LIMITS for f in figures] == [True] * 9


def test_a_long_model_name_puts_the_limits_in_the_overview_only(small_table):
    other = small_table[small_table["category"] != "C"]
    site = build_site([small_table.assign(model="meta-llama/Meta-Llama-3.1-8B"), other.assign(model="gpt2-xl")],
                      layers=6, heads=4)
    assert [limits_of(f.spec) == LIMITS for f in site.figures.values()] == [True] * 3
    assert all(limits_of(f.spec) == NO_LIMITS for r in site.reports for f in r.figures.values())


def svg_texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


@pytest.mark.parametrize("name", ["@" * 13, "W" * 13, "d" * 20])
def test_a_name_that_fits_is_not_cut_by_the_limits_it_goes_without(small_table, name):
    # The widest names that fit: with every limit set back, vl-convert draws the same
    # SVG, whole names included. So leaving the limits out changes nothing drawn, only the time.
    drawn = {}
    for slug, figure in build(renamed(small_table, {"A": name}), layers=6, heads=4).figures.items():
        spec = figure.full_spec()
        assert limits_of(spec) == NO_LIMITS
        drawn[slug] = draw_svg(json.dumps(spec))
        assert draw_svg(json.dumps({**spec, "config": config(None)})) == drawn[slug]
    assert list(drawn) == ["heatmaps", "layer-profile", "overlap"]
    assert name in svg_texts(drawn["heatmaps"])  # a panel title and a legend label
    assert not any(t.endswith("…") for svg in drawn.values() for t in svg_texts(svg))


def test_a_long_name_is_cut_short_in_the_drawing(small_table):
    name = "a category name much longer than the legend's room"
    svg = draw_svg(build(renamed(small_table, {"A": name}), layers=6, heads=4).figures["heatmaps"].draw_json)
    assert name not in svg_texts(svg)
    assert any(t.endswith("…") and name.startswith(t[:-1]) for t in svg_texts(svg))

"""The palette rule (reporter/palette.py): far from the unclassified grey, a multi-category family, one colour per label.

ΔE here is CIE76 (ΔE*ab, Euclidean in CIELAB), the measure the rule is stated in: the reference figure's
four category colours are 53-90 from #e0e0e0 and Translation's old #aec7e8 was 21.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from colour_vision import ciede2000, hex_to_linear, lab
from reporter.charts.theme import dark_colors
from reporter.diff_report import build_diff
from reporter.palette import (CATEGORY_COLORS, DARK_UNCLASSIFIED_COLOR, DISTINCT, MIN_DELTA_E, MULTI_COLORS, REFERENCE,
                              UNCLASSIFIED, UNCLASSIFIED_COLOR, color_groups, colors_for, multi_label)
from reporter.report import build
from reporter.site import build_site

REFERENCE_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]


def delta_e76(a: str, b: str) -> float:
    """CIE76 ΔE*ab between two hex colours."""
    return float(np.linalg.norm(lab(hex_to_linear(a)) - lab(hex_to_linear(b))))


def delta_e00(a: str, b: str) -> float:
    """CIEDE2000 between two hex colours."""
    return ciede2000(lab(hex_to_linear(a)), lab(hex_to_linear(b)))


def names(n: int) -> tuple[str, ...]:
    """``n`` category names that are not reference names."""
    return tuple(f"category {i:02d}" for i in range(n))


@pytest.mark.parametrize("n", [4, 10, 20, 30])
def test_every_category_colour_is_far_from_the_unclassified_grey_in_light_dark_and_exports(n):
    colors = colors_for(names(n))
    dark = dark_colors()[UNCLASSIFIED_COLOR]  # the colour the page swaps the grey for in dark mode
    assert dark == DARK_UNCLASSIFIED_COLOR
    for name in names(n):
        assert delta_e76(colors[name], UNCLASSIFIED_COLOR) >= MIN_DELTA_E, name  # light mode and exports
        assert delta_e76(colors[name], dark) >= MIN_DELTA_E, name  # dark mode
    # The reference figure's colours are what the rule is measured against: all of them pass it.
    assert min(delta_e76(c, UNCLASSIFIED_COLOR) for c in REFERENCE_COLORS) == pytest.approx(57.0, abs=0.1)


@pytest.mark.parametrize("n", [4, 10, 20, 30])
def test_no_panel_shows_one_colour_twice_and_no_category_resembles_the_multi_category_family(n):
    colors = colors_for(names(n))
    groups = color_groups(names(n))
    assert [len(g) for g in groups] == [min(DISTINCT, n - i) for i in range(0, n, DISTINCT)]
    for group in groups:
        shown = [colors[c] for c in group]
        assert len(set(shown)) == len(shown)
        assert min((delta_e00(a, b) for i, a in enumerate(shown) for b in shown[i + 1:]), default=99) > 13
    multi = [colors[multi_label(k)] for k in range(2, min(n, 6) + 1)]
    assert multi[:3] == ["#9467bd", "#8c564b", "#e377c2"]  # the reference's "2/3/4 categories"
    assert min(delta_e00(c, m) for c in CATEGORY_COLORS for m in MULTI_COLORS) > 16
    assert not set(CATEGORY_COLORS) & set(MULTI_COLORS)


def test_a_colour_follows_its_label_not_the_number_of_labels():
    # "2 categories" was red beside three categories and purple beside four; now it is fixed by k.
    assert {colors_for(names(n))[multi_label(2)] for n in (2, 3, 4, 10)} == {"#9467bd"}
    # Reference names keep their reference colour whichever others are present.
    assert colors_for(("Algorithmic", "Knowledge", "Linguistic"))["Linguistic"] == "#2ca02c"
    assert colors_for(("Translation", "Other"))["Translation"] == "#d62728"
    assert colors_for(("Translation", "Other"))["Other"] == colors_for(tuple(REFERENCE) + ("Other",))["Other"]
    assert [colors_for(REFERENCE)[c] for c in REFERENCE] == REFERENCE_COLORS
    assert colors_for(names(3))[UNCLASSIFIED] == UNCLASSIFIED_COLOR


def label_colors(node, out: dict[str, set[str]]) -> dict[str, set[str]]:
    """Every label -> colour pair a spec's colour scales name (domain and range side by side)."""
    if isinstance(node, dict):
        scale = node.get("scale") if isinstance(node.get("scale"), dict) else {}
        domain, range_ = scale.get("domain"), scale.get("range")
        if isinstance(domain, list) and isinstance(range_, list) and all(isinstance(c, str) and c.startswith("#") for c in range_):
            for label, color in zip(domain, range_):
                if isinstance(label, str):  # a count's shading has numbers for a domain
                    out.setdefault(label, set()).add(color)
        for value in node.values():
            label_colors(value, out)
    elif isinstance(node, list):
        for value in node:
            label_colors(value, out)
    return out


def page_colors(product, html: str, into: dict[str, set[str]]) -> None:
    """The colours a product's figures, summary and highlight swatches give each label."""
    for figure in product.figures.values():
        label_colors(figure.spec, into)
    soup = BeautifulSoup(html, "html.parser")
    for button in soup.select("button.pick[data-highlight]"):
        swatch = button.select_one(".swatch")
        if swatch is not None and button["data-highlight"]:
            into.setdefault(button["data-highlight"], set()).add(re.search(r"#[0-9a-f]{6}", swatch["style"]).group(0))


def two_models() -> pd.DataFrame:
    """P has Algorithmic, Knowledge, Retrieval and heads in 2 and 3 categories; Q lacks Knowledge and has none in 3."""
    rows = [("P", 0, 0, "Retrieval"), ("P", 1, 0, "Algorithmic"), ("P", 2, 1, "Knowledge"), ("P", 3, 1, "Knowledge"),
            ("P", 3, 1, "Algorithmic"), ("P", 4, 2, "Algorithmic"), ("P", 4, 2, "Knowledge"), ("P", 4, 2, "Retrieval"),
            ("Q", 0, 0, "Algorithmic"), ("Q", 1, 1, "Retrieval"), ("Q", 2, 2, "Retrieval"), ("Q", 2, 2, "Algorithmic")]
    return pd.DataFrame(rows, columns=["model", "layer", "head", "category"])


def test_one_colour_per_label_on_every_page_of_a_site_in_a_diff_and_in_a_single_model_build():
    table = two_models()
    site = build_site([table], layers=6, heads=4, formats=())
    seen: dict[str, set[str]] = {}
    for report in site.reports:
        page_colors(report, report.to_html(), seen)
        for c in report.summary["categories"]:
            seen.setdefault(c["name"], set()).add(c["color"])
    label_colors({name: figure.spec for name, figure in site.figures.items()}, seen)
    q_alone = table[table["model"] == "Q"].drop(columns="model")  # Q built on its own: no Knowledge at all
    single = build(q_alone, layers=6, heads=4, formats=())
    assert single.table.categories == ("Algorithmic", "Retrieval")
    page_colors(single, single.to_html(), seen)
    p_alone = table[table["model"] == "P"].drop(columns="model")
    diff = build_diff(p_alone, q_alone, layers=6, heads=4, formats=())
    for c in diff.diff.categories:
        seen.setdefault(c.name, set()).add(c.color)
    assert {label: sorted(colors) for label, colors in seen.items() if label in (*REFERENCE, "Retrieval", "Unclassified")
            or label.endswith("categories")} == {
        "Algorithmic": ["#1f77b4"], "Knowledge": ["#ff7f0e"], "Retrieval": ["#bcbd22"],
        "2 categories": ["#9467bd"], "3 categories": ["#8c564b"], "Unclassified": ["#e0e0e0"]}


def test_past_ten_categories_all_categories_splits_into_colour_groups(tmp_path):
    many = names(12)
    rows = [(i, 0, name) for i, name in enumerate(many)] + [(0, 1, many[0]), (0, 1, many[11])]
    report = build(pd.DataFrame(rows, columns=["layer", "head", "category"]), layers=12, heads=2, formats=())
    panels = report.figures["heatmaps"].spec["concat"]
    titles = [p["title"]["text"] if isinstance(p["title"], dict) else p["title"] for p in panels]
    assert titles[:2] == ["All Categories, group 1 of 2", "All Categories, group 2 of 2"] and titles[2:] == list(many)
    second = panels[1]["layer"][1]
    # The second group's panel holds heads of its own categories (c10, c11), and its legend names only them.
    assert {"filter": "datum.c10 === 1 || datum.c11 === 1"} in second["transform"]
    assert second["encoding"]["color"]["scale"]["domain"] == ["2 categories", many[11], many[10], "Unclassified"]
    assert report.figures["heatmaps"].spec["params"][0]["views"] == ["all_categories_cells", "all_categories_cells_2"]

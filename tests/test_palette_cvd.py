"""Do the category colours survive the common colour-vision deficiencies?

How: each legend colour is passed through Machado et al. (2009) severity-1.0
simulations of protanopia, deuteranopia and tritanopia (tests/colour_vision.py),
and every pair is compared with CIEDE2000. A pair closer than CLOSE (ΔE00 < 10,
"same colour at a glance" on small heatmap cells) counts as confusable.

Result: category10 is mandated, and under simulation some pairs do collide
(Knowledge/Linguistic and "2 categories"/Algorithmic for protanopia,
Linguistic/Translation for deuteranopia, ...). The report does not rely on hue for
those: every category has its own panel, and every legend label has a
highlight button that dims everything else in every figure. The tests pin the
confusable set, so a palette change has to be looked at again.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from bs4 import BeautifulSoup

from colour_vision import ciede2000, difference
from reporter.palette import colors_for, legend_order
from reporter.report import build

CLOSE = 10.0
CATEGORIES = ("Algorithmic", "Knowledge", "Linguistic", "Translation")
DEFICIENCIES = ("protanopia", "deuteranopia", "tritanopia")


def close_pairs(kind: str) -> set[frozenset[str]]:
    """Legend label pairs closer than CLOSE under ``kind``."""
    colors = colors_for(CATEGORIES)
    labels = legend_order(CATEGORIES)
    return {frozenset((a, b)) for a, b in combinations(labels, 2) if difference(colors[a], colors[b], kind) < CLOSE}


def test_ciede2000_matches_the_published_test_data():
    # Sharma, Wu & Dalal (2005), pairs 1 and 17.
    assert round(ciede2000(np.array([50, 2.6772, -79.7751]), np.array([50, 0, -82.7485])), 4) == 2.0425
    assert round(ciede2000(np.array([50, 2.5, 0]), np.array([73, 25, -18])), 4) == 27.1492


def test_reference_colours_are_mandated():
    colors = colors_for(CATEGORIES)
    assert [colors[c] for c in CATEGORIES] == ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]


def test_all_legend_colours_are_distinct_for_typical_vision():
    assert close_pairs("normal") == set()


def test_confusable_pairs_under_simulation_are_the_known_ones():
    found = {kind: close_pairs(kind) for kind in DEFICIENCIES}
    assert found == {
        "protanopia": {frozenset(p) for p in [("Knowledge", "Linguistic"), ("2 categories", "Algorithmic"),
                                              ("4 categories", "Algorithmic"), ("3 categories", "Translation")]},
        "deuteranopia": {frozenset(p) for p in [("Linguistic", "Translation"), ("2 categories", "Algorithmic")]},
        "tritanopia": {frozenset(("4 categories", "Knowledge"))},
    }
    # Every category stays apart from the light-gray background under every simulation.
    colors = colors_for(CATEGORIES)
    for kind in DEFICIENCIES:
        assert min(difference(colors[c], colors["Unclassified"], kind) for c in CATEGORIES) > 2 * CLOSE


def test_confusable_labels_have_a_route_that_is_not_hue(small_table):
    """Each confusable label has a highlight button; each category its own panel."""
    table = small_table.replace({"category": {"A": "Algorithmic", "B": "Knowledge", "C": "Linguistic"}})
    # Heads in 2 (5, 3), 3 (4, 2) and 4 (2, 0) categories: a button exists only for a label some head has.
    for row in [(0, 0, "Translation"), (2, 0, "Translation"), (4, 2, "Algorithmic"), (4, 2, "Linguistic")]:
        table.loc[len(table)] = row
    report = build(table, layers=6, heads=4, formats=())
    soup = BeautifulSoup(report.to_html(), "html.parser")
    buttons = {b["data-highlight"] for b in soup.select("#controls button.pick")}
    confusable = set().union(*(set().union(*close_pairs(kind)) for kind in DEFICIENCIES))
    assert confusable <= buttons
    panels = [c["title"]["text"] if isinstance(c["title"], dict) else c["title"] for c in report.figures["heatmaps"].spec["concat"]]
    assert panels == ["All Categories", *CATEGORIES]

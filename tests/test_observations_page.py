"""Observations on the page and in summary.json: same words, same order, links to figures that exist."""

from __future__ import annotations

import json

import pandas as pd
from bs4 import BeautifulSoup

import reporter

DESIGN_CATEGORY_FIELDS = {"name", "color", "heads", "share_of_heads", "layer_median", "layer_q1", "layer_q3",
                          "core_layers", "core_share"}
ADDED_CATEGORY_FIELDS = {"depth_position", "depth_third", "core_width", "spread", "half_layers", "half_share",
                         "uniform_p", "ks_p", "chi2_p", "core_p"}


def two_blocks() -> pd.DataFrame:
    """Early: 6 heads in each of layers 2-6; Late: 6 heads in each of layers 20-24 (30 x 12 model)."""
    rows = [(layer, head, "Early") for layer in range(2, 7) for head in range(6)]
    rows += [(layer, head, "Late") for layer in range(20, 25) for head in range(6, 12)]
    return pd.DataFrame(rows, columns=["layer", "head", "category"])


def test_page_lists_every_observation_in_order_with_a_link_to_an_existing_figure():
    report = reporter.build(two_blocks(), layers=30, heads=12, formats=())
    soup = BeautifulSoup(report.to_html(), "html.parser")
    items = soup.select("ol.observations > li")
    observations = report.summary["observations"]
    assert [li["id"] for li in items] == [f"obs-{o['id']}" for o in observations]
    assert [li["data-kind"] for li in items] == [o["kind"] for o in observations]
    for li, o in zip(items, observations):
        link = li.select_one("a.see")
        assert li.get_text(" ", strip=True) == f"{o['text']} see figure"
        assert link["href"] == f"#fig-{o['figure']}"
        assert soup.select_one(f"figure#fig-{o['figure']}") is not None
    assert items[0].get_text(" ", strip=True).startswith("Early heads sit in layers 2–6 only (all 30, in 5 of the 30 layers")
    assert ("Late heads sit later than Early heads: median layer 22 against 4; every Late head sits later than every "
            "Early head." in [o["text"] for o in observations])


def test_summary_json_keeps_design_fields_and_adds_statistics_beside_them():
    report = reporter.build(two_blocks(), layers=30, heads=12, formats=())
    doc = json.loads(json.dumps(report.summary))
    assert {"heads", "classified", "unclassified", "multi_category"} <= set(doc["totals"])
    assert doc["totals"]["by_n_categories"] == [{"n_categories": 1, "heads": 60}]
    assert doc["totals"]["unclassified_share"] == round(300 / 360, 4)
    for c in doc["categories"]:
        assert DESIGN_CATEGORY_FIELDS | ADDED_CATEGORY_FIELDS <= set(c)
    early = doc["categories"][0]
    assert early["depth_position"] == round(4 / 29, 4) and early["depth_third"] == "early"
    assert early["core_width"] == 4 and early["spread"] == round(4 / 30, 4)
    assert early["half_layers"] == [2, 4] and early["half_share"] == 0.6
    assert doc["method"]["alpha"] == 0.01 and doc["method"]["min_heads"] == 10
    assert doc["comparisons"][0]["categories"] == ["Early", "Late"]
    assert doc["comparisons"][0]["later"] == "Late" and doc["comparisons"][0]["median_difference"] == 18.0
    for o in doc["observations"]:
        assert set(o) == {"id", "kind", "category", "layers", "figure", "text", "evidence"}
        assert o["kind"] in {"concentration", "comparison", "sparsity", "overlap", "unclassified"}

"""summary.json numbers on a small hand-made table (see conftest.small_table for the layout)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import reporter
from reporter.analysis.summarize import core_window


@pytest.fixture
def summary(small_table, tmp_path) -> dict:
    out = tmp_path / "site"
    reporter.build(small_table, layers=6, heads=4, formats=()).save(out)
    return json.loads((out / "data" / "summary.json").read_text())


def test_model_and_totals(summary):
    assert summary["schema_version"] == 1
    assert summary["model"] == {"name": None, "n_layers": 6, "n_heads": 4, "shape_source": "flag"}
    # 7 distinct heads carry a category; (2,0) is in A, B, C and (5,3) in B, C.
    assert summary["totals"] == {
        "heads": 24, "classified": 7, "unclassified": 17, "multi_category": 2,
        "unclassified_share": round(17 / 24, 4),
        # (2,0) is in three categories, (5,3) in two, the other five in one.
        "by_n_categories": [
            {"n_categories": 1, "heads": 5}, {"n_categories": 2, "heads": 1}, {"n_categories": 3, "heads": 1},
        ],
    }


def test_category_statistics(summary):
    a, b, c = summary["categories"]
    design_keys = ("name", "color", "heads", "share_of_heads", "layer_median", "layer_q1", "layer_q3",
                   "core_layers", "core_share", "shared_heads")
    # A: layers 1,1,2,2,3 -> median 2, quartiles 1 and 2; 4 of 5 heads (80%) in layers 1-2.
    assert {k: a[k] for k in design_keys} == {
        "name": "A", "color": "#1f77b4", "heads": 5, "share_of_heads": round(5 / 24, 4),
        "layer_median": 2.0, "layer_q1": 1.0, "layer_q3": 2.0,
        "core_layers": [1, 2], "core_share": 0.8, "shared_heads": 1,
    }
    # B: layers 2,4,5 -> needs all 3 heads, so layers 2-5.
    assert (b["heads"], b["layer_median"], b["layer_q1"], b["layer_q3"]) == (3, 4.0, 3.0, 4.5)
    assert (b["core_layers"], b["core_share"], b["shared_heads"]) == ([2, 5], 1.0, 2)
    assert (c["heads"], c["layer_median"], c["core_layers"], c["shared_heads"]) == (2, 3.5, [2, 5], 2)
    assert [x["color"] for x in (a, b, c)] == ["#1f77b4", "#ff7f0e", "#2ca02c"]


def test_fields_added_for_layer_ranges_clusters_and_depth_order(summary):
    a, b, c = summary["categories"]
    assert (a["first_layer"], a["last_layer"], b["first_layer"], b["last_layer"]) == (1, 3, 2, 5)
    # Below ten heads no cluster test runs: one cluster, the category's whole range.
    assert a["clusters"] == [{"layers": [1, 3], "heads": 5, "share": 1.0}]
    assert summary["depth_order"] == [{"categories": ["A", "B", "C"], "spans": [[1, 3], [2, 5], [2, 5]]}]
    # Layer 0 alone holds no classified head: one layer of six, not a large empty range.
    assert summary["empty_region"]["layers"] == [0, 0] and summary["empty_region"]["clear"] is False
    assert all(comp["reason"] == "too few heads" for comp in summary["comparisons"])
    assert (summary["kv_groups"], summary["top_heads"], summary["robustness"]) == (None, [], None)
    assert summary["method"]["min_heads"] == 10 and summary["method"]["min_cluster_share"] == 0.1


def test_pair_overlaps(summary):
    assert summary["overlaps"] == [
        {"categories": ["A", "B"], "heads": 1, "jaccard": round(1 / 7, 4)},
        {"categories": ["A", "C"], "heads": 1, "jaccard": round(1 / 6, 4)},
        {"categories": ["B", "C"], "heads": 2, "jaccard": round(2 / 3, 4)},
    ]


def test_heads_csv_lists_every_head(small_table, tmp_path):
    out = tmp_path / "site"
    reporter.build(small_table, layers=6, heads=4, formats=()).save(out)
    lines = (out / "data" / "heads.csv").read_text().splitlines()
    assert lines[0] == "layer,head,categories,n_categories,label"
    assert len(lines) == 1 + 24
    assert "2,0,\"A, B, C\",3,3 categories" in lines
    assert "5,3,\"B, C\",2,2 categories" in lines
    assert "0,0,,0,Unclassified" in lines
    assert "3,3,A,1,A" in lines


@pytest.mark.parametrize(
    "counts, expected",
    [
        ([0, 2, 2, 1, 0, 0], (1, 2)),
        ([5, 0, 0, 0, 5], (0, 4)),  # 80% of 10 needs 8 heads: both ends
        ([1, 1, 1, 1, 1], (0, 3)),  # ties on width and heads go to the earliest window
        ([1, 4, 0, 4, 1], (1, 3)),  # the middle three layers hold exactly 8 of 10
        ([0, 0, 7], (2, 2)),
    ],
)
def test_core_window(counts, expected):
    assert core_window(np.array(counts)) == expected


def test_core_window_prefers_more_heads_on_equal_width():
    # 11 heads need 9: no 3-layer window does; [0,3] holds 9 and [1,4] holds 10, so the later one wins.
    assert core_window(np.array([1, 4, 0, 4, 2])) == (1, 4)
    # 10 heads need 8: [1,3] and [2,4] both hold 8 in 3 layers, so the earlier one wins.
    assert core_window(np.array([0, 2, 3, 3, 2])) == (1, 3)


def test_empty_category_appears_with_nulls(tmp_path):
    from reporter.input.load import load
    from reporter.options import Options
    from reporter.analysis.summarize import summarize
    from reporter.output.summary_json import summary_dict
    from reporter.input.table import HeadTable

    base = load(__import__("conftest").long_table([(0, 0, "A")]), Options(layers=2, heads=2))
    table = HeadTable(base.memberships, ("A", "Empty"), 2, 2, "flag")
    doc = summary_dict(summarize(table), [])
    empty = doc["categories"][1]
    assert empty["heads"] == 0
    assert [empty[k] for k in ("layer_median", "layer_q1", "layer_q3", "core_layers", "core_share")] == [None] * 5

"""Grouped-query view: --kv-heads, the permutation test, its observation and figure."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from reporter.errors import UsageError
from reporter.analysis.kv_groups import PERMUTATIONS, clustering, group_size
from reporter.input.load import load
from reporter.observe.kv_groups import kv_observations
from reporter.options import Options
from reporter.report import build
from reporter.analysis.summarize import summarize


def grouped_table() -> pd.DataFrame:
    """8 layers x 8 heads. X: heads 0-3 in every layer (all in KV group 0 of 2). Y: heads 0 and 4 (one per group)."""
    rows = [(layer, head, "X") for layer in range(8) for head in range(4)]
    rows += [(layer, head, "Y") for layer in range(8) for head in (0, 4)]
    return pd.DataFrame(rows, columns=["layer", "head", "category"])


def test_group_size_rejects_a_count_that_does_not_divide_the_heads():
    assert group_size(64, 8) == 8
    with pytest.raises(UsageError, match=r"^--kv-heads 5 does not divide the 64 heads per layer; .*e\.g\. 16\)$"):
        group_size(64, 5)


def test_permutation_test_finds_clustering_and_its_absence():
    x, y = clustering(load(grouped_table(), Options(layers=8, heads=8)), 2)
    # X: 4 heads of one group per layer -> C(4,2) = 6 pairs x 8 layers. No shuffle reaches 48.
    assert (x.category, x.heads, x.pairs, x.p_value, x.clusters) == ("X", 32, 48, 1 / (PERMUTATIONS + 1), True)
    # Chance: 6 pairs x P(same group) = 6 x 3/7 per layer.
    assert x.expected == pytest.approx(8 * 6 * 3 / 7, rel=0.05)
    # Y: one head per group -> no pair; every shuffle has as many or more.
    assert (y.pairs, y.p_value, y.clusters) == (0, 1.0, False)


def test_same_input_same_p_values():
    a = load(grouped_table(), Options(layers=8, heads=8))
    b = load(grouped_table(), Options(layers=8, heads=8))
    assert a is not b and clustering(a, 2) == clustering(b, 2)


def test_observation_names_the_clustering_category():
    s = summarize(load(grouped_table(), Options(layers=8, heads=8)), 2)
    [obs] = kv_observations(s)
    assert (obs.id, obs.kind, obs.figure) == ("kv-groups", "concentration", "kv-groups")
    assert obs.text.startswith(
        "With 2 KV groups of 4 heads, heads cluster within KV groups for X (48 same-group pairs vs "
    )
    # No shuffle reached 48 pairs: the p-value is at its floor, 1 / 2001.
    assert obs.text.endswith("p ≤ 0.0005); permutation test, 2,000 shuffles within layers.")
    assert obs.evidence["categories"]["Y"] == {"pairs": 0, "expected": obs.evidence["categories"]["Y"]["expected"],
                                               "p_value": 1.0}
    assert kv_observations(summarize(load(grouped_table(), Options(layers=8, heads=8)))) == []


def test_several_clustering_categories_are_listed_with_and():
    # Z: heads 4-7 in every layer, all in KV group 1: clusters like X.
    table = pd.concat([grouped_table(), pd.DataFrame([(layer, head, "Z") for layer in range(8) for head in range(4, 8)],
                                                     columns=["layer", "head", "category"])])
    [obs] = kv_observations(summarize(load(table, Options(layers=8, heads=8)), 2))
    floor = "p ≤ 0.0005"
    assert "for X (48 same-group pairs vs " in obs.text and f", {floor}) and Z (48 same-group pairs vs " in obs.text
    assert obs.text.endswith(f"{floor}); permutation test, 2,000 shuffles within layers.")


def test_too_few_heads_are_not_tested(small_table):
    s = summarize(load(small_table, Options(layers=6, heads=4)), 2)
    [obs] = kv_observations(s)
    assert obs.text == "With 2 KV groups of 2 heads, no category has the 10 heads needed to test whether it clusters within KV groups."


def test_cli_builds_the_grouped_query_view(cli, tmp_path):
    table = tmp_path / "heads.csv"
    grouped_table().to_csv(table, index=False)
    out = tmp_path / "site"
    done = cli("build", str(table), "--layers", "8", "--heads", "8", "--kv-heads", "2", "-o", str(out), "--formats", "")
    assert done.returncode == 0, done.stderr
    soup = BeautifulSoup((out / "index.html").read_text(), "html.parser")
    assert soup.select_one("#fig-kv-groups-title").get_text() == "Grouped-query view: 2 KV groups of 4 heads"
    assert soup.select_one("#obs-kv-groups a.see")["href"] == "#fig-kv-groups"
    rows = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in soup.select("#fig-kv-groups table.data tbody tr")]
    assert [r[:2] for r in rows] == [["X", "48"], ["Y", "0"]]
    summary = json.loads((out / "data" / "summary.json").read_text())
    assert [o["id"] for o in summary["observations"]][-1] == "kv-groups"


def test_cli_rejects_kv_heads_that_do_not_divide(cli, tmp_path):
    table = tmp_path / "heads.csv"
    grouped_table().to_csv(table, index=False)
    out = tmp_path / "site"
    done = cli("build", str(table), "--layers", "8", "--heads", "8", "--kv-heads", "3", "-o", str(out))
    assert done.returncode == 2
    assert done.stderr == ("reporter: error: --kv-heads 3 does not divide the 8 heads per layer; give the model's "
                           "number of key/value heads (a divisor of 8, e.g. 2)\n")
    assert not out.exists()


def test_no_kv_heads_no_grouped_view(small_table):
    report = build(small_table, layers=6, heads=4, formats=())
    assert "kv-groups" not in report.figures
    assert all(o.id != "kv-groups" for o in report.observations)


def test_api_rejects_a_non_integer_kv_heads(small_table):
    with pytest.raises(UsageError, match=r"^--kv-heads must be a positive whole number, got 2\.5$"):
        build(small_table, layers=6, heads=4, kv_heads=2.5)


def test_grouped_query_view_ticks_stop_at_the_last_head_and_its_legend_keeps_unclassified():
    from reporter.charts.kv_groups import group_ticks

    rows = [(layer, head, "A" if head % 8 < 4 else "B") for layer in range(0, 80, 2) for head in range(0, 64, 3)]
    report = build(pd.DataFrame(rows, columns=["layer", "head", "category"]), layers=80, heads=64, kv_heads=8,
                   formats=())
    spec = report.figures["kv-groups"].spec
    grid, pairs = spec["concat"]
    cells = grid["layer"][1]["encoding"]
    assert cells["y"]["axis"]["values"] == group_ticks(64, 8) == [0, 8, 16, 24, 32, 40, 48, 56]
    assert cells["color"]["legend"]["values"][-1] == "Unclassified"
    # The chance tick and the bars share an axis that holds both.
    stats = report.figures["kv-groups"].datasets["kv_clustering"]
    top = pairs["layer"][0]["encoding"]["x"]["scale"]["domain"][1]
    assert top >= max(max(r["pairs"], r["expected"]) for r in stats)
    assert pairs["layer"][1]["encoding"]["x"]["scale"]["domain"][1] == top
    assert spec["usermeta"]["fit"]["kind"] == "grid" and spec["columns"] == 2

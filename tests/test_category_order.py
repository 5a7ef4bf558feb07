"""Category order (reporter/input/order.py): the input's order, else the reference order, else alphabetical."""

from __future__ import annotations

import json

import pandas as pd
from bs4 import BeautifulSoup

from reporter.input.shapes.order import default_order
from reporter.report import build

# The IOI circuit (Wang et al. 2022) as its authors list it, GPT-2 small 12x12: no head is in two classes.
IOI = ("Duplicate Token", "Previous Token", "Induction", "S-Inhibition", "Name Mover")
IOI_HEADS = {"Duplicate Token": [(0, 1), (3, 0)], "Previous Token": [(2, 2), (4, 11)],
             "Induction": [(5, 5), (6, 9)], "S-Inhibition": [(7, 3), (7, 9), (8, 6)], "Name Mover": [(9, 9), (10, 0)]}


def ioi_table() -> pd.DataFrame:
    """The IOI heads, one row per membership, listed class by class in the circuit's order."""
    rows = [(layer, head, name) for name in IOI for layer, head in IOI_HEADS[name]]
    return pd.DataFrame(rows, columns=["layer", "head", "category"])


def test_an_ioi_ordered_input_keeps_its_order_in_panels_legend_tables_and_buttons(tmp_path):
    report = build(ioi_table(), layers=12, heads=12, formats=())
    assert report.table.categories == IOI
    heatmaps = report.figures["heatmaps"].spec
    titles = [p["title"]["text"] if isinstance(p["title"], dict) else p["title"] for p in heatmaps["concat"]]
    assert titles == ["All Categories", *IOI]
    # The legend stacks categories in reverse panel order, as the reference does; no head is in two
    # categories, so no "k categories" entry.
    legend = heatmaps["concat"][0]["layer"][1]["encoding"]["color"]["scale"]["domain"]
    assert legend == [*reversed(IOI), "Unclassified"]
    profile = report.figures["layer-profile"].spec["concat"]
    assert [row["title"]["text"] for row in profile] == list(IOI)
    assert report.figures["heatmaps"].tables[0].columns == ("layer", *IOI)
    soup = BeautifulSoup(report.to_html(), "html.parser")
    assert [b["data-highlight"] for b in soup.select("#controls button.pick")] == [*IOI, ""]
    assert [b["data-highlight"] for b in soup.select("#categories th[scope=row] button.pick")] == list(IOI)
    assert [c["name"] for c in report.summary["categories"]] == list(IOI)


def test_rows_sorted_by_layer_give_the_order_of_first_appearance():
    table = ioi_table().sort_values(["layer", "head"]).iloc[::-1]  # last layer first: Name Mover leads
    report = build(table, layers=12, heads=12, formats=())
    assert report.table.categories == ("Name Mover", "S-Inhibition", "Induction", "Previous Token", "Duplicate Token")


def test_category_order_puts_the_named_ones_first_and_keeps_the_rest(cli, tmp_path):
    path = tmp_path / "ioi.csv"
    ioi_table().to_csv(path, index=False)
    result = cli("build", str(path), "-o", str(tmp_path / "site"), "--formats", "", "--layers", "12", "--heads", "12",
                 "--category-order", "Name Mover,Induction")
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "site" / "data" / "summary.json").read_text())
    assert [c["name"] for c in summary["categories"]] == [
        "Name Mover", "Induction", "Duplicate Token", "Previous Token", "S-Inhibition"]
    bad = cli("build", str(path), "-o", str(tmp_path / "bad"), "--category-order", "Name Movers")
    assert bad.returncode == 2 and not (tmp_path / "bad").exists()
    assert bad.stderr.strip().splitlines()[-1] == (
        "reporter: error: --category-order names 'Name Movers', which the table does not have (it has: "
        "Duplicate Token, Induction, Name Mover, Previous Token, S-Inhibition)")


def test_reference_names_take_the_reference_order_whatever_order_the_rows_are_in():
    # The MAPS scores table lists Linguistic first because its rows run by relation name.
    rows = [(5, 0, "Linguistic"), (1, 1, "Knowledge"), (2, 2, "Algorithmic"), (3, 3, "Translation")]
    report = build(pd.DataFrame(rows, columns=["layer", "head", "category"]), layers=6, heads=4, formats=())
    assert report.table.categories == ("Algorithmic", "Knowledge", "Linguistic", "Translation")


def test_without_an_order_reference_names_come_first_then_the_rest_alphabetically():
    assert default_order(["Zeta", "Knowledge", "Alpha", "Algorithmic"], ordered=False) == (
        "Algorithmic", "Knowledge", "Alpha", "Zeta")
    assert default_order(["Zeta", "Knowledge", "Alpha"], ordered=True) == ("Zeta", "Knowledge", "Alpha")


def test_a_category_map_gives_its_own_order_to_a_scores_table(tmp_path):
    scores = pd.DataFrame([(layer, head, rel, 0.1 + 0.1 * (layer == head))
                           for layer in range(4) for head in range(4) for rel in ("copy", "names", "prev")],
                          columns=["layer", "head", "relation", "score"])
    mapping = tmp_path / "map.csv"
    mapping.write_text("relation,category\nprev,Previous Token\nnames,Name Mover\ncopy,Duplicate Token\n")
    report = build(scores, category_map=str(mapping), threshold=0.15, layers=4, heads=4, formats=())
    assert report.table.categories == ("Previous Token", "Name Mover", "Duplicate Token")


def test_a_scores_tables_own_category_column_gives_no_order():
    # Rows run by relation ("a_names" first); the panels do not follow that, on any engine.
    scores = pd.DataFrame([(layer, head, rel, cat, 0.1 + 0.1 * (layer == head))
                           for rel, cat in (("a_names", "Name Mover"), ("b_prev", "Previous Token"), ("c", "Knowledge"))
                           for layer in range(4) for head in range(4)],
                          columns=["layer", "head", "relation", "category", "score"])
    report = build(scores, threshold=0.15, layers=4, heads=4, formats=())
    assert report.table.categories == ("Knowledge", "Name Mover", "Previous Token")

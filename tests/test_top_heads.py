"""Top heads per category and per relation, when the table carries scores."""

from __future__ import annotations

from dataclasses import replace

import altair as alt
import pandas as pd
from bs4 import BeautifulSoup

from reporter.input.load import load
from reporter.options import Options
from reporter.report import Report
from reporter.analysis.top_heads import TopHead, head_best_scores, relation_tops, top_heads


def scored_table(small_table, with_relations: bool = True):
    """small_table plus per-relation scores: A has relations r1, r2; B has r3; C none."""
    rows = [
        # layer, head, category, relation, score
        (1, 0, "A", "r1", 0.9), (1, 0, "A", "r1", 0.5),  # a repeated row (e.g. another prompt): max wins
        (1, 1, "A", "r1", 0.7), (2, 0, "A", "r2", 0.8), (2, 1, "A", "r2", 0.2), (3, 3, "A", "r2", 0.8),
        (1, 1, "A", "r2", 0.95),
        (2, 0, "B", "r3", 0.4), (4, 2, "B", "r3", 0.6),
    ]
    scores = pd.DataFrame(rows, columns=["layer", "head", "category", "relation", "score"])
    if not with_relations:
        scores = scores.drop(columns="relation")
    return replace(load(small_table, Options(layers=6, heads=4)), scores=scores)


def test_top_heads_rank_by_best_score_with_their_relations(small_table):
    table = scored_table(small_table)
    a, b = top_heads(table, n=3)
    assert a.category == "A"
    # (1,1) best in r2 (0.95) and in r1's top 3; ties at 0.8 go to the earlier layer.
    assert a.heads == (
        TopHead(1, 1, 0.95, ("r1", "r2")), TopHead(1, 0, 0.9, ("r1",)), TopHead(2, 0, 0.8, ("r2",)),
    )
    assert b.heads == (TopHead(4, 2, 0.6, ("r3",)), TopHead(2, 0, 0.4, ("r3",)))


def test_relation_breakdown(small_table):
    tops = relation_tops(scored_table(small_table), n=2)
    assert [(r.relation, r.category, [(h.layer, h.head, h.score) for h in r.heads]) for r in tops] == [
        ("r1", "A", [(1, 0, 0.9), (1, 1, 0.7)]),
        ("r2", "A", [(1, 1, 0.95), (2, 0, 0.8)]),
        ("r3", "B", [(4, 2, 0.6), (2, 0, 0.4)]),
    ]


def test_page_lists_top_heads_and_relations(small_table):
    report = Report.from_table(scored_table(small_table), Options(layers=6, heads=4, formats=()))
    soup = BeautifulSoup(report.to_html(), "html.parser")
    tables = soup.select("#top-heads table.top")
    assert [t.caption.get_text() for t in tables] == [
        "A: the 5 highest-scoring heads (relations: those in whose top list the head also sits)",
        "B: the 2 highest-scoring heads (relations: those in whose top list the head also sits)",
    ]
    rows = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in tables[0].select("tbody tr")]
    # Heads as L<layer>H<head>, scores to three decimals, no "in A" column when every head is in A.
    assert rows == [
        ["L1H1", "0.950", "r1, r2"], ["L1H0", "0.900", "r1"], ["L2H0", "0.800", "r2"],
        ["L3H3", "0.800", "r2"], ["L2H1", "0.200", "r2"],
    ]
    relations = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in soup.select("#relation-tops tbody tr")]
    assert relations[2] == ["r3", "B", "L4H2 (0.600), L2H0 (0.400)"]


def test_scores_without_relations_have_no_relation_column(small_table):
    report = Report.from_table(scored_table(small_table, with_relations=False), Options(layers=6, heads=4, formats=()))
    soup = BeautifulSoup(report.to_html(), "html.parser")
    assert [th.get_text() for th in soup.select("#top-heads table.top")[0].select("thead th")] == ["head", "score"]
    assert soup.select_one("#relation-tops") is None


def test_no_scores_no_section(small_table):
    report = Report.from_table(load(small_table, Options(layers=6, heads=4)), Options(layers=6, heads=4, formats=()))
    assert BeautifulSoup(report.to_html(), "html.parser").select_one("#top-heads") is None


def test_each_classified_head_gets_its_best_score_within_its_categories():
    rows = [  # relation, category, layer, head, score; threshold 0.5
        ("r1", "A", 0, 0, 0.9), ("r1", "A", 1, 1, 0.6), ("r1", "A", 3, 0, 0.1),
        ("r2", "A", 0, 0, 0.7), ("r2", "A", 1, 1, 0.65),
        ("r3", "B", 0, 0, 0.95), ("r3", "B", 2, 1, 0.55), ("r3", "B", 1, 1, 0.3),
    ]
    scores = pd.DataFrame(rows, columns=["relation", "category", "layer", "head", "score"])
    table = load(scores, Options(layers=4, heads=2, threshold=0.5))
    best = head_best_scores(table)
    assert best.to_dict("records") == [
        {"layer": 0, "head": 0, "score": 0.95, "relation": "r3"},
        {"layer": 1, "head": 1, "score": 0.65, "relation": "r2"},  # r3's 0.3 is not its category's: B left it out
        {"layer": 2, "head": 1, "score": 0.55, "relation": "r3"},
    ]
    report = Report.from_table(table, Options(layers=4, heads=2, threshold=0.5))
    heatmaps = report.figures["heatmaps"]
    assert [(r["layer"], r["head"], r["score"], r["relation"]) for r in heatmaps.datasets["heads"]] == [
        (0, 0, 0.95, "r3"), (1, 1, 0.65, "r2"), (2, 1, 0.55, "r3")]
    cells = heatmaps.spec["concat"][0]["layer"][1]
    assert [(t["field"], t["title"]) for t in cells["encoding"]["tooltip"]] == [
        ("layer", "layer"), ("head", "head"), ("categories", "categories"),
        ("score", "best score"), ("relation", "best relation")]
    alt.Root.validate(heatmaps.full_spec())


def test_without_scores_heads_carry_no_score_and_tooltips_none(small_table):
    report = Report.from_table(load(small_table, Options(layers=6, heads=4)), Options(layers=6, heads=4))
    heatmaps = report.figures["heatmaps"]
    assert all("score" not in r for r in heatmaps.datasets["heads"])
    cells = heatmaps.spec["concat"][0]["layer"][1]
    assert [t["field"] for t in cells["encoding"]["tooltip"]] == ["layer", "head", "categories"]
    assert head_best_scores(report.table) is None


def test_a_score_column_without_relations_gives_the_score_alone(small_table):
    table = scored_table(small_table, with_relations=False)
    best = head_best_scores(table)
    assert list(best.columns) == ["layer", "head", "score"]
    assert best[(best["layer"] == 1) & (best["head"] == 1)]["score"].tolist() == [0.95]
    cells = Report.from_table(table, Options(layers=6, heads=4)).figures["heatmaps"].spec["concat"][0]["layer"][1]
    assert [t["field"] for t in cells["encoding"]["tooltip"]] == ["layer", "head", "categories", "score"]


def test_top_heads_mark_heads_the_rule_left_out_of_the_category(small_table):
    # (0, 0) has the best A score but is not an A member (the rule left it out): the table says so.
    table = scored_table(small_table)
    extra = pd.DataFrame([(0, 0, "A", "r1", 0.99)], columns=["layer", "head", "category", "relation", "score"])
    table = replace(table, scores=pd.concat([table.scores, extra], ignore_index=True))
    a = top_heads(table, n=3)[0]
    assert [(h.layer, h.head, h.in_category) for h in a.heads] == [(0, 0, False), (1, 1, True), (1, 0, True)]
    report = Report.from_table(table, Options(layers=6, heads=4, formats=()))
    soup = BeautifulSoup(report.to_html(), "html.parser")
    first = soup.select("#top-heads table.top")[0]
    assert first.caption.get_text() == ("A: the 6 highest-scoring heads, 5 of them in the category (the others score "
                                        "below the rule) (relations: those in whose top list the head also sits)")
    assert [c.get_text() for c in first.select("tbody tr")[0].find_all(["th", "td"])] == [
        "L0H0", "0.990", "no, below the rule", "r1"]
    assert [th.get_text() for th in first.select("thead th")] == ["head", "score", "in A", "relations"]
    top = report.summary["top_heads"][0]
    assert top["category"] == "A" and top["heads"][0] == {
        "layer": 0, "head": 0, "score": 0.99, "in_category": False, "relations": ["r1"]}

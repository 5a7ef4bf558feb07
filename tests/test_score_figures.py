"""Scores drawn and read: the score maps, the score distribution and the rule-free score observations."""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np
import pandas as pd

import reporter
from test_ranking import detector_table, tied_table


def detector() -> pd.DataFrame:
    """Three relations where previous_token has one head far above the rest and two relations share a top head."""
    rows = []
    for layer in range(4):
        for head in range(4):
            base = 0.01 * (layer * 4 + head)
            rows += [(layer, head, "previous_token", "Positional", 0.92 if (layer, head) == (1, 3) else base + 0.4),
                     (layer, head, "duplicate", "Induction", 0.27 if (layer, head) == (2, 1) else base / 2),
                     (layer, head, "induction", "Induction", 0.25 if (layer, head) == (2, 1) else base / 2 + 0.01)]
    return pd.DataFrame(rows, columns=["layer", "head", "relation", "category", "score"])


def observation(report, oid: str) -> dict:
    return next(o for o in report.summary["observations"] if o["id"] == oid)


def test_the_dominant_head_and_the_coinciding_top_heads_are_said_without_a_rule():
    report = reporter.build(detector(), formats="", top_k=2)
    # previous_token: 0.92 against 0.55 (L3H3: 0.4 + 0.15); duplicate: 0.27 against 0.075 (L3H3 / 2);
    # induction: 0.25 against 0.085.
    assert observation(report, "scores-dominant")["text"] == (
        "L2H1 on duplicate (0.27 against 0.075 for L3H3, 3.6 times as high), L2H1 on induction (0.25 against 0.085 "
        "for L3H3, 2.9 times as high) and L1H3 on previous_token (0.92 against 0.55 for L3H3, 1.7 times as high) "
        "stand clear of every other head, with no rule (a single top score at least 1.5 times the next).")
    assert observation(report, "scores-shared-top")["text"] == (
        "One head is the highest-scoring of several relations: L2H1 of duplicate and induction.")
    assert observation(report, "scores-shared-top")["evidence"] == {"L2H1": ["duplicate", "induction"]}


def test_no_dominant_head_when_the_top_is_tied_or_close():
    report = reporter.build(tied_table(), formats="", top_k=3)  # six heads tie at 1.0
    assert "scores-dominant" not in [o["id"] for o in report.summary["observations"]]


def test_the_mass_sentence_matches_a_hand_count():
    frame = pd.DataFrame({"layer": [0, 0, 1, 1], "head": [0, 1, 0, 1], "score": [1.0, 5.0, 3.0, 1.0],
                          "relation": "r", "category": "C"})
    report = reporter.build(frame, formats="", top_k=1)
    assert observation(report, "scores-mass")["text"] == (
        "With no rule, the fewest highest-scoring heads holding half and 80% of each relation's summed score: "
        "r 1 and 2 of 4.")


def pixels(url: str) -> np.ndarray:
    """The RGBA pixels of a score map's PNG (8-bit RGBA, filter 0 rows, as raster.png writes it)."""
    data = base64.b64decode(url.split(",", 1)[1])
    width, height = struct.unpack(">II", data[16:24])
    raw = zlib.decompress(data[41:data.index(b"IEND") - 4])
    rows = [raw[r * (4 * width + 1) + 1:(r + 1) * (4 * width + 1)] for r in range(height)]
    return np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(height, width, 4)


def outlined(url: str) -> set[tuple[int, int]]:
    """(layer, head) of every cell whose ring of the outline image is drawn (16 image pixels per cell here)."""
    rgba = pixels(url)
    sub = rgba.shape[1] // 4
    assert rgba.shape[:2] == (4 * sub, 4 * sub)
    return {(l, h) for l in range(4) for h in range(4)
            if rgba[h * sub, l * sub, 3] == 255 and rgba[h * sub + sub // 2, l * sub + sub // 2, 3] == 0}


def test_score_maps_draw_every_head_of_every_panel_and_outline_the_kept():
    report = reporter.build(detector(), formats="", top_k=2)
    figure = report.figures["score-maps"]
    titles = [panel["title"] for panel in figure.spec["concat"]]
    # Induction has two relations: its best-of panel, then one per relation; Positional has one.
    assert titles == ["Induction", "Positional: previous_token", "Induction: duplicate", "Induction: induction"]
    images = figure.datasets["score_images"]
    assert [(i["p"], i["l_end"], i["h_end"]) for i in images] == [(p, 4, 4) for p in range(4)]
    best = pixels(images[0]["url"])  # rows are heads, columns layers
    assert best.shape == (4, 4, 4) and (best[..., 3] == 255).all()  # every head scored
    assert tuple(best[1, 2, :3]) == (0xFD, 0xE7, 0x25)  # L2H1, Induction's best (0.27): the top of the scale
    assert tuple(best[0, 0, :3]) == (0x44, 0x01, 0x54)  # L0H0, its lowest (0.01): the bottom
    members = report.table.memberships
    induction = members[members["category"] == "Induction"]
    assert outlined(images[0]["outline"]) == set(zip(induction["layer"], induction["head"]))
    assert outlined(images[1]["outline"]) == {(1, 3), (3, 3)}  # previous_token's top two
    assert [r["s"] for r in figure.datasets["score_range"] if r["p"] == 0] == [0.01, 0.27]


def test_score_distribution_marks_the_tie_and_the_cut():
    report = reporter.build(tied_table(), formats="", top_k=3)
    figure = report.figures["score-distribution"]
    points = figure.datasets["score_ranks"]
    assert [p["c"] for p in points[:7]] == ["tied at the cut"] * 6 + ["not kept"]
    assert figure.datasets["score_cuts"] == [{"p": 0, "x": 6.5, "label": "6 kept", "kind": "kept"},
                                             {"p": 0, "x": 3.5, "label": "3 asked", "kind": "asked"}]
    assert figure.tables[0].rows == (("gate", "32", "6", "1", "6 at 1 (6 kept for 3 asked)"),)


def test_figures_absent_without_scores(small_table):
    report = reporter.build(small_table, formats="")
    assert "score-maps" not in report.figures and "score-distribution" not in report.figures


def test_a_large_scale_relation_set_draws_at_most_the_panel_cap():
    table = detector_table()
    many = pd.concat([table.assign(relation=table["relation"] + f"_{i}", category="Shared") for i in range(6)])
    report = reporter.build(many, formats="", top_k=3)
    titles = [panel["title"] for panel in report.figures["score-maps"].spec["concat"]]
    assert titles == ["Shared"]  # 18 relations would pass 16 panels: only the category is drawn
    assert "relations are not drawn one by one beyond 16 panels" in report.figures["score-maps"].alt_text

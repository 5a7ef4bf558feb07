"""Observations on tables shaped like published ones: one test per thing a careful reader corrected (issue 25).

Every table here is generated: top-N lists that stop short of the last layer, scores whose neighbouring
rules move the empty layers, per-relation top-k rules over models of different size, overlapping categories,
shares on a rounding edge, a ratio just over its cut, shapes the heatmap shows at a glance, ten categories.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

import reporter
from reporter.analysis.robustness import with_neighbours
from reporter.analysis.summarize import summarize
from reporter.input.models.known_models import match
from reporter.input.load import load
from reporter.observe.categories import observe
from reporter.observe.wording import percent
from reporter.options import Options
from reporter.rules import SHOWN_OBSERVATIONS
from reporter.site import build_site


def long_rows(pairs, category):
    return [(layer, head, category) for layer, head in pairs]


def observed(rows, **options):
    """The observations of a long table (layer, head, category) under ``options``, by id."""
    frame = pd.DataFrame(rows, columns=["layer", "head", "category"])
    summary = with_neighbours(summarize(load(frame, Options(**options))))
    return summary, {o.id: o for o in observe(summary)}


# A top-16 list of a 32-layer model (QRHead's shape): two lists, every head in layers 8-20.
TOP16 = {"NQ": [(14, 22), (13, 16), (14, 28), (14, 31), (16, 19), (14, 1), (16, 26), (17, 24), (14, 0), (13, 0),
                (16, 25), (13, 12), (13, 1), (13, 10), (17, 27), (20, 14)],
         "LME": [(13, 18), (13, 21), (8, 11), (14, 13), (17, 29), (13, 1), (13, 13), (14, 29), (14, 31), (13, 8),
                 (16, 1), (17, 21), (13, 3), (10, 31), (13, 4), (14, 22)]}


def top16_rows():
    return [row for name, heads in TOP16.items() for row in long_rows(heads, name)]


# --- Why 1: the model's depth is guessed and then used ---------------------------------------------------------

def test_a_top_n_list_without_the_models_depth_makes_no_claim_about_the_unknown_end(cli, tmp_path):
    path = tmp_path / "qr.csv"
    pd.DataFrame(top16_rows(), columns=["layer", "head", "category"]).to_csv(path, index=False)
    result = cli("inspect", str(path))
    assert result.returncode == 0  # a build still runs; its page says the same problem
    assert result.stdout.splitlines()[-1] == (
        "problem (a build still runs): the model's shape was not given: 21 x 32 is the largest layer and head index + 1, and the model "
        "may have more layers; pass --model NAME (a known model), --layers N --heads N or --model-config FILE")
    _, by_id = observed(top16_rows())
    text = " ".join(o.text for o in by_id.values())
    # Nothing that needs the last layer: no share of depth, no thirds, no early/late, no "of the 21 layers".
    assert not re.search(r"of depth|third|\blate\b|\bearly\b|of the 21 layers|layers 21|unclassified:", text)
    assert by_id["empty-layers"].text == ("No classified head sits in layers 0–7; classified heads are seen in "
                                          "layers 8–20, and the model's depth was not given.")
    # Given the model, both empty ends are said, with their shares of depth.
    _, known = observed(top16_rows(), model="Llama-3.1-8B-Instruct")
    assert known["empty-layers"].text == (
        "No classified head sits in layers 0–7 and 21–31: 19 of 32 layers (the first 25.0% of depth and the last "
        "34.4% of depth), where an even spread of the 29 classified heads would put 7 and 10.")


@pytest.mark.parametrize("name, known, how", [
    ("gpt-neox", "EleutherAI/gpt-neox-20b", "family"),
    ("gpt-j", "EleutherAI/gpt-j-6b", "family"),
    ("llama-2-7b", "meta-llama/Llama-2-7b", "exact"),
    ("Meta-Llama-3-8B-Instruct", "meta-llama/Meta-Llama-3-8B", "exact"),
    ("LLAMA2_7B", "meta-llama/Llama-2-7b", "exact"),
    ("someone/llama-2-7b-80k", "meta-llama/Llama-2-7b", "longer name"),
    ("Mistral-7B-v0.2-hf", "mistralai/Mistral-7B", "exact"),
])
def test_model_names_as_people_write_them_find_the_known_model(name, known, how):
    found = match(name)
    assert (found.known.name, found.how) == (known, how)


def test_ambiguous_or_unknown_names_match_nothing_and_the_header_names_the_match():
    assert match("llama-3.1") is None and match("pythia") is None and match("my-model") is None
    rows = [(layer, 0, "FV") for layer in range(9, 15)]
    report = reporter.build(pd.DataFrame(rows, columns=["layer", "head", "category"]), model="gpt-neox", formats=())
    assert (report.table.n_layers, report.table.n_heads, report.table.shape_source) == (44, 64, "known-model")
    facts = BeautifulSoup(report.to_html(), "html.parser").select_one(".facts").get_text(" ", strip=True)
    assert "shape of EleutherAI/gpt-neox-20b, matched from 'gpt-neox', from the known-model table" in facts


# --- Why 2: robustness judged by the sentence's id, not its content ---------------------------------------------

def shifting_scores() -> pd.DataFrame:
    """48 x 25, one relation: heads of layers 17-47 score 0.5 (every third head); at threshold 0.1 a few heads of
    layers 0-9 and 15-16 (score 0.15) join, so the empty layers shrink from 0-16 to 10-14."""
    rows = []
    for layer in range(48):
        for head in range(25):
            score = 0.5 if layer >= 17 and head % 3 == 0 else 0.15 if (layer < 10 or layer in (15, 16)) and head == 0 else 0.01
            rows.append((layer, head, "r", "A", score))
    return pd.DataFrame(rows, columns=["layer", "head", "relation", "category", "score"])


def test_robustness_compares_the_layers_and_says_how_a_reading_changes():
    summary = with_neighbours(summarize(load(shifting_scores(), Options(layers=48, heads=25, threshold=0.2))))
    by_id = {o.id: o for o in observe(summary)}
    assert by_id["empty-layers"].evidence["runs"] == [[0, 16]]
    text = by_id["robustness"].text
    assert "under threshold 0.1, " in text and "the empty range shrinks to layers 10–14" in text
    assert by_id["robustness"].evidence["readings"]["empty-layers"] == {"threshold 0.1": "changes",
                                                                        "threshold 0.4": "holds"}


# --- Why 3: readings set by the rule are worded as findings --------------------------------------------------------

def top_k_scores(model: str, n_layers: int, n_heads: int) -> pd.DataFrame:
    """One relation per model, scores rising with depth to a peak in the middle: a top-k keeps a middle block."""
    layer, head = np.divmod(np.arange(n_layers * n_heads), n_heads)
    score = 1 - np.abs(layer - n_layers / 2) / n_layers + head / (100 * n_heads)
    return pd.DataFrame({"model": model, "layer": layer, "head": head, "relation": "fv", "category": "FV",
                         "score": score})


def test_shares_a_top_k_rule_fixes_are_not_compared_and_below_the_minimum_is_not_tested():
    frame = pd.concat([top_k_scores("gpt-j", 28, 16), top_k_scores("Llama-2-70b", 80, 64)])
    site = build_site([frame], top_k=10, formats=())
    ids = [o.id for o in site.observations]
    assert "fv-share" not in ids  # 10 of 448 against 10 of 5,120 heads is the rule, not the models
    page = {o.id: o for o in site.reports[0].observations}
    assert "under top-k 5, nothing is tested (5 classified heads, under the minimum of 10)" in page["robustness"].text
    assert "does not hold" not in page["robustness"].text and "neither" not in page["robustness"].text


# --- Why 4: denominators ------------------------------------------------------------------------------------------

def overlapping(model: str, extra: int) -> list[tuple]:
    """37 A heads in layers 20-28 and 55 B heads in layers 24-34 of a 48 x 25 model, ``extra`` of them shared."""
    a = [(model, 20 + i // 5, i % 5, "A") for i in range(37)]
    b = [(model, 24 + i // 5, 5 + i % 5, "B") for i in range(55 - extra)]
    return a + b + [(model, layer, head, "B") for model, layer, head, _ in a[-extra:]]


def test_overlap_is_counted_among_classified_heads_and_each_categorys_heads():
    frame = pd.DataFrame(overlapping("gpt2-xl", 17) + overlapping("gpt2-xl-copy", 4),
                         columns=["model", "layer", "head", "category"])
    site = build_site([frame], formats=(), layers=48, heads=25)
    overview = {o.id: o.text for o in site.observations}
    assert overview["multi-category-range"] == (
        "The share of classified heads in two or more categories ranges from 4 of 88 (4.5%) in gpt2-xl-copy to "
        "17 of 75 (22.7%) in gpt2-xl.")
    page = {o.id: o.text for o in site.reports[0].observations}
    assert page["multi-category"].startswith("Some heads belong to two or more categories: 17 of the 75 classified")


def test_the_pair_sharing_most_heads_says_its_share_of_each_category():
    rows = [(m, layer, head, c) for m, layer, head, c in overlapping("m", 17)]
    rows += [("m", 40, head, "C") for head in range(3)] + [("m", 40, 0, "A")]
    _, by_id = observed([r[1:] for r in rows], layers=48, heads=25)
    assert by_id["top-pair"].text == ("A and B share the most heads: 17, 44.7% of the 38 A heads and 30.9% of the 55 "
                                      "B heads.")


# --- Why 5: rounding ---------------------------------------------------------------------------------------------

def test_shares_round_half_up_on_the_exact_fraction():
    # 42 of 51 heads in layers 10-12 (82.35...%: 82.4%), 9 more spread over layers 30-38.
    rows = [(10 + i // 14, i % 14, "A") for i in range(42)] + [(30 + i, 20, "A") for i in range(9)]
    _, by_id = observed(rows, layers=48, heads=25)
    assert "42 of its 51 heads (82.4%)" in by_id["a-core"].text
    assert [percent(42, 51), percent(1, 8), percent(0.8235), percent(5, 16)] == ["82.4%", "12.5%", "82.4%", "31.3%"]


# --- Why 6: knife edges ---------------------------------------------------------------------------------------------

def test_a_ratio_just_over_its_cut_is_said_as_borderline():
    # 37 of gpt2-xl's 1,200 heads against 22 of pythia-12b's 1,440: 2.018 times, p = 0.007 (MAPS' shape).
    rows = [("gpt2-xl", 20 + i // 5, i % 5, "A") for i in range(37)]
    rows += [("pythia-12b", 12 + i // 4, i % 4, "A") for i in range(22)]
    site = build_site([pd.DataFrame(rows, columns=["model", "layer", "head", "category"])], formats=())
    share = {o.id: o for o in site.observations}["a-share"]
    assert share.text == (
        "A heads are a larger share of gpt2-xl (3.1%, 37 of 1,200 heads) than of pythia-12b (1.5%, 22 of 1,440): "
        "2.02 times as large, borderline: the cut is 2 times at p < 0.01 (here p = 0.0071).")
    assert share.evidence["borderline"] is True


# --- Why 7: shapes obvious on the heatmap, missed ----------------------------------------------------------------

def test_a_block_of_layers_held_by_one_category():
    # MInference's shape: layers 0-2 are 94 of 96 heads one pattern; elsewhere two patterns alternate.
    rows = [(layer, head, "Block" if (layer, head) not in ((1, 5), (2, 9)) else "Slash")
            for layer in range(3) for head in range(32)]
    rows += [(layer, head, "Slash" if head % 3 else "Block") for layer in range(3, 32) for head in range(32)]
    _, by_id = observed(rows, layers=32, heads=32)
    assert by_id["block-holds-0-2"].text == (
        "Layers 0–2 are held by Block: 94 of their 96 heads (97.9%), against 40.3% of all heads.")  # 413 of 1,024


def test_exactly_k_heads_in_every_layer():
    rows = [(layer, head, "A" if head % 2 else "B") for layer in range(32) for head in range(4)]
    _, by_id = observed(rows, layers=32, heads=32)
    assert by_id["per-layer"].text == ("Every one of the 32 layers holds exactly 4 classified heads, 128 in all: the "
                                       "same number per layer, as a per-layer selection gives.")


def test_a_flat_block_is_read_whole_with_the_range_it_is_absent_from():
    # Linguistic fills layers 27-79 of 80 evenly (3 heads a layer): none in 0-26, no denser part inside.
    rows = [(layer, 3 * layer % 64, "Linguistic") for layer in range(27, 80)]
    rows += [(layer, (3 * layer + 7) % 64, "Linguistic") for layer in range(27, 80)]
    rows += [(layer, (3 * layer + 13) % 64, "Linguistic") for layer in range(27, 80)]
    _, by_id = observed(rows, layers=80, heads=64)
    text = by_id["linguistic-range"].text
    assert text == ("Linguistic heads sit in layers 27–79 only (all 159, in 53 of the 80 layers; none in "
                    "layers 0–26); 81 of them (50.9%) in layers 27–53 (median layer 53).")
    assert "concentrate" not in text and "lean" not in text
    assert "densest" not in text


def test_two_equal_empty_runs_are_both_said():
    rows = [(layer, head, "A") for layer in list(range(10, 30)) + list(range(40, 50)) for head in range(2)]
    _, by_id = observed(rows, layers=60, heads=8)
    assert by_id["empty-layers"].evidence["runs"] == [[0, 9], [30, 39], [50, 59]]
    assert by_id["empty-layers"].text.startswith("No classified head sits in layers 0–9, 30–39 and 50–59: 30 of 60")


def test_the_peak_layer_is_named():
    rng = np.random.default_rng(3)
    layers = [20] * 7 + [int(v) for v in rng.integers(14, 27, 24)]
    rows = list({(layer, head, "A"): None for head, layer in enumerate(layers)})
    _, by_id = observed(rows, layers=32, heads=32)
    (reading,) = [o for o in by_id.values() if o.category == "A" and o.kind == "concentration"]
    assert "the most in layer 20, " in reading.text


def test_a_category_confined_to_some_head_indices():
    rows = [(layer, head, "A") for layer in range(2, 30, 2) for head in (layer % 8, (layer + 3) % 8)]
    _, by_id = observed(rows, layers=32, heads=32)
    assert by_id["a-head-indices"].text == "All 28 A heads have head indices 0–7: 8 of the 32 head indices."


def test_a_lone_far_group_is_said_apart_from_the_rest():
    # gpt2-xl's shape: 3 heads in layer 0, then 17 empty layers, then 73 heads in layers 18-43 of 48.
    rows = [(0, head, "A") for head in range(3)]
    rows += [(18 + i % 26, i // 26 + 3 * (i % 2), "A") for i in range(73)]
    _, by_id = observed(rows, layers=48, heads=25)
    (reading,) = [o for o in by_id.values() if o.category == "A" and o.kind == "concentration"
                  and "head indices" not in o.text]
    assert "; 3 sit apart in layer 0, 17 empty layers before the rest." in reading.text


# --- Why 8: too many words ------------------------------------------------------------------------------------------

def ten_categories():
    """Ten categories in ten separate bands of three layers of a 32 x 32 model, 12 heads each."""
    return [(3 * k + i // 4, 4 * k % 32 + i % 4, f"C{k}") for k in range(10) for i in range(12)]


def test_a_ten_category_page_shows_the_strongest_ten_and_the_rest_behind_more():
    frame = pd.DataFrame(ten_categories(), columns=["layer", "head", "category"])
    report = reporter.build(frame, layers=32, heads=32, formats=())
    soup = BeautifulSoup(report.to_html(), "html.parser")
    shown = soup.select("#observations > ol.observations > li")
    more = soup.select("#observations details.more-observations li")
    assert len(shown) == SHOWN_OBSERVATIONS and len(shown) + len(more) == len(report.observations)
    assert soup.select_one("#observations details summary").get_text() == f"{len(more)} more observations"
    texts = [o.text for o in report.observations]
    assert not any("(99% interval 1 to 1)" in t for t in texts)
    later = next(t for t in texts if t.startswith("C9 heads sit later than"))
    assert "every C9 head sits later than every C0, C1, C2, C3, C4, C5, C6, C7 and C8 head" in later
    assert "median layer 28 against 1 to 25" in later  # nine medians read as their range

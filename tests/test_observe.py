"""Observations written from statistics, on synthetic tables whose truth is known by construction."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from reporter.input.load import load
from reporter.observe.categories import observe
from reporter.options import Options
from reporter.analysis.summarize import core_window, summarize
from reporter.output.summary_json import dumps, summary_dict
from reporter.input.table import HeadTable


def grid_rows(category: str, layers, heads) -> list[tuple[int, int, str]]:
    """Every (layer, head) of the given layers and heads, in one category."""
    return [(layer, head, category) for layer in layers for head in heads]


def built(rows, n_layers: int, n_heads: int):
    """Load a long table, summarize it and write its observations."""
    frame = pd.DataFrame(rows, columns=["layer", "head", "category"])
    summary = summarize(load(frame, Options(layers=n_layers, heads=n_heads)))
    observations = observe(summary)
    return summary, observations, {o.id: o for o in observations}


def texts(observations) -> list[str]:
    return [o.text for o in observations]


# --- a uniform category -------------------------------------------------------------------------


def test_exactly_uniform_category_is_spread_across_the_depth_not_concentrated():
    summary, obs, by_id = built(grid_rows("U", range(40), range(5)), 40, 16)
    u = summary.category("U")
    assert u.uniform_p == 1.0 and u.core_p > 0.5
    assert list(by_id) == ["u-spread", "multi-category", "unclassified"]
    spread = by_id["u-spread"]
    assert spread.kind == "concentration" and spread.layers is None
    assert spread.text == (
        "U heads are spread across the depth with no clear concentration: it takes layers 0–31, "
        "80.0% of the depth, to hold 80.0% of its 200 heads."
    )
    assert not any("concentrate in" in t or "lean" in t for t in texts(obs))


def test_randomly_uniform_category_gets_no_concentration_claim():
    rng = np.random.default_rng(7)
    cells = rng.choice(48 * 25, size=150, replace=False)
    rows = [(int(c // 25), int(c % 25), "Random") for c in cells]
    summary, obs, by_id = built(rows, 48, 25)
    r = summary.category("Random")
    assert r.uniform_p >= 0.01 and r.core_p >= 0.01
    assert by_id["random-spread"].text.startswith("Random heads are spread across the depth with no clear concentration")
    assert [o.kind for o in obs if o.category == "Random"] == ["concentration"]


# --- two separated categories -------------------------------------------------------------------


def separated_rows():
    """A: 6 heads in each of layers 6-10; B: 6 heads in each of layers 26-30 (40 layers x 16 heads)."""
    return grid_rows("A", range(6, 11), range(6)) + grid_rows("B", range(26, 31), range(8, 14))


def test_two_separated_categories_give_an_earlier_later_claim_naming_both():
    summary, obs, by_id = built(separated_rows(), 40, 16)
    assert by_id["a-core"].text == (
        "A heads concentrate in layers 6–9: 80.0% of its 30 heads sit there, in 10.0% of the depth "
        "(median layer 8, early third)."
    )
    assert by_id["b-core"].text == (
        "B heads concentrate in layers 26–29: 80.0% of its 30 heads sit there, in 10.0% of the depth "
        "(median layer 28, late third)."
    )
    assert by_id["b-core"].layers == (26, 29)
    later = by_id["b-later"]
    assert later.kind == "comparison" and later.category == "B"
    assert later.text == "B heads sit later than A heads: median layer 28 against 8; Cliff's delta 1 (99% interval 1 to 1)."
    assert later.evidence["pairs"][0]["cliffs_delta"] == 1.0
    comp = summary.comparisons[0]
    assert (comp.first, comp.second, comp.later, comp.wider) == ("A", "B", "B", None)
    assert comp.median_difference == 20.0 and comp.cliffs_delta_ci[0] > 0.33
    assert "a-later" not in by_id
    assert not any("spread out" in t for t in texts(obs))


def test_same_shape_at_the_same_depth_gives_no_comparison():
    rows = grid_rows("A", range(10, 15), range(6)) + grid_rows("B", range(10, 15), range(8, 14))
    summary, obs, _ = built(rows, 40, 16)
    comp = summary.comparisons[0]
    assert comp.later is None and comp.wider is None and comp.cliffs_delta == 0.0
    assert [o.kind for o in obs].count("comparison") == 0


# --- a category of 5 heads ----------------------------------------------------------------------


def test_category_of_five_heads_gets_a_hedge_and_no_comparison():
    rows = separated_rows() + [(1, 0, "C"), (2, 3, "C"), (3, 1, "C"), (30, 2, "C"), (38, 5, "C")]
    summary, obs, by_id = built(rows, 40, 16)
    few = by_id["c-few"]
    assert few.kind == "sparsity" and few.layers == (1, 38)
    assert few.text == "All 5 C heads sit in layers 1–38: L1H0, L2H3, L3H1, L30H2 and L38H5."
    c_comparisons = [c for c in summary.comparisons if "C" in (c.first, c.second)]
    assert len(c_comparisons) == 2
    assert all(c.cliffs_delta is None and c.later is None and c.wider is None for c in c_comparisons)
    assert not any(o.kind == "comparison" and "C heads" in o.text for o in obs)
    assert not any("C heads concentrate in" in t or "C heads lean" in t for t in texts(obs))
    # p-values are still computed, but with 5 heads the sentence stays a hedge
    assert summary.category("C").uniform_p is not None


def test_category_with_no_heads_appears_with_nulls_and_a_sentence():
    memberships = pd.DataFrame(grid_rows("A", range(6, 11), range(6)), columns=["layer", "head", "category"])
    table = HeadTable(memberships=memberships, categories=("A", "Empty"), n_layers=40, n_heads=16, shape_source="flag")
    summary = summarize(table)
    obs = observe(summary)
    doc = summary_dict(summary, obs)
    empty = next(c for c in doc["categories"] if c["name"] == "Empty")
    assert empty["heads"] == 0
    for key in ("layer_median", "core_layers", "depth_position", "depth_third", "spread", "core_width",
                "half_layers", "uniform_p", "ks_p", "chi2_p", "core_p"):
        assert empty[key] is None, key
    assert doc["comparisons"] == [{
        "categories": ["A", "Empty"], "median_difference": None, "median_difference_share": None,
        "cliffs_delta": None, "cliffs_delta_ci": None, "later": None, "width_ratio": None,
        "width_ratio_ci": None, "wider": None, "reason": "too few heads",
    }]
    assert next(o for o in obs if o.id == "empty-few").text == "No head is in Empty."


# --- a wide and a narrow category around the same centre ----------------------------------------


def test_wide_and_narrow_category_at_the_same_centre_give_a_spread_comparison():
    rows = grid_rows("Narrow", range(27, 34), range(10, 20)) + grid_rows("Wide", range(15, 46), range(3))
    summary, obs, by_id = built(rows, 60, 32)
    assert summary.category("Narrow").layer_median == summary.category("Wide").layer_median == 30.0
    wider = by_id["wide-wider-than-narrow"]
    assert wider.kind == "comparison" and wider.category == "Wide"
    assert wider.text == (
        "Wide heads are more spread out than Narrow heads: their core window, layers 15–39, "
        "is 25 layers wide against 6 (layers 27–32); width ratio 4.17 (99% interval 3.5 to 5.2)."
    )
    comp = summary.comparisons[0]
    assert comp.wider == "Wide" and comp.later is None
    assert comp.width_ratio == pytest.approx(25 / 6) and comp.width_ratio_ci[0] > 1.25
    assert not any("sit later" in t for t in texts(obs))


# --- heads in several categories ----------------------------------------------------------------


def test_no_multi_category_heads():
    _, _, by_id = built(separated_rows(), 40, 16)
    multi = by_id["multi-category"]
    assert multi.text == "No head belongs to more than one category."
    assert multi.evidence["multi_category"] == 0 and multi.evidence["by_n_categories"] == []


def test_many_multi_category_heads():
    # A: layers 10-14 x heads 0-9 (50); B: the first 30 of those plus 20 more; C: 6 heads also in A and B.
    a = grid_rows("A", range(10, 15), range(10))
    b = grid_rows("B", range(10, 13), range(10)) + grid_rows("B", range(20, 22), range(10))
    c = grid_rows("C", [10], range(6))
    summary, _, by_id = built(a + b + c, 40, 16)
    assert summary.totals.classified == 70 and summary.totals.multi_category == 30
    assert summary.by_n_categories == ((1, 40), (2, 24), (3, 6))
    assert by_id["multi-category"].text == (
        "Many heads belong to two or more categories: 30 of the 70 classified heads (42.9%); "
        "24 in two and 6 in three."
    )
    assert by_id["top-pair"].text == "A and B share the most heads: 30, 42.9% of the heads in either."


# --- a table shaped like the reference figure ---------------------------------------------------

N_LAYERS, N_HEADS = 80, 64
SHAPES = {"Algorithmic": (210, 31, 7), "Knowledge": (260, 33, 11), "Linguistic": (230, 64, 8)}


def normal_pool(rng, centre, sd, size=20000):
    return np.clip(np.round(rng.normal(centre, sd, size)), 0, N_LAYERS - 1).astype(int)


def draw(rng, n, pool) -> list[tuple[int, int]]:
    picked: dict[tuple[int, int], None] = {}
    while len(picked) < n:
        picked[(int(rng.choice(pool)), int(rng.integers(N_HEADS)))] = None
    return list(picked)


def reference_like_rows(seed: int):
    """Algorithmic/Knowledge in the middle (Knowledge wider), Linguistic late, Translation sparse leaning late."""
    rng = np.random.default_rng(seed)
    rows = []
    for name, (n, centre, sd) in SHAPES.items():
        rows += [(layer, head, name) for layer, head in draw(rng, n, normal_pool(rng, centre, sd))]
    lean = np.concatenate([rng.integers(0, N_LAYERS, 2000), rng.integers(64, N_LAYERS, 3000)])
    rows += [(layer, head, "Translation") for layer, head in draw(rng, 36, lean)]
    return rows


def constructed_core(centre, sd) -> tuple[int, int]:
    """The core window of the distribution the heads were drawn from."""
    pmf = np.bincount(normal_pool(np.random.default_rng(0), centre, sd, 1_000_000), minlength=N_LAYERS)
    return core_window(pmf)


@pytest.fixture(scope="module", params=[1, 2, 3])
def reference_like(request):
    return built(reference_like_rows(request.param), N_LAYERS, N_HEADS)


def near(window, truth, tolerance=4):
    return abs(window[0] - truth[0]) <= tolerance and abs(window[1] - truth[1]) <= tolerance


def test_reference_like_table_gets_the_reference_readings(reference_like):
    summary, obs, by_id = reference_like
    for name in SHAPES:
        o = by_id[f"{name.lower()}-core"]
        assert o.kind == "concentration" and o.text.startswith(f"{name} heads concentrate in layers")
        assert near(o.layers, constructed_core(*SHAPES[name][1:])), (name, o.layers)
    # Algorithmic and Knowledge in the middle (~16-48), Linguistic late (~48-80)
    assert summary.category("Algorithmic").depth_third == summary.category("Knowledge").depth_third == "middle"
    assert summary.category("Linguistic").depth_third == "late"
    assert 16 <= by_id["algorithmic-core"].layers[0] and by_id["knowledge-core"].layers[1] <= 52
    assert 48 <= by_id["linguistic-core"].layers[0]
    # Knowledge more spread out than Algorithmic
    assert by_id["knowledge-wider-than-algorithmic"].text.startswith(
        "Knowledge heads are more spread out than Algorithmic heads")
    # Linguistic later than both
    assert by_id["linguistic-later"].text.startswith(
        "Linguistic heads sit later than Algorithmic and Knowledge heads: median layer")
    # Translation sparse, leaning late, without a concentration claim
    assert by_id["translation-sparse"].text.startswith("Translation heads are sparse: 36, 0.7% of all heads")
    lean = by_id["translation-lean"]
    assert lean.text.startswith("Translation heads lean late, densest in layers") and lean.layers[0] >= 60
    assert "translation-core" not in by_id
    # multi-category heads very sparse, most heads unclassified
    assert by_id["multi-category"].text.startswith("Few heads belong to two or more categories")
    assert by_id["unclassified"].text.startswith("Most heads are unclassified")
    # no claims of order between categories at the same depth
    assert "knowledge-later" not in by_id and "algorithmic-later" not in by_id


def test_reference_like_order_puts_positions_first_and_unclassified_last(reference_like):
    _, obs, _ = reference_like
    ids = [o.id for o in obs]
    assert ids[:3] == ["algorithmic-core", "knowledge-core", "linguistic-core"]
    assert ids[3:5] == ["translation-lean", "translation-sparse"]
    assert ids[-1] == "unclassified"
    assert [o.kind for o in obs].index("overlap") > max(i for i, o in enumerate(obs) if o.kind == "comparison")


# --- every number in every sentence is in summary.json -----------------------------------------

NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(%?)")
HEAD_ID = re.compile(r"\bL(\d+)H(\d+)\b")


def numbers_in(value) -> list[float]:
    """Every number inside an evidence value (nested dicts and lists included)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return []
    if isinstance(value, (int, float)):
        return [value]
    items = value.values() if isinstance(value, dict) else value
    return [n for item in items for n in numbers_in(item)]


def formatted(value: float, is_percent: bool) -> set[str]:
    """The ways a sentence writes a value: shares with one decimal (or a level such as 99%), the rest with :g."""
    return {f"{100 * value:.1f}", f"{100 * value:g}"} if is_percent else {f"{value:g}"}


def all_documents():
    tables = [
        (reference_like_rows(1), N_LAYERS, N_HEADS),
        (separated_rows() + [(1, 0, "C"), (2, 3, "C"), (3, 1, "C")], 40, 16),
        (grid_rows("Narrow", range(27, 34), range(10, 20)) + grid_rows("Wide", range(15, 46), range(3)), 60, 32),
        (grid_rows("U", range(40), range(5)), 40, 16),
    ]
    for rows, n_layers, n_heads in tables:
        summary, obs, _ = built(rows, n_layers, n_heads)
        yield json.loads(dumps(summary_dict(summary, obs)))


@pytest.mark.parametrize("doc", list(all_documents()), ids=["reference-like", "separated", "wide-narrow", "uniform"])
def test_every_number_in_a_sentence_is_a_value_of_its_evidence_in_summary_json(doc):
    categories = {c["name"]: c for c in doc["categories"]}
    comparisons = {frozenset(c["categories"]): c for c in doc["comparisons"]}
    checked, checked_fields = 0, set()
    for o in doc["observations"]:
        evidence_numbers = numbers_in(o["evidence"])
        members = set(o["evidence"].get("members", []))
        for head in HEAD_ID.findall(o["text"]):  # a head named in a sentence is one of the heads its evidence lists
            assert "L{}H{}".format(*head) in members, (o["id"], head)
        for digits, pct in NUMBER.findall(HEAD_ID.sub("", o["text"])):
            digits = digits.replace(",", "")
            assert any(digits in formatted(v, bool(pct)) for v in evidence_numbers), (o["id"], digits + pct)
            checked += 1
        # evidence named after a category's field holds that field's value
        for key, value in o["evidence"].items():
            if isinstance(value, dict) and set(value) <= set(categories):
                for name, v in value.items():
                    assert v == categories[name][key], (o["id"], key, name)
                    checked_fields.add(key)
            elif o["category"] in categories and key in categories[o["category"]]:
                assert value == categories[o["category"]][key], (o["id"], key)
                checked_fields.add(key)
        for pair in o["evidence"].get("pairs", []):
            comp = comparisons[frozenset((o["category"], pair["category"]))]
            sign = 1 if comp["categories"][1] == o["category"] else -1
            assert pair["cliffs_delta"] == sign * comp["cliffs_delta"] and comp["later"] == o["category"]
            assert pair["median_difference"] == sign * comp["median_difference"]
        if o["layers"] is not None:
            e = o["evidence"]
            windows = [e.get("core_layers"), e.get("half_layers"), e.get("layers"),
                       [e.get("first_layer"), e.get("last_layer")], *[k["layers"] for k in e.get("clusters", [])]]
            assert o["layers"] in windows, o["id"]
    assert checked > 0 and {"heads", "core_layers", "layer_median"} <= checked_fields
    totals = doc["totals"]
    multi = next(o for o in doc["observations"] if o["id"] == "multi-category")
    assert multi["evidence"]["multi_category"] == totals["multi_category"]
    assert multi["evidence"]["classified"] == totals["classified"]
    unclassified = next(o for o in doc["observations"] if o["id"] == "unclassified")
    assert unclassified["evidence"]["unclassified"] == totals["unclassified"]
    assert unclassified["evidence"]["share_of_heads"] == totals["unclassified_share"]


def test_same_table_gives_the_same_words_and_numbers():
    first = [dumps(summary_dict(*built(reference_like_rows(5), N_LAYERS, N_HEADS)[:2])) for _ in range(2)]
    assert first[0] == first[1]


def test_one_layer_windows_and_tiny_tables_read_naturally():
    rows = grid_rows("A", [5], range(30)) + grid_rows("B", range(2, 12), range(30, 33))
    _, _, by_id = built(rows, 12, 40)
    assert by_id["a-core"].text == (
        "A heads concentrate in layer 5: 100.0% of its 30 heads sit there, in 8.3% of the depth "
        "(median layer 5, middle third)."
    )
    _, _, by_id = built([(0, 0, "A"), (0, 1, "A"), (0, 1, "B")], 1, 2)
    assert by_id["b-few"].text == "One head is B: L0H1."
    assert by_id["multi-category"].text == (
        "1 of the 2 classified heads (50.0%) belong to two or more categories; all in two.")
    assert by_id["unclassified"].text == "Every head is in at least one category."


def test_peak_over_a_uniform_background_is_described_by_its_densest_half_not_a_core_window():
    # 2 heads in every layer of 40, plus 10 more in each of layers 18-21: the 80% window would span 28 layers
    rows = grid_rows("P", range(40), range(2)) + grid_rows("P", range(18, 22), range(2, 12))
    summary, _, by_id = built(rows, 40, 16)
    p = summary.category("P")
    assert p.core_layers == (0, 27) and p.half_layers == (12, 21) and p.uniform_p < 0.01
    assert "p-core" not in by_id
    assert by_id["p-lean"].text == (
        "P heads are unevenly spread, densest in layers 12–21: 50.0% of its 120 heads sit there (median layer 19.5)."
    )
    assert by_id["p-lean"].layers == (12, 21)

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
from reporter.analysis.robustness import with_neighbours
from reporter.analysis.summarize import core_window, summarize
from reporter.output.summary_json import dumps, summary_dict
from reporter.input.table import HeadTable
from reporter.observe.wording import half_up, percent


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


# The indirect-object-identification circuit of GPT-2 small (Wang et al. 2022): 12 x 12, 2-8 heads a class.
IOI = {
    "Duplicate token": [(0, 1), (0, 10), (3, 0)],
    "Previous token": [(2, 2), (4, 11)],
    "Induction": [(5, 5), (5, 8), (5, 9), (6, 9)],
    "S-inhibition": [(7, 3), (7, 9), (8, 6), (8, 10)],
    "Name mover": [(9, 9), (9, 6), (10, 0)],
    "Negative name mover": [(10, 7), (11, 10)],
    "Backup name mover": [(9, 0), (9, 7), (10, 1), (10, 2), (10, 6), (10, 10), (11, 2), (11, 9)],
}


def circuit_rows():
    return [(layer, head, name) for name, heads in IOI.items() for layer, head in heads]


# --- a uniform category -------------------------------------------------------------------------


def test_exactly_uniform_category_is_said_to_have_the_same_count_in_every_layer_not_concentrated():
    summary, obs, by_id = built(grid_rows("U", range(40), range(5)), 40, 16)
    u = summary.category("U")
    assert u.uniform_p == 1.0 and u.core_p > 0.5
    assert list(by_id) == ["u-per-layer", "u-head-indices", "multi-category", "unclassified"]
    every = by_id["u-per-layer"]
    assert every.kind == "concentration" and every.layers is None
    assert every.text == ("U has exactly 5 heads in every one of the 40 layers (200 in all): the same number per "
                          "layer, as a per-layer selection gives.")
    assert not any("concentrate in" in t or "lean" in t for t in texts(obs))


def test_heads_spread_evenly_but_not_exactly_are_spread_across_the_depth():
    rows = grid_rows("U", range(40), range(5)) + [(layer, 5, "U") for layer in range(0, 40, 2)]
    summary, obs, by_id = built(rows, 40, 16)
    assert by_id["u-spread"].text == (
        "U heads are spread across the depth with no clear concentration: holding 176 of its 220 heads (80.0%) "
        "takes 32 of the 40 layers (layers 0–31)."
    )


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
    # Each fills five layers evenly: the whole block is said, not an 80% window cutting through it.
    assert by_id["a-range"].text == (
        "A heads sit in layers 6–10 only (all 30, in 5 of the 40 layers; none in layers 0–5 and 11–39); "
        "18 of them (60.0%) in layers 6–8 (median layer 8)."
    )
    assert by_id["b-range"].text == (
        "B heads sit in layers 26–30 only (all 30, in 5 of the 40 layers; none in layers 0–25 and 31–39); "
        "18 of them (60.0%) in layers 26–28 (median layer 28)."
    )
    assert by_id["b-range"].layers == (26, 30)
    later = by_id["b-later"]
    assert later.kind == "comparison" and later.category == "B"
    assert later.text == "B heads sit later than A heads: median layer 28 against 8; every B head sits later than every A head."
    assert later.evidence["pairs"][0]["cliffs_delta"] == 1.0
    comp = summary.comparisons[0]
    assert (comp.first, comp.second, comp.later, comp.wider) == ("A", "B", "B", None)
    assert comp.median_difference == 20.0 and comp.cliffs_delta_ci[0] > 0.33
    assert "a-later" not in by_id
    assert not any("spread out" in t for t in texts(obs))


def test_same_shape_at_the_same_depth_gives_no_comparison():
    rows = grid_rows("A", range(10, 15), range(6)) + grid_rows("B", range(10, 15), range(8, 14))
    summary, obs, by_id = built(rows, 40, 16)
    comp = summary.comparisons[0]
    assert comp.later is None and comp.wider is None and comp.cliffs_delta == 0.0
    # The only comparison is the exact count that the two are alike layer by layer.
    assert [o.id for o in obs if o.kind == "comparison"] == ["a-same-as-b"]
    assert by_id["a-same-as-b"].text == "A and B have the same number of heads in every layer (30 each)."


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
    assert by_id["top-pair"].text == ("A and B share the most heads: 30, 60.0% of the 50 A heads and 60.0% of the "
                                      "50 B heads.")


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
    assert ids[3] == "translation-lean"
    # Then the comparisons (claims), then checkable facts about size, overlaps and unclassified heads.
    assert ids.index("translation-sparse") > max(i for i, o in enumerate(obs) if o.kind == "comparison")
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
    return {percent(value)[:-1], f"{100 * value:g}"} if is_percent else {f"{value:g}"}


def all_documents():
    tables = [
        (reference_like_rows(1), N_LAYERS, N_HEADS),
        (separated_rows() + [(1, 0, "C"), (2, 3, "C"), (3, 1, "C")], 40, 16),
        (grid_rows("Narrow", range(27, 34), range(10, 20)) + grid_rows("Wide", range(15, 46), range(3)), 60, 32),
        (grid_rows("U", range(40), range(5)), 40, 16),
    ]
    tables += [
        (circuit_rows(), 12, 12),
        (grid_rows("Bi", range(4, 8), range(5)) + grid_rows("Bi", range(30, 34), range(5))
         + grid_rows("One", range(16, 21), range(8, 16)), 40, 16),
        (grid_rows("S", range(28, 36), range(4)) + grid_rows("S", range(0, 4), range(2))
         + grid_rows("A", [3], range(2, 4)) + grid_rows("A", [9, 10], range(4, 7)) + [(20, 9, "A")], 48, 25),
        (grid_rows("A", range(20, 30), range(3)) + grid_rows("B", range(24, 48), range(4, 6)), 48, 25),
    ]
    for rows, n_layers, n_heads in tables:
        summary, obs, _ = built(rows, n_layers, n_heads)
        yield json.loads(dumps(summary_dict(summary, obs)))
    summary = with_neighbours(summarize(load(scores_table(), Options(layers=40, heads=16, threshold=0.4))))
    yield json.loads(dumps(summary_dict(summary, observe(summary))))


def scores_table() -> pd.DataFrame:
    """Scores of two relations: r1 (category A) high in layers 6-10, r2 (category B) high in layers 26-30."""
    rng = np.random.default_rng(9)
    rows = []
    for layer in range(40):
        for head in range(16):
            rows.append((layer, head, "r1", "A", (0.9 if 6 <= layer <= 10 else 0.1) * rng.uniform(0.3, 1.0)))
            rows.append((layer, head, "r2", "B", (0.9 if 26 <= layer <= 30 else 0.1) * rng.uniform(0.3, 1.0)))
    return pd.DataFrame(rows, columns=["layer", "head", "relation", "category", "score"])


DOCUMENTS = ["reference-like", "separated", "wide-narrow", "uniform", "circuit", "bimodal", "secondary-and-nine",
             "empty-early", "scores"]


@pytest.mark.parametrize("doc", list(all_documents()), ids=DOCUMENTS)
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
    assert checked > 0 and "heads" in checked_fields
    by_id = {o["id"]: o for o in doc["observations"]}
    clustered = [o for o in doc["observations"] if o["id"].endswith("-clusters")]
    assert all(o["evidence"]["clusters"] == categories[o["category"]]["clusters"] for o in clustered)
    if "empty-layers" in by_id:
        e, region = by_id["empty-layers"]["evidence"], doc["empty_region"]
        assert region["clear"] and e["layers"] == region["layers"] and e["classified"] == region["classified"]
        i = e["runs"].index(region["layers"])  # the longest run is one of the runs the sentence names
        assert e["expected"][i] == int(half_up(region["expected"])) and e["p_value"][i] == region["p_value"]
    if "depth-order" in by_id:
        assert by_id["depth-order"]["evidence"]["order"] == doc["depth_order"]
    if "robustness" in by_id:
        assert by_id["robustness"]["evidence"]["readings"] == doc["robustness"]["readings"]
        for rule in doc["robustness"]["rules"]:
            assert by_id["robustness"]["evidence"]["rules"][rule["label"]]["classified"] == rule["classified"]
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
        "A heads concentrate in layer 5: 30 of its 30 heads (100.0%) in 1 of the 12 layers (median layer 5)."
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
        "P heads are unevenly spread, densest in layers 12–21: 60 of its 120 heads (50.0%) in 10 of the 40 layers "
        "(median layer 19.5)."
    )
    assert by_id["p-lean"].layers == (12, 21)


# --- circuits: a few heads per category ---------------------------------------------------------

def test_circuit_categories_get_their_heads_and_the_order_they_stack_in():
    summary, obs, by_id = built(circuit_rows(), 12, 12)
    assert by_id["induction-few"].text == "All 4 Induction heads sit in layers 5–6: L5H5, L5H8, L5H9 and L6H9."
    assert by_id["previous-token-few"].text == "Both Previous token heads sit in layers 2–4: L2H2 and L4H11."
    assert by_id["name-mover-few"].layers == (9, 10)
    assert by_id["backup-name-mover-few"].evidence["members"] == [
        "L9H0", "L9H7", "L10H1", "L10H2", "L10H6", "L10H10", "L11H2", "L11H9"]
    assert by_id["depth-order"].text == (
        "The categories stack in depth (each from its first to its last head): Duplicate token and Previous token, "
        "which overlap (layers 0–3 and 2–4), then Induction (layers 5–6), then S-inhibition (layers 7–8), then "
        "Name mover, Backup name mover and Negative name mover, which overlap (layers 9–10, 9–11 and 10–11).")
    # No test-based claim on 2-8 heads, and no hedge either: every sentence about a category is a fact.
    assert not any(o.id.endswith(("-core", "-lean", "-spread", "-later", "-clusters")) for o in obs)
    assert not any("too few" in o.text for o in obs)
    assert "empty-layers" not in by_id  # every layer holds a circuit head


def test_a_category_of_nine_heads_gets_its_span_and_densest_layers():
    rows = grid_rows("A", [3], range(2)) + grid_rows("A", [9, 10], range(3)) + [(20, 0, "A")]
    _, _, by_id = built(rows, 24, 8)
    assert by_id["a-few"].text == "The 9 A heads span layers 3–20; 6 of them (66.7%) sit in layers 9–10."
    assert by_id["a-few"].evidence["in_half"] == 6


def test_no_depth_order_when_every_range_overlaps():
    _, _, by_id = built(grid_rows("A", range(2, 9), range(3)) + grid_rows("B", range(5, 12), range(3, 6)), 12, 8)
    assert "depth-order" not in by_id


# --- small categories in narrow windows get the test-based claim --------------------------------


def test_nineteen_heads_filling_two_layers_of_eighty_concentrate():
    _, _, by_id = built([(61 + i % 2, i // 2, "N") for i in range(19)], 80, 64)
    assert by_id["n-core"].text == (
        "N heads concentrate in layers 61–62: 19 of its 19 heads (100.0%) in 2 of the 80 layers (median layer 61).")


def test_sixteen_heads_filling_the_first_two_layers_of_a_6x8_model_concentrate():
    _, _, by_id = built(grid_rows("M", range(0, 2), range(8)), 6, 8)
    assert by_id["m-core"].text == (
        "M heads concentrate in layers 0–1: 16 of its 16 heads (100.0%) in 2 of the 6 layers (median layer 0.5).")
    assert by_id["empty-layers"].text == (
        "No classified head sits in layers 2–5: 4 of 6 layers (the last 66.7% of depth), where an even spread "
        "of the 16 classified heads would put 11.")


# --- clusters ------------------------------------------------------------------------------------


def test_two_clusters_far_apart_are_described_and_get_no_median_or_spread_comparison():
    rows = grid_rows("Bi", range(4, 8), range(5)) + grid_rows("Bi", range(30, 34), range(5))
    rows += grid_rows("One", range(16, 21), range(8, 16))
    summary, obs, by_id = built(rows, 40, 16)
    assert by_id["bi-clusters"].text == (
        "Bi heads form two clusters separated by empty layers: 20 of its 40 heads in layers 4–7 and 20 (50.0%) "
        "in layers 30–33.")
    assert "bi-core" not in by_id and "median" not in by_id["bi-clusters"].text
    (comp,) = summary.comparisons
    assert (comp.reason, comp.later, comp.wider, comp.cliffs_delta) == ("clusters", None, None, None)
    assert not any(o.kind == "comparison" and "Bi" in o.text for o in obs)


def test_a_secondary_cluster_of_a_fifth_of_the_heads_is_named():
    rows = grid_rows("S", range(28, 36), range(4)) + grid_rows("S", range(0, 4), range(2))
    _, _, by_id = built(rows, 48, 25)
    assert by_id["s-clusters"].text == (
        "S heads form two clusters separated by empty layers: 32 of its 40 heads in layers 28–35 and a secondary "
        "cluster of 8 (20.0%) in layers 0–3.")
    assert by_id["s-clusters"].layers == (28, 35)


def test_one_compact_bump_is_not_called_clusters(reference_like):
    summary, obs, _ = reference_like
    assert all(len(c.clusters) == 1 for c in summary.categories)
    assert not any(o.id.endswith("-clusters") for o in obs)


# --- empty regions -------------------------------------------------------------------------------


def test_an_empty_early_range_of_depth_is_said_once():
    rows = grid_rows("A", range(20, 30), range(3)) + grid_rows("B", range(24, 48), range(4, 6))
    _, obs, by_id = built(rows, 48, 25)
    assert by_id["empty-layers"].text == (
        "No classified head sits in layers 0–19: 20 of 48 layers (the first 41.7% of depth), where an even spread "
        "of the 78 classified heads would put 33.")  # 32.5, half up
    assert [o.id for o in obs].count("empty-layers") == 1


def test_a_short_or_expected_empty_run_is_not_said():
    # Layers 1-4 of 80 empty: clear for 700 heads but 5% of the depth, not a large range.
    rows = grid_rows("A", [0], range(10)) + grid_rows("A", range(5, 80), range(8))
    _, _, by_id = built(rows, 80, 64)
    assert "empty-layers" not in by_id
    # Ten heads spread over 40 layers leave long empty runs by chance: no claim.
    _, _, by_id = built([(4 * i, 0, "A") for i in range(10)], 40, 16)
    assert "empty-layers" not in by_id


# --- two identical distributions ----------------------------------------------------------------


def test_two_identical_distributions_give_no_comparison_and_no_cluster():
    rows = grid_rows("A", range(10, 20), range(3)) + grid_rows("B", range(10, 20), range(3, 6))
    summary, obs, by_id = built(rows, 40, 16)
    (comp,) = summary.comparisons
    assert comp.cliffs_delta == 0.0 and comp.later is None and comp.wider is None and comp.reason is None
    assert [o.id for o in obs if o.kind == "comparison"] == ["a-same-as-b"]
    assert not any(o.id.endswith("-clusters") for o in obs)


# --- the largest and the smallest shapes ---------------------------------------------------------


def test_a_126x128_model_gets_the_same_readings():
    rng = np.random.default_rng(11)
    rows = [(int(np.clip(round(rng.normal(40, 6)), 0, 125)), int(h), "Mid") for h in rng.integers(0, 128, 900)]
    rows += [(int(np.clip(round(rng.normal(110, 5)), 0, 125)), int(h), "Late") for h in rng.integers(0, 128, 900)]
    summary, obs, by_id = built(list({(l, h, c): None for l, h, c in rows}), 126, 128)
    assert by_id["mid-core"].text.startswith("Mid heads concentrate in layers 3")
    assert by_id["late-core"].text.startswith("Late heads concentrate in layers 10")
    assert by_id["late-later"].evidence["pairs"][0]["effect"][0] == 1.0
    lo, hi = by_id["empty-layers"].layers  # the longest empty run lies between the two bumps
    assert 40 < lo and hi < 110 and hi - lo + 1 >= 13
    assert not any(o.id.endswith("-clusters") for o in obs)


# --- robustness under neighbouring rules ---------------------------------------------------------


def test_readings_that_a_doubled_threshold_overturns_are_named():
    # Scores of A and B heads reach at most 0.9: at threshold 0.45 both concentrate, at 0.9 no head is left.
    summary = with_neighbours(summarize(load(scores_table(), Options(layers=40, heads=16, threshold=0.45))))
    by_id = {o.id: o for o in observe(summary)}
    assert [n.label for n in summary.neighbours] == ["threshold 0.225", "threshold 0.9"]
    # At 0.225 every head of layers 6-10 and 26-30 passes (scores of at least 0.27), 5 x 16 twice.
    assert [n.summary.totals.classified for n in summary.neighbours] == [160, 0]
    assert by_id["robustness"].text == (
        f"Against neighbouring rules (threshold 0.225: 160 classified heads; threshold 0.9: 0; this rule: "
        f"{summary.totals.classified}): under threshold 0.225, A's range in layers 6–10, B's concentration in "
        "layers 26–30, the empty range (layers 0–5, 11–25 and 31–39), the order in depth and B sitting later hold; "
        "under threshold 0.9, nothing is tested (0 classified heads, under the minimum of 10).")
    doc = summary_dict(summary, observe(summary))
    assert doc["robustness"]["rules"][1] == {"label": "threshold 0.9", "threshold": 0.9, "classified": 0,
                                             "heads": {"A": 0, "B": 0}}
    assert doc["robustness"]["readings"]["a-range"] == {"threshold 0.225": "holds", "threshold 0.9": "not tested"}


def test_top_k_rules_are_halved_and_doubled():
    summary = with_neighbours(summarize(load(scores_table(), Options(layers=40, heads=16, top_k=30))))
    assert [(n.label, n.summary.category("A").heads) for n in summary.neighbours] == [
        ("top-k 15", 15), ("top-k 60", 60)]


def test_categories_given_as_a_table_have_no_neighbouring_rule():
    summary = with_neighbours(summarize(load(pd.DataFrame(separated_rows(), columns=["layer", "head", "category"]),
                                             Options(layers=40, heads=16))))
    assert summary.neighbours == () and "robustness" not in {o.id for o in observe(summary)}
    assert summary_dict(summary, observe(summary))["robustness"] is None

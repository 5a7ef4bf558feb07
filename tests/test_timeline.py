"""The timeline across training: analysis and observations on generated series whose truth is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reporter.analysis.timeline import arrivals, binomial_tail, timeline
from reporter.input.models.series import load_series
from reporter.observe.timeline import observe_timeline
from reporter.options import Options
from reporter.rules import ALPHA

from timeline_data import STEPS, known_series, with_dropouts


@pytest.fixture(scope="module")
def known():
    """The timeline of the four known categories (tests/timeline_data.py)."""
    return timeline(load_series([known_series()], Options(layers=12, heads=12)))


@pytest.fixture(scope="module")
def said(known):
    """Its observations by id."""
    return {o.id: o for o in observe_timeline(known)}


def test_a_phase_change_is_found_at_its_step(known, said):
    phase = known.category("Phase")
    assert (phase.first_step, phase.reach_step, phase.settle_step) == (512, 512, 512)
    assert (phase.jump.before, phase.jump.after, phase.jump.heads_before, phase.jump.heads_after) == (256, 512, 0, 30)
    assert phase.arrivals.phase_change is True and phase.arrivals.busiest == (256, 512)
    assert phase.arrivals.busiest_heads == 30 and phase.arrivals.intervals == 3  # 128→256, 256→512, 512→1000
    assert phase.arrivals.p == pytest.approx(3 * (1 / 3) ** 30)
    assert said["phase-phase"].text == (
        "Phase forms in a jump: 30 of the 30 heads of its final set that appear after the first checkpoint do so "
        "between step 256 and step 512, more than an even pace over step 128–1,000 (3 intervals) would put in any "
        "one (p = 1.5e-14).")
    assert said["phase-jump"].text == ("Phase's largest rise between adjacent checkpoints is 0 → 30 heads (0.0% → "
                                       "100.0% of its final set), from step 256 to step 512.")
    assert said["phase-emergence"].text == ("Phase has heads first at step 512 (30 heads) and reaches 50.0% of its "
                                            "final 30 heads at step 512.")


def test_a_gradual_ramp_is_called_gradual(known, said):
    ramp = known.category("Ramp")
    assert (ramp.first_step, ramp.final_heads) == (1, 24)
    assert ramp.reach_step == STEPS[6]  # two heads per checkpoint: 12 of 24 at the seventh checkpoint
    assert ramp.settle_step == STEPS[12]  # all 24 from the thirteenth on
    assert ramp.arrivals.phase_change is False and ramp.arrivals.busiest_heads == 2
    assert ramp.arrivals.p >= ALPHA
    assert said["ramp-phase"].text == (
        "Ramp forms gradually: the 24 heads of its final set that appear after the first checkpoint arrive over "
        "step 0–4,000 (13 intervals), at most 2 between step 0 and step 1, no more than an even pace gives (p = 1).")
    assert said["ramp-stability"].text == (
        "Ramp's set stops changing at step 2,000: from there to the last checkpoint it is the final set (Jaccard 1); "
        "24 of the 24 heads it ever holds stay once they join, 0 come and go.")


def test_a_category_that_moves_in_depth(known, said):
    mover = known.category("Mover")
    assert mover.depth.moved == "later"
    assert (mover.depth.start, mover.depth.start_median, mover.depth.end_median) == (0, 1.0, 10.0)
    assert mover.depth.delta == 1.0
    assert (mover.ever, mover.stable, mover.come_and_go) == (40, 20, 20)  # the early 20 leave, the late 20 stay
    assert mover.jump is None  # 20 heads at every checkpoint: the count never changes
    assert said["mover-movement"].text == (
        "Mover moves later in depth: median layer 1 at step 0 (its first checkpoint with 10 heads or more) and 10 at "
        "step 16,000; Cliff's delta 1.00, 99% interval 1.00 to 1.00.")
    assert "mover-jump" not in said
    phase, ramp = known.category("Phase"), known.category("Ramp")
    assert phase.depth.moved is None and ramp.depth.moved is None
    assert said["phase-movement"].text.startswith("Phase does not clearly move in depth: median layer 4 at step 512")


def test_a_category_that_never_settles(known, said):
    flicker = known.category("Flicker")
    assert flicker.settle_step is None
    assert flicker.last_jaccard == 0.0  # each checkpoint holds the other half of its twelve heads
    assert (flicker.ever, flicker.stable, flicker.come_and_go) == (12, 0, 12)
    assert flicker.arrivals.p is None  # its final six heads first appear at the second checkpoint: too few to test
    assert (flicker.arrivals.arrived, flicker.arrivals.at_start, flicker.arrivals.busiest) == (6, 0, (0, 1))
    assert flicker.near_step is None  # the last two checkpoints share no head: no level to come close to
    assert said["flicker-stability"].text == (
        "Flicker's set never settles: it still changes at the last checkpoint (Jaccard 0.00 between step 8,000 and "
        "16,000); 0 of the 12 heads it ever holds stay once they join, 12 come and go.")
    assert said["flicker-phase"].text == ("6 heads of Flicker's final set first appear after the first checkpoint, "
                                          "the most (6) between step 0 and step 1 (the jump-or-ramp test needs 10).")


def test_categories_are_ordered_by_when_they_reach_half(said):
    assert said["formation-order"].evidence["order"] == ["Flicker", "Ramp", "Phase", "Mover"]
    assert said["formation-order"].text == ("Categories reach 50.0% of their final set in this order: Flicker "
                                            "(step 1), Ramp (step 32), Phase (step 512) and Mover (step 1,000).")


def test_every_number_in_a_sentence_is_in_its_evidence(said):
    for o in said.values():
        assert o.figure in {"timeline-counts", "timeline-jaccard", "timeline-depth"}
        assert o.kind in {"emergence", "phase", "jump", "stability", "movement", "order"}
    assert said["phase-phase"].evidence["busiest"] == [256, 512]
    assert said["phase-phase"].evidence["p"] == pytest.approx(1.46e-14, rel=0.01)


def members_of(arrive: np.ndarray, n_checkpoints: int) -> np.ndarray:
    """bool [checkpoint, head]: each head present from its arrival checkpoint to the end."""
    return np.arange(n_checkpoints)[:, None] >= arrive[None, :]


def test_an_even_pace_is_called_a_jump_at_most_alpha_of_the_time():
    """Arrivals drawn evenly over the intervals: the test rejects no more often than ALPHA (Bonferroni is conservative)."""
    rng = np.random.default_rng(7)
    steps = tuple(range(21))
    rejected = 0
    for _ in range(400):
        arrive = rng.integers(1, 21, size=30)
        rejected += bool(arrivals(steps, members_of(arrive, 21)).phase_change)
    assert rejected / 400 <= ALPHA


def test_a_jump_with_stragglers_is_still_a_jump():
    arrive = np.array([10] * 27 + [3, 6, 15])
    result = arrivals(tuple(range(21)), members_of(arrive, 21))
    assert result.phase_change is True and result.busiest == (9, 10) and result.busiest_heads == 27


def test_the_binomial_tail_is_exact():
    assert binomial_tail(4, 0.5, 3) == pytest.approx(5 / 16)
    assert binomial_tail(10, 0.1, 0) == pytest.approx(1.0)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_readings_survive_heads_dropping_out_now_and_then(seed):
    """5% of memberships missing at random: heads come and go, but the jump, the ramp and the move stay."""
    t = timeline(load_series([with_dropouts(known_series(), 0.05, seed)], Options(layers=12, heads=12)))
    phase, ramp, mover = t.category("Phase"), t.category("Ramp"), t.category("Mover")
    assert phase.arrivals.phase_change is True and phase.arrivals.busiest == (256, 512)
    assert ramp.arrivals.phase_change is False
    assert mover.depth.moved == "later"
    assert phase.come_and_go > 0  # the noise is there


def test_every_timeline_figure_is_valid_vega_lite(known):
    import altair as alt

    from reporter.charts.timeline import build_timeline_figures

    figures = build_timeline_figures(known, (0, 5, 15))
    assert list(figures) == ["timeline-counts", "timeline-jaccard", "timeline-depth", "timeline-heatmaps",
                             "timeline-steps"]
    for figure in figures.values():
        alt.Root.validate(figure.full_spec())


def test_heads_travel_as_runs_of_checkpoints(known):
    from reporter.charts.timeline_heatmaps import head_runs

    runs = head_runs(known)
    key = f"c{[c.name for c in known.categories].index('Phase')}"  # the input's order: Mover, Flicker, Ramp, Phase
    phase: dict[tuple[int, int], set[int]] = {}
    for r in (r for r in runs if r.get(key)):
        phase.setdefault((r["layer"], r["head"]), set()).update(range(r["a"], r["b"] + 1))
    assert len(phase) == 30 and all(held == set(range(10, 16)) for held in phase.values())  # from step 512 on
    cells = int(known.members.any(axis=1).sum())
    assert sum(r["b"] - r["a"] + 1 for r in runs) == cells  # every (checkpoint, classified head) exactly once
    assert len(runs) < cells / 3  # heads that stay are one record, not one per checkpoint


def test_a_category_gone_by_the_last_checkpoint_says_so():
    rows = [(step, layer, 0, "Gone") for step in (0, 10, 20) for layer in range(12)]
    rows += [(step, 0, 1, "Kept") for step in (0, 10, 20, 30)]
    table = pd.DataFrame(rows, columns=["step", "layer", "head", "category"])
    t = timeline(load_series([table], Options(layers=12, heads=4)))
    gone = t.category("Gone")
    assert (gone.final_heads, gone.reach_step, gone.settle_step, gone.depth) == (0, None, None, None)  # left at the end
    assert gone.jump.heads_before == 12 and gone.jump.heads_after == 0 and (gone.jump.before, gone.jump.after) == (20, 30)
    said = {o.id: o.text for o in observe_timeline(t)}
    assert said["gone-emergence"] == ("Gone has no heads at the last checkpoint (step 30); it first has heads at "
                                      "step 0 and holds the most, 12 heads, at step 0.")
    assert said["gone-jump"] == "Gone's largest fall between adjacent checkpoints is 12 → 0 heads, from step 20 to step 30."
    assert "gone-phase" not in said and "formation-order" not in said  # only Kept reaches half of a final set
    assert t.log_axis is False  # steps 10 to 30 do not span decades

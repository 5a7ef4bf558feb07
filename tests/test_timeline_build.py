"""`reporter timeline` and build_timeline: every input form, the files written, summary.json, the CSV, errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import reporter
from reporter.errors import InputError, UsageError

from timeline_data import STEPS, known_series

FIGURES = ("timeline-counts", "timeline-jaccard", "timeline-depth", "timeline-heatmaps", "timeline-steps")


@pytest.fixture(scope="module")
def series() -> pd.DataFrame:
    """The known series (tests/timeline_data.py) as one long table with a step column."""
    return known_series()


def per_step_files(series: pd.DataFrame, folder, name: str = "step{}.csv") -> list[str]:
    """One CSV per checkpoint, named after its step; the paths in step order."""
    folder.mkdir()
    paths = []
    for step, rows in series.groupby("step"):
        path = folder / name.format(step)
        rows.drop(columns="step").to_csv(path, index=False)
        paths.append(str(path))
    return paths


def test_cli_one_table_with_a_step_column(cli, series, tmp_path):
    table = tmp_path / "series.csv"
    series.to_csv(table, index=False)
    out = tmp_path / "out"
    done = cli("timeline", str(table), "--layers", "12", "--heads", "12", "-o", str(out), "--formats", "svg", "-q")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""
    for slug in FIGURES:
        assert (out / "figures" / f"{slug}.svg").read_text().startswith("<svg")
        assert (out / "figures" / f"{slug}.vl.json").is_file()
    summary = json.loads((out / "data" / "summary.json").read_text())
    pages = [c["page"] for c in summary["checkpoints"] if c["page"]]
    assert pages == [f"steps/step-{s}/index.html" for s in (0, 4, 32, 256, 2000, 16000)]
    for page in pages:
        assert (out / page).is_file() and (out / page).parent.joinpath("data", "summary.json").is_file()
    html = (out / "index.html").read_text()
    assert 'href="steps/step-256/index.html"' in html
    assert "Phase forms in a jump" in html


def test_several_inputs_take_their_steps_from_the_file_names(series, tmp_path):
    paths = per_step_files(series, tmp_path / "ckpts", "pythia-step{}.csv")
    with reporter.build_timeline(list(reversed(paths)), layers=12, heads=12, formats="", step_pages="none") as t:
        assert t.timeline.steps == STEPS  # ordered by step, whatever the order given
        assert [c.label for c in t.timeline.series.checkpoints][:2] == ["pythia-step0", "pythia-step1"]
        assert t.timeline.category("Phase").reach_step == 512
        assert t.reports == {}


def test_steps_from_the_flag_in_the_inputs_order(cli, series, tmp_path):
    paths = per_step_files(series, tmp_path / "ckpts", "ckpt-{}.csv")  # "ckpt-" is read as a step too
    renamed = []
    for i, path in enumerate(paths):
        target = tmp_path / "ckpts" / f"run-{chr(97 + i)}.csv"
        (tmp_path / "ckpts" / path.rsplit("/", 1)[1]).rename(target)
        renamed.append(str(target))
    out = tmp_path / "out"
    done = cli("timeline", *renamed, "--steps", ",".join(map(str, STEPS)), "--layers", "12", "--heads", "12",
               "--formats", "svg", "--step-pages", "none", "-o", str(out), "-q")
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "data" / "summary.json").read_text())
    assert [c["step"] for c in summary["checkpoints"]] == list(STEPS)
    assert [c["label"] for c in summary["checkpoints"]][:2] == ["run-a", "run-b"]
    assert not (out / "steps").exists()


def test_a_revision_column_of_pythia_names(series):
    table = series.assign(step=series["step"].map(lambda s: f"step{s}")).rename(columns={"step": "revision"})
    with reporter.build_timeline(table, layers=12, heads=12, formats="", step_pages="none") as t:
        assert t.timeline.series.axis == "revision"
        assert t.timeline.steps == STEPS
        assert t.timeline.series.checkpoints[3].label == "step4"


def test_a_scores_table_gets_its_rule_at_every_checkpoint():
    rows = [(step, layer, head, "induction", float(layer == 2 and head < (2 if step == 0 else 5)))
            for step in (0, 10, 20) for layer in range(4) for head in range(6)]
    table = pd.DataFrame(rows, columns=["step", "layer", "head", "relation", "score"]).assign(category="Induction")
    with reporter.build_timeline(table, threshold=0.5, formats="", step_pages="none") as t:
        assert [p.heads for p in t.timeline.category("Induction").steps] == [2, 5, 5]
        assert t.timeline.series.first.rule == ("A head joins a category when its score (score, mean over repeated rows) "
                                                "is at least 0.5 for at least one of the category's relations.")


def test_summary_json_and_the_csv(series):
    with reporter.build_timeline(series, layers=12, heads=12, formats="", step_pages="none") as t:
        doc, files = t.summary, t.documents()
    assert doc["kind"] == "timeline" and doc["axis"] == "step" and doc["log_axis"] is True
    assert doc["model"] == {"name": None, "n_layers": 12, "n_heads": 12, "shape_source": "flag"}
    phase = next(c for c in doc["categories"] if c["name"] == "Phase")
    assert phase["largest_jump"] == {"before": 256, "after": 512, "heads_before": 0, "heads_after": 30, "change": 30}
    assert phase["arrivals"]["phase_change"] is True and phase["arrivals"]["busiest"] == [256, 512]
    assert phase["per_step"]["heads"] == [0] * 10 + [30] * 6
    assert len(phase["per_step"]["core_layers"]) == len(STEPS)
    csv = files["data/timeline.csv"].decode().splitlines()
    assert csv[0] == "step,checkpoint,category,heads,of_final_set,jaccard_to_final,layer_median,core_lo,core_hi"
    assert len(csv) == 1 + len(STEPS) * 4
    assert "512,512,Phase,30,30,1.0,4.0,2,4" in csv


def test_per_step_metrics_for_trackers(series):
    with reporter.build_timeline(series, layers=12, heads=12, formats="", step_pages="none") as t:
        metrics = t.step_metrics()
    assert sorted(metrics) == list(STEPS)
    assert metrics[256]["timeline/heads/Phase"] == 0 and metrics[512]["timeline/heads/Phase"] == 30
    assert metrics[512]["timeline/jaccard_to_final/Phase"] == 1.0
    assert "timeline/median_layer/Phase" not in metrics[0]  # no heads, no median


def test_no_step_in_a_file_name_is_a_usage_error(cli, series, tmp_path):
    paths = per_step_files(series, tmp_path / "ckpts", "model-{}.csv")
    out = tmp_path / "out"
    done = cli("timeline", *paths[:3], "-o", str(out))
    assert done.returncode == 2
    assert done.stderr.startswith("reporter: error: cannot tell the step of 'model-0': name the files like step1000")
    assert not out.exists()


@pytest.mark.parametrize("kwargs, error, message", [
    ({"steps": [1, 2]}, UsageError, "steps= gives 2 steps for 1 inputs"),
    ({}, UsageError, "a timeline needs at least two checkpoints"),
    ({"drop": True}, UsageError, "the table has no step, checkpoint, revision or tokens column; add one, or give "
                                 "one input per checkpoint"),
])
def test_bad_series_in_api_words(series, kwargs, error, message):
    table = series[series["step"] == 0]
    if kwargs.get("drop"):
        table = table.drop(columns="step")
    with pytest.raises(error, match=message):
        reporter.build_timeline(table, formats="", **{k: v for k, v in kwargs.items() if k != "drop"})


def test_checkpoints_of_different_shapes_are_refused(tmp_path):
    a = pd.DataFrame({"layer": [0], "head": [0], "category": ["A"]})
    a.to_parquet(tmp_path / "step1.parquet")
    b = pytest.importorskip("pyarrow").Table.from_pandas(a, preserve_index=False)
    import pyarrow.parquet as pq

    pq.write_table(b.replace_schema_metadata({"n_layers": "4", "n_heads": "4"}), tmp_path / "step2.parquet")
    pq.write_table(b.replace_schema_metadata({"n_layers": "6", "n_heads": "4"}), tmp_path / "step3.parquet")
    with pytest.raises(InputError, match="checkpoint 'step2' is 4x4 but 'step3' is 6x4; a timeline follows one model shape"):
        reporter.build_timeline([tmp_path / "step2.parquet", tmp_path / "step3.parquet"], formats="")


def test_two_tables_for_one_step_are_refused(series, tmp_path):
    paths = per_step_files(series, tmp_path / "ckpts")
    with pytest.raises(UsageError, match="two checkpoints give step 0"):
        reporter.build_timeline([paths[0], paths[0]], steps=[0, 0], formats="")


def test_show_steps_must_name_checkpoints(series):
    with pytest.raises(UsageError, match="show_steps= names step 3, which no checkpoint has"):
        reporter.build_timeline(series, layers=12, heads=12, show_steps=[3], formats="")


def test_an_inferred_shape_grows_to_the_largest_checkpoint():
    table = pd.DataFrame({"step": [1, 2, 2], "layer": [0, 0, 3], "head": [0, 1, 2], "category": ["A"] * 3})
    with reporter.build_timeline(table, formats="", step_pages="none") as t:
        assert (t.timeline.series.first.n_layers, t.timeline.series.first.n_heads) == (4, 3)
        assert t.timeline.series.first.shape_source == "inferred"


def test_cli_single_file_and_the_default_folder(cli, series, tmp_path):
    table = tmp_path / "series.csv"
    series.to_csv(table, index=False)
    done = cli("timeline", str(table), "--layers", "12", "--heads", "12", "--single-file", str(tmp_path / "t.html"),
               "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "t.html").read_text()
    assert "Phase forms in a jump" in html and 'href="steps/' not in html
    assert sorted(p.name for p in tmp_path.iterdir()) == ["series.csv", "t.html"]  # no folder, no checkpoint pages
    done = cli("timeline", str(table), "--layers", "12", "--heads", "12", "--formats", "svg", "--step-pages", "none",
               "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "timeline" / "index.html").is_file() and not (tmp_path / "site").exists()


def test_the_output_folder_may_not_hold_a_checkpoint(cli, series, tmp_path):
    paths = per_step_files(series, tmp_path / "ckpts")
    done = cli("timeline", *paths, "--layers", "12", "--heads", "12", "-o", str(tmp_path / "ckpts"), "--force",
               "--formats", "svg", "--step-pages", "none")
    assert done.returncode == 2, done.stderr
    assert sorted(p.name for p in (tmp_path / "ckpts").iterdir()) == sorted(p.rsplit("/", 1)[1] for p in paths)

"""A timeline logged to MLflow and W&B: per-checkpoint metrics at their steps."""

from __future__ import annotations

import pytest

import reporter

from timeline_data import STEPS, known_series

mlflow = pytest.importorskip("mlflow")
wandb = pytest.importorskip("wandb")

from test_mlflow import store  # noqa: E402,F401  (the fixtures of the trackers' own tests)
from test_wandb import history, offline, run_folder  # noqa: E402,F401


@pytest.fixture(scope="module")
def built():
    """The known series' timeline, no exports, no checkpoint pages."""
    with reporter.build_timeline(known_series(), layers=12, heads=12, formats=(), step_pages="none") as t:
        yield t


def test_mlflow_logs_each_checkpoint_at_its_step(store, built):
    from reporter.integrations.mlflow import log_report

    run_id = log_report(built)
    client = mlflow.MlflowClient()
    history_ = client.get_metric_history(run_id, "timeline/heads/Phase")
    assert [(m.step, m.value) for m in sorted(history_, key=lambda m: m.step)] == [
        (s, 30.0 if s >= 512 else 0.0) for s in STEPS]
    jaccard = {m.step: m.value for m in client.get_metric_history(run_id, "timeline/jaccard_to_final/Flicker")}
    assert jaccard[16000] == 1.0 and jaccard[8000] == 0.0
    assert client.get_run(run_id).data.metrics["final_heads/Phase"] == 30


def test_wandb_logs_each_checkpoint_against_its_step(offline, built, tmp_path):
    from reporter.integrations.wandb import log_report

    run = wandb.init(dir=str(tmp_path))
    log_report(built, run=run)
    run.finish()
    wandb.teardown()  # waits for W&B's service to flush the run's log (see test_wandb)
    rows = [h for h in history(run_folder(tmp_path)) if "timeline/step" in h]
    assert [h["timeline/step"] for h in rows] == list(STEPS)
    assert [h["timeline/heads/Phase"] for h in rows] == [30 if s >= 512 else 0 for s in STEPS]

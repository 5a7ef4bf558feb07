"""MLflow: log a report to a run as artifacts (page, summary.json, figures), metrics and tags."""

from __future__ import annotations

import logging
import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from ..errors import UsageError
from .files import attachment_files, write_files
from .extras import require, run_tags, tracker_errors

if TYPE_CHECKING:
    from ..product import Product

log = logging.getLogger(__name__)
CHECK = "check MLFLOW_TRACKING_URI and that the tracking server or store is reachable"


def log_report(report: Product, run_id: str | None = None, artifact_path: str = "head-report") -> str:
    """Log ``report`` to an MLflow run and return the run id.

    The run is ``run_id``, else the active run, else ``MLFLOW_RUN_ID``, else a
    new run in the current experiment (started and ended here). Artifacts go
    under ``artifact_path``: ``report.html`` (self-contained, previewed by the
    MLflow UI; for several models it holds every page), each page of a site,
    the data files and figures as in the site folder. Headline numbers are
    logged as metrics at step 0 (see Product.headline), the model, shape and
    rule as params (Product.params); the run is tagged with reporter's version
    and the inputs' SHA-256. A tracker that fails raises TrackerError;
    ``run_location`` says where to see the run.
    """
    mlflow = require("mlflow", "mlflow", "MLflow")
    with tracker_errors(f"MLflow at {mlflow.get_tracking_uri()}", CHECK):
        allow_file_store(mlflow.get_tracking_uri())
        run_id = run_id or active_run_id(mlflow) or os.environ.get("MLFLOW_RUN_ID") or None
        if run_id is None:
            with mlflow.start_run() as run:
                return log_to_run(mlflow, run.info.run_id, report, artifact_path)
        return log_to_run(mlflow, run_id, report, artifact_path)


def allow_file_store(uri: str) -> None:
    """Let MLflow use a ``file:`` store (or a plain folder) the user chose, which it refuses unless told.

    MLflow 3 keeps its file store in maintenance mode and raises unless
    MLFLOW_ALLOW_FILE_STORE is set; a user who named a file store chose it, so
    it is allowed here, unless the environment says otherwise.
    """
    if urlparse(uri).scheme in ("file", ""):
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")


def active_run_id(mlflow) -> str | None:
    """The id of the fluent API's active run in this process, if any."""
    run = mlflow.active_run()
    return run.info.run_id if run else None


def log_to_run(mlflow, run_id: str, report, artifact_path: str) -> str:
    """Log metrics, tags and artifacts to an existing run through the client API (its status is left alone)."""
    from mlflow.entities import Metric, Param, RunTag
    from mlflow.exceptions import MlflowException

    client = mlflow.MlflowClient()
    try:
        client.get_run(run_id)
    except MlflowException as exc:
        raise UsageError(f"MLflow run {run_id!r} was not found at {mlflow.get_tracking_uri()}: "
                         "check the run id or MLFLOW_TRACKING_URI") from exc
    stamp = int(time.time() * 1000)
    metrics = [Metric(key, float(value), stamp, 0) for key, value in report.headline().items()]
    tags = [RunTag(key, value) for key, value in run_tags(report).items()]
    params = [Param(key, value) for key, value in report.params().items()]
    client.log_batch(run_id, metrics=metrics, params=params, tags=tags)
    log_step_metrics(client, run_id, report, stamp)
    with tempfile.TemporaryDirectory(prefix="reporter-mlflow-") as tmp:
        client.log_artifacts(run_id, str(write_files(Path(tmp), attachment_files(report))), artifact_path)
    log.info("logged the report to MLflow run %s under %s/", run_id, artifact_path)
    return run_id


BATCH = 1000  # the most metrics MLflow takes in one log_batch call


def log_step_metrics(client, run_id: str, report, stamp: int) -> None:
    """A timeline's per-checkpoint metrics, each at its checkpoint's step, so MLflow's charts plot them over training."""
    from mlflow.entities import Metric

    per_step = report.step_metrics()
    metrics = [Metric(key, float(value), stamp, int(step)) for step, values in per_step.items() for key, value in values.items()]
    for start in range(0, len(metrics), BATCH):
        client.log_batch(run_id, metrics=metrics[start:start + BATCH])


def run_location(run_id: str) -> str:
    """One line saying where to see a logged run: its page on a tracking server, or how to open a local store."""
    mlflow = require("mlflow", "mlflow", "MLflow")
    uri = mlflow.get_tracking_uri()
    with tracker_errors(f"MLflow at {uri}", CHECK):
        experiment = mlflow.MlflowClient().get_run(run_id).info.experiment_id
    if urlparse(uri).scheme in ("http", "https"):
        return f"logged to MLflow run {run_id}: {uri.rstrip('/')}/#/experiments/{experiment}/runs/{run_id}"
    return (f"logged to MLflow run {run_id} (experiment {experiment}) in {uri}; "
            f"to see it: mlflow ui --backend-store-uri {uri}")

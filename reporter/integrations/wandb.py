"""Weights & Biases: log a report to a run as an HTML panel, summary numbers and an artifact."""

from __future__ import annotations

import logging
import re
import tempfile
from pathlib import Path

from .files import REPORT_FILE, attachment_files, write_files
from .extras import require

log = logging.getLogger(__name__)
ARTIFACT_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def log_report(report, run=None, key: str = "head-report") -> object:
    """Log ``report`` to a W&B run and return the run.

    The run is ``run``, else ``wandb.run``, else a new ``wandb.init()`` (which
    honours WANDB_PROJECT, WANDB_MODE and the rest) finished here. Logs the
    self-contained page as ``wandb.Html(..., inject=False)`` under ``key``,
    headline numbers into the run summary, the JSON documents into the run's files,
    and the page, data and figures as an artifact of type ``report``.
    """
    wandb = require("wandb", "wandb", "Weights & Biases (wandb)")
    target = run or wandb.run
    if target is None:
        with wandb.init(job_type="report") as new_run:
            log_to_run(wandb, new_run, report, key)
            return new_run
    log_to_run(wandb, target, report, key)
    return target


def log_to_run(wandb, run, report, key: str) -> None:
    """Log the page, numbers, summary file and artifact to an open run."""
    files = attachment_files(report)
    # inject=False: the page brings its own styles and scripts; W&B's injected stylesheet would restyle it.
    run.log({key: wandb.Html(files[REPORT_FILE].decode("utf-8"), inject=False)})
    run.summary.update(report.headline())
    for rel, data in report.documents().items():
        if rel.endswith(".json"):  # the JSON documents as run files, shown in the run's Files tab
            path = Path(run.dir) / key / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            run.save(str(path), base_path=run.dir, policy="now")
    with tempfile.TemporaryDirectory(prefix="reporter-wandb-") as tmp:
        artifact = wandb.Artifact(ARTIFACT_NAME.sub("-", key), type="report",
                                  description="reporter: head-category report (page, summary.json, figures)")
        # add_dir stages (copies) the files at once, so the scratch folder can go afterwards.
        artifact.add_dir(str(write_files(Path(tmp), files)))
    run.log_artifact(artifact)
    log.info("logged the report to W&B run %s", run.id)

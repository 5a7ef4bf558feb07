"""Weights & Biases: log a report to a run as an HTML panel, images, tables, summary numbers and an artifact."""

from __future__ import annotations

import io
import logging
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..output.write import exported_files
from .files import REPORT_FILE, attachment_files, write_files
from .extras import require, run_tags, tracker_errors

if TYPE_CHECKING:
    from ..product import Product

log = logging.getLogger(__name__)
ARTIFACT_NAME = re.compile(r"[^A-Za-z0-9_.-]+")
CHECK = "check WANDB_MODE, WANDB_PROJECT and your W&B login"


def log_report(report: Product, run: Any = None, key: str = "head-report") -> Any:
    """Log ``report`` to a W&B run and return the run.

    The run is ``run``, else ``wandb.run``, else a new ``wandb.init()`` (which
    honours WANDB_PROJECT, WANDB_MODE and the rest) finished here. Logs, at the
    run's current step without advancing it, the self-contained page as
    ``wandb.Html(..., inject=False)`` under ``key``, each figure as a
    ``wandb.Image`` under ``key/figures/…`` and each CSV document (the heads,
    or a diff's changes) as a ``wandb.Table`` under ``key/tables/…``; headline
    numbers go into the run summary, the model, shape and rule (Product.params),
    reporter's version and the inputs' SHA-256 into the run config, the JSON documents into the run's files, and
    the page, data and figures into an artifact of type ``report``. A tracker
    that fails raises TrackerError.
    """
    wandb = require("wandb", "wandb", "Weights & Biases (wandb)")
    with tracker_errors("Weights & Biases", CHECK):
        target = run or wandb.run
        if target is None:
            with wandb.init(job_type="report") as new_run:
                log_to_run(wandb, new_run, report, key)
                return new_run
        log_to_run(wandb, target, report, key)
        return target


def log_to_run(wandb, run, report, key: str) -> None:
    """Log the page, images, tables, numbers, summary file and artifact to an open run."""
    files = attachment_files(report)
    config = {name.replace(".", "_"): value for name, value in run_tags(report).items()}
    run.config.update({**config, **report.params()}, allow_val_change=True)
    with tempfile.TemporaryDirectory(prefix="reporter-wandb-") as tmp:
        media = write_files(Path(tmp) / "media", figure_pngs(report, files))
        # inject=False: the page brings its own styles and scripts; W&B's injected stylesheet would restyle it.
        panels = {key: wandb.Html(files[REPORT_FILE].decode("utf-8"), inject=False)}
        panels.update({f"{key}/figures/{rel[:-4]}": wandb.Image(str(media / rel)) for rel in sorted(pngs_of(media))})
        panels.update({f"{key}/tables/{name}": table for name, table in tables(wandb, report).items()})
        log_step_metrics(run, report)
        # commit=False: the panels join the run's current step, so the user's step counter does not move.
        run.log(panels, commit=False)
        run.summary.update(report.headline())
        save_json_documents(run, report, key)
        artifact = wandb.Artifact(ARTIFACT_NAME.sub("-", key), type="report",
                                  description="reporter: head-category report (page, summary.json, figures)")
        # add_dir stages (copies) the files at once, so the scratch folder can go afterwards.
        artifact.add_dir(str(write_files(Path(tmp) / "artifact", files)))
    run.log_artifact(artifact)
    log.info("logged the report to W&B run %s", run.id)


STEP_METRIC = "timeline/step"


def log_step_metrics(run, report) -> None:
    """A timeline's per-checkpoint metrics, one row per checkpoint plotted against its step (``timeline/step``).

    W&B's own step only grows, so the checkpoint's step is a metric the timeline's charts are drawn against
    (``define_metric``); each row advances the run's step by one.
    """
    per_step = report.step_metrics()
    if not per_step:
        return
    run.define_metric(STEP_METRIC)
    run.define_metric("timeline/*", step_metric=STEP_METRIC)
    for step, values in per_step.items():
        run.log({STEP_METRIC: step, **values})


def figure_pngs(report, files: dict[str, bytes]) -> dict[str, bytes]:
    """Each figure's PNG by its path without "figures/" ("heatmaps.png", "gpt2/heatmaps.png"), drawn if not exported."""
    if "png" in report.formats:
        return {rel.replace("figures/", ""): data for rel, data in files.items() if rel.endswith(".png")}
    pngs = {}
    for prefix, figures in report.figure_sets().items():
        for name, data in exported_files(figures, ("png",), report.exporter):
            if name.endswith(".png"):
                pngs[f"{prefix}/{name}" if prefix else name] = data
    return pngs


def pngs_of(root: Path) -> list[str]:
    """Paths of the PNG files under ``root``, relative to it."""
    return [str(p.relative_to(root)) for p in root.rglob("*.png")]


def tables(wandb, report) -> dict[str, object]:
    """Each CSV document as a wandb.Table, named by its path without "data/" and ".csv" ("heads", "gpt2/heads")."""
    import pandas as pd

    out = {}
    for rel, data in report.documents().items():
        if rel.endswith(".csv"):
            # keep_default_na=False: an unclassified head's empty categories stay "", not NaN.
            frame = pd.read_csv(io.BytesIO(data), keep_default_na=False)
            out[rel.replace("data/", "")[:-4]] = wandb.Table(dataframe=frame)
    return out


def save_json_documents(run, report, key: str) -> None:
    """The JSON documents as run files, shown in the run's Files tab."""
    for rel, data in report.documents().items():
        if rel.endswith(".json"):
            path = Path(run.dir) / key / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            run.save(str(path), base_path=run.dir, policy="now")


def run_location(run) -> str:
    """One line saying where to see a logged run: its W&B page, or, offline, its folder and how to upload it."""
    url = getattr(run, "url", None)
    if url:
        return f"logged to W&B run {run.id}: {url}"
    folder = Path(run.dir).parent  # run.dir is the run's files/ folder inside its offline-run-… folder
    return f"logged to W&B offline run {run.id} in {folder}; to upload it: wandb sync {folder}"

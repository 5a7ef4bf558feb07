"""Weights & Biases: log_report and `--wandb` with real offline runs (no login, no network)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import wandb  # the `wandb` extra: pip install -e '.[test,mlflow,wandb]'
from wandb.proto import wandb_internal_pb2

import reporter
from conftest import ROOT
from reporter.integrations.wandb import log_report
from reporter.vega import exporter
from reporter.output.summary_json import dumps

SMALL_SUMMARY = {
    "heads_total": 24, "heads_classified": 7, "heads_unclassified": 17, "heads_multi_category": 2,
    "classified_share": 7 / 24, "category_heads/A": 5, "category_heads/B": 3, "category_heads/C": 2,
}


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """Environment for an offline W&B run whose every file stays under tmp_path."""
    env = {
        "WANDB_MODE": "offline", "WANDB_SILENT": "true", "WANDB_DIR": str(tmp_path),
        "WANDB_DATA_DIR": str(tmp_path / "wandb-data"), "WANDB_CACHE_DIR": str(tmp_path / "wandb-cache"),
        "WANDB_CONFIG_DIR": str(tmp_path / "wandb-config"), "WANDB_PROJECT": "heads",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    wandb.teardown()  # W&B reads the environment once per setup; start afresh so this test's folders apply
    yield env
    wandb.teardown()


def run_folder(root: Path) -> Path:
    """The one offline run folder under ``root``."""
    (folder,) = (root / "wandb").glob("offline-run-*")
    return folder


def records(folder: Path) -> list:
    """The protobuf records of a run's .wandb log (LevelDB-style: 7-byte header, 32 KiB blocks)."""
    (path,) = folder.glob("run-*.wandb")
    data, pos, chunk, out = path.read_bytes(), 7, b"", []
    assert data[:4] == b":W&B"
    while pos + 7 <= len(data):
        if 32768 - pos % 32768 < 7:  # a block's tail too short for a record header is padding
            pos += 32768 - pos % 32768
            continue
        _checksum, length, kind = struct.unpack("<IHB", data[pos:pos + 7])
        chunk += data[pos + 7:pos + 7 + length]
        pos += 7 + length
        if kind in (1, 4):  # FULL or LAST: a record is complete
            record = wandb_internal_pb2.Record()
            record.ParseFromString(chunk)
            out.append(record)
            chunk = b""
    return out


def summary_values(folder: Path) -> dict:
    """The run summary as the run's log records it (last update wins)."""
    values = {}
    for record in records(folder):
        if record.WhichOneof("record_type") == "summary":
            for item in record.summary.update:
                values[item.key or "/".join(item.nested_key)] = json.loads(item.value_json)
    return values


def logged_artifacts(folder: Path) -> list:
    """The report artifacts of a run (W&B logs each table as an artifact of its own too)."""
    return [r.artifact for r in records(folder) if r.WhichOneof("record_type") == "artifact" and r.artifact.type == "report"]


def history(folder: Path) -> list[dict]:
    """Each committed step of the run's history, its values by key, in step order."""
    steps = []
    for record in records(folder):
        if record.WhichOneof("record_type") == "history":
            steps.append({item.key or "/".join(item.nested_key): json.loads(item.value_json)
                          for item in record.history.item})
    return steps


def config_values(folder: Path) -> dict:
    """The run config as the run's log records it."""
    return {item.key: json.loads(item.value_json) for record in records(folder)
            if record.WhichOneof("record_type") == "config" for item in record.config.update}


def test_log_report_to_an_open_run(offline, small_table, tmp_path):
    report = reporter.build(small_table, formats="svg")
    run = wandb.init(dir=str(tmp_path))
    assert log_report(report, run=run) is run
    run.finish()
    wandb.teardown()  # finish() returns before W&B's service has flushed the run's .wandb log; teardown waits for it
    folder = run_folder(tmp_path)

    (page,) = (folder / "files" / "media" / "html").glob("head-report_0_*.html")
    assert page.read_text() == report.to_html()  # inject=False: the page exactly as built
    assert (folder / "files" / "head-report" / "data" / "summary.json").read_text() == dumps(report.summary)

    summary = summary_values(folder)
    assert {k: summary[k] for k in SMALL_SUMMARY} == pytest.approx(SMALL_SUMMARY)
    assert summary["head-report/_type"] == "html-file"
    assert summary["head-report/path"] == str(page.relative_to(folder / "files"))

    (artifact,) = logged_artifacts(folder)
    assert (artifact.name, artifact.type) == ("head-report", "report")
    contents = {c.path: c for c in artifact.manifest.contents}
    assert sorted(contents) == ["data/heads.csv", "data/summary.json", "figures/heatmaps.svg", "figures/heatmaps.vl.json", "figures/layer-profile.svg",
                                "figures/layer-profile.vl.json", "figures/overlap.svg", "figures/overlap.vl.json",
                                "report.html"]
    # The staged copy the artifact uploads from is the report's summary.json.
    assert Path(contents["data/summary.json"].local_path).read_text() == dumps(report.summary)
    assert contents["report.html"].size == len(report.to_html().encode())


def test_figures_and_heads_join_the_users_current_step_without_advancing_it(offline, small_table, tmp_path):
    report = reporter.build(small_table, formats="svg")  # no PNG exported: W&B's images are drawn for it
    run = wandb.init(dir=str(tmp_path))
    run.log({"loss": 1.0})
    log_report(report, run=run)
    run.log({"loss": 0.5})
    assert run.step == 2  # two steps of the user's, none of reporter's
    run.finish()
    wandb.teardown()
    folder = run_folder(tmp_path)
    steps = history(folder)
    assert [(h["_step"], h["loss"]) for h in steps] == [(0, 1.0), (1, 0.5)]
    logged = steps[1]
    for slug, figure in report.figures.items():
        image = logged[f"head-report/figures/{slug}/path"]
        assert logged[f"head-report/figures/{slug}/_type"] == "image-file"
        assert (folder / "files" / image).read_bytes() == exporter.draw(figure.draw_json, ("png",))["png"]
    assert logged["head-report/tables/heads/_type"] == "table-file"
    table = json.loads((folder / "files" / logged["head-report/tables/heads/path"]).read_text())
    assert table["columns"] == ["layer", "head", "categories", "n_categories", "label"]
    assert len(table["data"]) == 24  # every head of the 6 x 4 model
    heads = pd.read_csv(io.BytesIO(report.documents()["data/heads.csv"]), keep_default_na=False)
    assert table["data"] == heads.values.tolist()
    assert table["data"][2 * 4][:2] + table["data"][2 * 4][3:4] == [2, 0, 3]  # head (2, 0): in A, B and C
    assert config_values(folder)["reporter_version"] == reporter.__version__


def test_log_report_without_a_run_starts_and_finishes_one(offline, small_table, tmp_path):
    run = log_report(reporter.build(small_table, formats=""))
    assert wandb.run is None  # finished, not left open
    wandb.teardown()  # wait for W&B's service to flush the run's .wandb log before reading it
    folder = run_folder(tmp_path)
    assert run.id in folder.name
    assert [r.WhichOneof("record_type") for r in records(folder)][-1] == "exit"
    assert summary_values(folder)["category_heads/A"] == 5


def test_cli_wandb(offline, cli, small_table, tmp_path):
    small_table.to_csv(tmp_path / "heads.csv", index=False)
    result = cli("build", "heads.csv", "--single-file", "report.html", "--wandb", cwd=tmp_path, env=offline)
    assert result.returncode == 0, result.stderr
    folder = run_folder(tmp_path)
    run_id = folder.name.rsplit("-", 1)[-1]
    assert result.stdout.splitlines()[1] == (f"logged to W&B offline run {run_id} in {folder}; "
                                             f"to upload it: wandb sync {folder}")
    digest = hashlib.sha256((tmp_path / "heads.csv").read_bytes()).hexdigest()
    config = config_values(folder)
    assert {k: v for k, v in config.items() if k.startswith("reporter_")} == {
        "reporter_version": reporter.__version__, "reporter_input_sha256": digest}
    assert {k: config[k] for k in ("model", "shape", "shape_source", "rule")} == {
        "model": "heads.csv", "shape": "6x4", "shape_source": "inferred", "rule": "as given"}
    (page,) = (folder / "files" / "media" / "html").glob("head-report_0_*.html")
    assert page.read_bytes() == (tmp_path / "report.html").read_bytes()
    assert {k: summary_values(folder)[k] for k in SMALL_SUMMARY} == pytest.approx(SMALL_SUMMARY)


def test_cli_wandb_missing_is_a_usage_error_before_writing(small_table, tmp_path):
    small_table.to_csv(tmp_path / "heads.csv", index=False)
    # sys.modules[name] = None makes `import wandb` raise ImportError, as on an install without the extra.
    code = ("import sys; sys.modules['wandb'] = None; from reporter.cli import main; "
            "sys.exit(main(['build', 'heads.csv', '--wandb']))")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert result.returncode == 2
    assert result.stderr == (
        "reporter: error: Weights & Biases (wandb) is not installed; install it with: pip install 'attention-head-report[wandb]'\n")
    assert sorted(os.listdir(tmp_path)) == ["heads.csv"]


def test_a_site_logs_every_page_and_one_panel_whose_links_switch_models(offline, small_table, tmp_path):
    site = reporter.build_site([small_table.assign(model="a"), small_table.assign(model="b")], formats="")
    with wandb.init(dir=str(tmp_path)) as run:
        log_report(site, run=run)
    wandb.teardown()
    folder = run_folder(tmp_path)
    (panel,) = (folder / "files" / "media" / "html").glob("head-report_0_*.html")
    assert panel.read_text() == site.to_html() and panel.read_text().count('<template data-page="') == 2
    (artifact,) = logged_artifacts(folder)
    paths = {c.path for c in artifact.manifest.contents}
    assert {"report.html", "index.html", "a/index.html", "b/index.html", "a/data/summary.json"} <= paths
    config = config_values(folder)
    assert {k: config[k] for k in ("models", "a/shape", "b/rule")} == {"models": "a, b", "a/shape": "6x4",
                                                                      "b/rule": "as given"}

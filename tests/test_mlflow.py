"""MLflow: log_report and `reporter build --mlflow` against a real SQLite tracking store."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import mlflow  # the `mlflow` extra: pip install -e '.[test,mlflow,wandb]'
import pandas as pd
import pytest
from mlflow import MlflowClient

import reporter
from conftest import ROOT
from reporter.integrations.mlflow import log_report

SMALL_METRICS = {
    "heads_total": 24.0, "heads_classified": 7.0, "heads_unclassified": 17.0, "heads_multi_category": 2.0,
    "classified_share": 7 / 24, "category_heads/A": 5.0, "category_heads/B": 3.0, "category_heads/C": 2.0,
}
ARTIFACTS = [
    "head-report/data/heads.csv", "head-report/data/summary.json", "head-report/figures/heatmaps.svg", "head-report/figures/heatmaps.vl.json",
    "head-report/figures/layer-profile.svg", "head-report/figures/layer-profile.vl.json",
    "head-report/figures/overlap.svg", "head-report/figures/overlap.vl.json",
    "head-report/report.html",
]


@pytest.fixture
def store(tmp_path):
    """A fresh SQLite tracking store with an experiment whose artifacts live under tmp_path."""
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    experiment = mlflow.create_experiment("heads", artifact_location=(tmp_path / "artifacts").as_uri())
    mlflow.set_experiment(experiment_id=experiment)
    yield uri, experiment
    if mlflow.active_run():
        mlflow.end_run()
    mlflow.set_tracking_uri(None)


def artifact_paths(client: MlflowClient, run_id: str, path: str | None = None) -> list[str]:
    """Every artifact file of a run, recursively."""
    out = []
    for info in client.list_artifacts(run_id, path):
        out.extend(artifact_paths(client, run_id, info.path) if info.is_dir else [info.path])
    return sorted(out)


def read_artifact(run_id: str, path: str, dst) -> bytes:
    local = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=path, dst_path=str(dst))
    with open(local, "rb") as fh:
        return fh.read()


def test_log_report_to_a_new_run(store, small_table, tmp_path):
    report = reporter.build(small_table, formats="svg")
    run_id = log_report(report)
    client = MlflowClient()
    run = client.get_run(run_id)
    assert run.info.status == "FINISHED"  # a run started by log_report is ended by it
    assert run.info.experiment_id == store[1]
    assert run.data.metrics == pytest.approx(SMALL_METRICS)
    assert run.data.params == {"model": "model", "shape": "6x4", "shape_source": "inferred", "rule": "as given"}
    assert artifact_paths(client, run_id) == ARTIFACTS
    assert read_artifact(run_id, "head-report/report.html", tmp_path / "dl").decode() == report.to_html()
    summary = json.loads(read_artifact(run_id, "head-report/data/summary.json", tmp_path / "dl"))
    assert summary == report.summary
    svg = read_artifact(run_id, "head-report/figures/heatmaps.svg", tmp_path / "dl")
    assert svg.startswith(b"<svg")


def test_log_report_uses_the_active_run_and_leaves_it_open(store, small_table):
    report = reporter.build(small_table, formats="")
    with mlflow.start_run() as active:
        assert log_report(report, artifact_path="reports/heads") == active.info.run_id
        assert MlflowClient().get_run(active.info.run_id).info.status == "RUNNING"
    client = MlflowClient()
    assert artifact_paths(client, active.info.run_id) == [
        "reports/heads/data/heads.csv", "reports/heads/data/summary.json", "reports/heads/figures/heatmaps.vl.json", "reports/heads/figures/layer-profile.vl.json",
        "reports/heads/figures/overlap.vl.json", "reports/heads/report.html"]


def test_a_scores_table_logs_its_rule_and_score_column_as_params(store):
    scores = pd.DataFrame({"layer": [0, 0, 1, 1], "head": [0, 1, 0, 1], "relation": ["r1", "r2", "r1", "r2"],
                           "category": ["A", "B", "A", "B"], "attn": [0.9, 0.1, 0.4, 0.7]})
    run_id = log_report(reporter.build(scores, formats="", score_column="attn", top_k=1, model="gpt2"))
    assert MlflowClient().get_run(run_id).data.params == {
        "model": "gpt2", "shape": "12x12", "shape_source": "known-model", "rule": "top_k 1",
        "score_column": "attn", "aggregate": "mean"}


def test_category_names_become_valid_distinct_metric_keys(store):
    table = pd.DataFrame({
        "layer": [0, 0, 1, 1, 1],
        "head": [0, 1, 0, 1, 1],
        "category": ["Knowledge / facts", "Knowledge_facts", "../up", "Ünïcode", "Knowledge / facts"],
    })
    run_id = log_report(reporter.build(table, formats=""))
    metrics = MlflowClient().get_run(run_id).data.metrics
    assert {k: v for k, v in metrics.items() if k.startswith("category_heads/")} == {
        "category_heads/up": 1.0,  # "../up"
        "category_heads/Knowledge_facts": 2.0,  # "Knowledge / facts"
        "category_heads/Knowledge_facts_2": 1.0,  # "Knowledge_facts", renamed so it does not collide
        "category_heads/n_code": 1.0,  # "Ünïcode"
    }


def test_unknown_run_id_is_a_usage_error(store, small_table):
    with pytest.raises(reporter.errors.UsageError, match="MLflow run 'f00' was not found at sqlite:///"):
        log_report(reporter.build(small_table, formats=""), run_id="f00")


def test_cli_mlflow_logs_to_the_run_in_MLFLOW_RUN_ID(store, cli, small_table, tmp_path):
    uri, experiment = store
    run_id = MlflowClient().create_run(experiment).info.run_id
    small_table.to_csv(tmp_path / "heads.csv", index=False)
    result = cli("build", "heads.csv", "--single-file", "report.html", "--mlflow", "--formats", "svg", cwd=tmp_path,
                 env={"MLFLOW_TRACKING_URI": uri, "MLFLOW_RUN_ID": run_id})
    assert result.returncode == 0, result.stderr
    client = MlflowClient()
    run = client.get_run(run_id)
    assert run.info.status == "RUNNING"  # someone else's run: logged to, not ended
    assert run.data.metrics == pytest.approx(SMALL_METRICS)
    assert artifact_paths(client, run_id) == ARTIFACTS
    logged = read_artifact(run_id, "head-report/report.html", tmp_path / "dl")
    assert logged == (tmp_path / "report.html").read_bytes()


def test_cli_mlflow_without_a_run_starts_one(store, cli, small_table, tmp_path):
    uri, _ = store
    small_table.to_csv(tmp_path / "heads.csv", index=False)
    result = cli("build", "heads.csv", "-o", "site", "--mlflow", "--formats", "svg", "--quiet", cwd=tmp_path,
                 env={"MLFLOW_TRACKING_URI": uri, "MLFLOW_EXPERIMENT_NAME": "heads"})
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert (tmp_path / "site" / "index.html").is_file()
    runs = MlflowClient().search_runs([MlflowClient().get_experiment_by_name("heads").experiment_id])
    assert len(runs) == 1
    assert runs[0].info.status == "FINISHED"
    assert runs[0].data.metrics["category_heads/A"] == 5.0


def test_cli_mlflow_missing_is_a_usage_error_before_writing(small_table, tmp_path):
    small_table.to_csv(tmp_path / "heads.csv", index=False)
    # sys.modules[name] = None makes `import mlflow` raise ImportError, as on an install without the extra.
    code = ("import sys; sys.modules['mlflow'] = None; from reporter.cli import main; "
            "sys.exit(main(['build', 'heads.csv', '--mlflow']))")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert result.returncode == 2
    assert result.stderr == "reporter: error: MLflow is not installed; install it with: pip install 'attention-head-report[mlflow]'\n"
    assert sorted(os.listdir(tmp_path)) == ["heads.csv"]


def run_on_two_tables(store, cli, small_table, tmp_path, *args: str):
    """Run the CLI with --mlflow on a.csv (the small table) and b.csv (without C); return the one run it made."""
    uri, _ = store
    small_table.to_csv(tmp_path / "a.csv", index=False)
    small_table[small_table["category"] != "C"].to_csv(tmp_path / "b.csv", index=False)
    result = cli(*args, "--mlflow", "--quiet", cwd=tmp_path,
                 env={"MLFLOW_TRACKING_URI": uri, "MLFLOW_EXPERIMENT_NAME": "heads"})
    assert (result.returncode, result.stderr) == (0, "")
    (run,) = MlflowClient().search_runs([MlflowClient().get_experiment_by_name("heads").experiment_id])
    return run


def test_cli_mlflow_logs_a_two_model_site(store, cli, small_table, tmp_path):
    run = run_on_two_tables(store, cli, small_table, tmp_path, "build", "a.csv", "b.csv", "-o", "site", "--formats", "svg")
    metrics = run.data.metrics
    assert metrics["models"] == 2.0
    assert (metrics["a/category_heads/C"], metrics["b/category_heads/C"]) == (2.0, 0.0)
    assert metrics["a/heads_classified"] == 7.0
    paths = artifact_paths(MlflowClient(), run.info.run_id)
    assert "head-report/report.html" in paths and "head-report/data/comparison.json" in paths
    assert {"head-report/a/data/summary.json", "head-report/b/figures/heatmaps.svg",
            "head-report/figures/depth-profiles.svg"} <= set(paths)
    # report.html holds every page (switched in place); each page is also logged at its path in the site.
    page = read_artifact(run.info.run_id, "head-report/report.html", tmp_path / "dl").decode()
    assert "2 models" in page and page.count("<template data-page=") == 2
    assert {"head-report/index.html", "head-report/a/index.html", "head-report/b/index.html"} <= set(paths)
    assert read_artifact(run.info.run_id, "head-report/b/index.html", tmp_path / "dl") == (
        tmp_path / "site" / "b" / "index.html").read_bytes()
    assert run.data.params == {
        "models": "a, b", "a/model": "a", "a/shape": "6x4", "a/shape_source": "inferred", "a/rule": "as given",
        "b/model": "b", "b/shape": "6x4", "b/shape_source": "inferred", "b/rule": "as given"}


def test_cli_mlflow_logs_a_diff(store, cli, small_table, tmp_path):
    run = run_on_two_tables(store, cli, small_table, tmp_path, "diff", "a.csv", "b.csv", "-o", "changes", "--formats", "")
    metrics = run.data.metrics
    c_heads = int((small_table["category"] == "C").sum())
    kept = len(small_table) - c_heads
    assert {k: metrics[k] for k in ("memberships_kept", "memberships_gained", "memberships_lost")} == {
        "memberships_kept": kept, "memberships_gained": 0.0, "memberships_lost": c_heads}
    assert metrics["category_lost/C"] == c_heads and metrics["jaccard"] == pytest.approx(kept / len(small_table))
    paths = artifact_paths(MlflowClient(), run.info.run_id)
    assert {"head-report/report.html", "head-report/data/diff.json", "head-report/data/changes.csv"} <= set(paths)
    assert "head-report/index.html" not in paths  # one page: report.html is it
    assert run.data.params == {"shape": "6x4", "run_a/model": "a.csv", "run_a/shape_source": "inferred",
                               "run_a/rule": "as given", "run_b/model": "b.csv", "run_b/shape_source": "inferred",
                               "run_b/rule": "as given"}


# --- the stores a user of the `mlflow` extra alone logs to ----------------------------------------------------

def run_tags(run) -> dict:
    """reporter's tags on a run."""
    return {k: v for k, v in run.data.tags.items() if k.startswith("reporter.")}


@pytest.fixture
def fresh_env(monkeypatch):
    """No MLflow settings in the environment (the store fixture's set_experiment leaves MLFLOW_EXPERIMENT_ID)."""
    for name in ("MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_ID", "MLFLOW_EXPERIMENT_NAME", "MLFLOW_RUN_ID",
                 "MLFLOW_ALLOW_FILE_STORE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def only_run(client: MlflowClient):
    """The one run of the default experiment."""
    (run,) = client.search_runs(["0"])
    return run


def test_cli_mlflow_logs_to_the_default_local_store(cli, small_table, tmp_path, fresh_env):
    # No MLFLOW_TRACKING_URI: MLflow's default store, a SQLite file in the working folder.
    small_table.to_csv(tmp_path / "heads.csv", index=False)
    result = cli("build", "heads.csv", "-o", "site", "--mlflow", "--formats", "svg", "--quiet", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, ""), result.stderr
    run = only_run(MlflowClient(f"sqlite:///{tmp_path / 'mlflow.db'}"))
    assert run.data.metrics == pytest.approx(SMALL_METRICS)
    assert run_tags(run) == {"reporter.version": reporter.__version__,
                             "reporter.input_sha256": hashlib.sha256((tmp_path / "heads.csv").read_bytes()).hexdigest()}
    assert (tmp_path / "mlruns" / "0" / run.info.run_id / "artifacts" / "head-report" / "report.html").is_file()


def test_cli_mlflow_logs_to_a_file_store(cli, small_table, tmp_path, fresh_env):
    # MLflow 3 refuses a file store unless MLFLOW_ALLOW_FILE_STORE is set; a user who names one chose it.
    store = (tmp_path / "mlruns").as_uri()
    small_table.to_csv(tmp_path / "heads.csv", index=False)
    result = cli("build", "heads.csv", "-o", "site", "--mlflow", "--formats", "svg", cwd=tmp_path,
                 env={"MLFLOW_TRACKING_URI": store})
    assert (result.returncode, result.stderr) == (0, "")
    fresh_env.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    client = MlflowClient(store)
    run = only_run(client)
    assert result.stdout.splitlines()[1] == (f"logged to MLflow run {run.info.run_id} (experiment 0) in {store}; "
                                             f"to see it: mlflow ui --backend-store-uri {store}")
    assert run.data.metrics["category_heads/A"] == 5.0
    assert artifact_paths(client, run.info.run_id) == ARTIFACTS


def server_command() -> list[str] | None:
    """How to run `mlflow server`: REPORTER_TEST_MLFLOW_SERVER (an `mlflow` of a full install), else this Python's."""
    given = os.environ.get("REPORTER_TEST_MLFLOW_SERVER")
    if given:
        return [given]
    if importlib.util.find_spec("flask") is not None and importlib.util.find_spec("mlflow.server") is not None:
        return [sys.executable, "-m", "mlflow"]
    return None


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real `mlflow server` on 127.0.0.1, its artifacts proxied through it, stopped after the module's tests."""
    command = server_command()
    if command is None:
        message = "`mlflow server` needs a full mlflow install: pip install mlflow, or set REPORTER_TEST_MLFLOW_SERVER"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    root, port = tmp_path_factory.mktemp("mlflow-server"), free_port()
    proc = subprocess.Popen(
        [*command, "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
         "--backend-store-uri", f"sqlite:///{root / 'server.db'}", "--artifacts-destination", str(root / "artifacts")],
        cwd=root, stdout=subprocess.DEVNULL, stderr=open(root / "server.log", "wb"))
    uri = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(proc, uri, root / "server.log")
        yield uri, root
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_until_up(proc: subprocess.Popen, uri: str, log: Path) -> None:
    """Return once the server answers /health; fail with its log if it exits or never answers."""
    deadline = time.monotonic() + 300  # a start-up bound on a loaded machine, not a measured time
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"mlflow server exited ({proc.returncode}): {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{uri}/health", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"mlflow server did not answer at {uri}: {log.read_text()[-2000:]}")


def test_cli_mlflow_logs_to_a_real_tracking_server(server, cli, small_table, tmp_path, fresh_env):
    uri, root = server
    small_table.to_csv(tmp_path / "a.csv", index=False)
    small_table[small_table["category"] != "C"].to_csv(tmp_path / "b.csv", index=False)
    result = cli("build", "a.csv", "b.csv", "-o", "site", "--mlflow", "--formats", "svg", cwd=tmp_path,
                 env={"MLFLOW_TRACKING_URI": uri, "MLFLOW_EXPERIMENT_NAME": "served"})
    assert (result.returncode, result.stderr) == (0, "")
    client = MlflowClient(uri)
    (run,) = client.search_runs([client.get_experiment_by_name("served").experiment_id])
    run_id, experiment = run.info.run_id, run.info.experiment_id
    # MLflow prints its own "View run" lines when the run it started ends; reporter's line says the same, once.
    assert f"logged to MLflow run {run_id}: {uri}/#/experiments/{experiment}/runs/{run_id}" in result.stdout.splitlines()
    assert (run.data.metrics["models"], run.data.metrics["b/category_heads/C"]) == (2.0, 0.0)
    digests = [hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() for name in ("a.csv", "b.csv")]
    assert run_tags(run) == {"reporter.version": reporter.__version__, "reporter.input_sha256": ",".join(digests)}
    # Proxied artifacts: the files went through the server into its own artifact folder.
    served = root / "artifacts" / run.info.experiment_id / run.info.run_id / "artifacts" / "head-report"
    assert (served / "report.html").read_bytes() == read_artifact_from(client, run.info.run_id, tmp_path)
    assert (served / "a" / "figures" / "heatmaps.svg").read_bytes().startswith(b"<svg")


def read_artifact_from(client: MlflowClient, run_id: str, tmp_path) -> bytes:
    """The run's report.html as the server hands it back."""
    local = client.download_artifacts(run_id, "head-report/report.html", str(tmp_path / "dl"))
    return Path(local).read_bytes()


def test_a_tracker_that_cannot_be_reached_is_one_line_and_exit_2(cli, small_table, tmp_path, fresh_env):
    small_table.to_csv(tmp_path / "heads.csv", index=False)
    result = cli("build", "heads.csv", "-o", "site", "--mlflow", "--formats", "", "--quiet", cwd=tmp_path,
                 env={"MLFLOW_TRACKING_URI": f"http://127.0.0.1:{free_port()}", "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"})
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(
        f"reporter: error: MLflow at http://127.0.0.1:")
    assert "MlflowException: API request to" in result.stderr
    assert result.stderr.endswith("; check MLFLOW_TRACKING_URI and that the tracking server or store is reachable\n")


RENDERED = "() => { const f = [...document.querySelectorAll('[data-figure]')]; return f.length > 0 && f.every(e => e.dataset.rendered === 'true'); }"


def report_frame(browser, url: str):
    """Open ``url`` in MLflow's UI; return the page and the frame its artifact view shows the HTML in, once the
    report's figures are drawn."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.set_default_timeout(300_000)  # a bound on a loaded machine's one-worker server, not a measured time
    page.goto(url, wait_until="domcontentloaded")
    frame = page.wait_for_selector("iframe[src^='blob:']").content_frame()
    frame.wait_for_function(RENDERED)
    return page, frame


def test_mlflow_ui_shows_every_page_of_a_logged_site(server, browser, small_table, tmp_path, fresh_env):
    uri, _ = server
    mlflow.set_tracking_uri(uri)
    site = reporter.build_site([small_table.assign(model="a"), small_table[small_table["category"] != "C"].assign(model="b")],
                               formats="")
    run_id = log_report(site)
    experiment = MlflowClient(uri).get_run(run_id).info.experiment_id
    base = f"{uri}/#/experiments/{experiment}/runs/{run_id}/artifacts/head-report"
    page, frame = report_frame(browser, f"{base}/report.html")
    try:
        assert frame.locator("h1").text_content() == "Attention-head categories: 2 models"
        # The model names are links, and each opens its page inside the same artifact view.
        frame.click("#models tbody th a >> text=b")
        frame.wait_for_function("document.querySelector('h1').textContent === 'Attention-head categories: b'")
        frame.wait_for_function(RENDERED)
        frame.click("nav.site-nav a >> text=a")
        frame.wait_for_function("document.querySelector('h1').textContent === 'Attention-head categories: a'")
        frame.wait_for_function(RENDERED)
        assert sorted(frame.evaluate("Object.keys(window.reporterViews)")) == ["heatmaps", "layer-profile", "overlap"]
        frame.click("nav.site-nav a >> text=Overview")
        frame.wait_for_function("document.documentElement.dataset.page === 'index.html'")
        frame.wait_for_function(RENDERED)
        page.screenshot(path=str(tmp_path / "mlflow-ui.png"))
    finally:
        page.close()
    # Each page of the site is an artifact of its own too, and draws alone there.
    page, frame = report_frame(browser, f"{base}/b/index.html")
    try:
        assert frame.locator("h1").text_content() == "Attention-head categories: b"
    finally:
        page.close()

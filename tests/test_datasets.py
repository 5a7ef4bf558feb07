"""Parquet datasets scanned by DuckDB: hive-partitioned folders, globs and an S3 bucket on a local server.

Each must give the report a pandas read of the same files gives; a --model
filter must prune the other models' partitions (a broken part there is never
opened); inspect counts rows from the footers and checks a bounded scan.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import reporter
from reporter.errors import InputError
from tests.engine_data import score_rows, summary_of


def write_hive(root: Path, frame, shape: tuple[int, int] = (8, 6)) -> Path:
    """``frame`` as a hive-partitioned dataset ``model=…/relation=…/`` with the shape in each file's metadata."""
    metadata = {"n_layers": str(shape[0]), "n_heads": str(shape[1])}
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(metadata)
    pq.write_to_dataset(table, root, partition_cols=["model", "relation"],
                        basename_template="part-{i}.parquet")
    return root


@pytest.fixture(scope="module")
def rows():
    return score_rows(seed=11)


@pytest.fixture(scope="module")
def hive(tmp_path_factory, rows) -> Path:
    return write_hive(tmp_path_factory.mktemp("hive") / "scores", rows)


def test_a_hive_folder_gives_the_same_summary_from_duckdb_and_pandas(hive):
    duck = summary_of(hive, engine="duckdb", model="model-a", top_k=3)
    assert duck == summary_of(hive, engine="pandas", model="model-a", top_k=3)
    document = json.loads(duck)
    assert document["source"]["name"] == "scores/"
    assert document["model"] == {"name": "model-a", "n_layers": 8, "n_heads": 6, "shape_source": "metadata"}


def test_a_dataset_gives_the_same_memberships_as_its_rows_in_memory(hive, rows):
    from_dataset = reporter.build(hive, formats="", engine="duckdb", model="model-b", aggregate="median", top_percent=10)
    in_memory = reporter.build(rows, formats="", model="model-b", aggregate="median", top_percent=10, layers=8, heads=6)
    assert from_dataset.table.memberships.equals(in_memory.table.memberships)
    assert from_dataset.table.scores.equals(in_memory.table.scores)


def test_model_selects_a_partition_and_the_others_are_never_opened(tmp_path, rows):
    root = write_hive(tmp_path / "scores", rows)
    broken = root / "model=model-c" / "relation=successor"
    broken.mkdir(parents=True)
    (broken / "part-0.parquet").write_bytes(b"PAR1 this is not a Parquet file")
    report = reporter.build(root, formats="", engine="duckdb", model="model-a", top_k=3)
    assert report.table.model == "model-a" and len(report.table.memberships) > 0
    with pytest.raises(InputError, match=r"^.*scores: cannot read the dataset \(.*\); check every part is complete$"):
        reporter.build(root, formats="", engine="duckdb", model="model-c", top_k=3)


def test_a_glob_reads_only_the_files_it_matches(hive, rows):
    pattern = str(hive / "model=model-a" / "*" / "*.parquet")
    report = reporter.build(pattern, formats="", top_k=3)
    assert report.table.source.name == pattern
    # The glob starts below the model folder, so there is no model column: the model is named by the caller.
    expected = reporter.build(rows[rows["model"] == "model-a"].drop(columns="model"), formats="", top_k=3,
                              layers=8, heads=6)
    assert report.table.memberships.equals(expected.table.memberships)


def test_a_glob_matching_nothing_is_a_one_line_error(tmp_path, cli):
    done = cli("build", str(tmp_path / "nothing" / "*.parquet"), "-o", str(tmp_path / "out"), "--top-k", "3")
    assert done.returncode == 2
    assert done.stderr == (f"reporter: error: {tmp_path}/nothing/*.parquet: no .parquet files there; "
                           "give a file, folder or glob of .parquet files\n")
    assert not (tmp_path / "out").exists()


def test_a_text_score_column_in_a_dataset_is_refused(tmp_path, rows, cli):
    root = write_hive(tmp_path / "scores", rows.assign(score=rows["score"].astype(str)))
    done = cli("build", str(root), "-o", str(tmp_path / "out"), "--engine", "duckdb", "--model", "model-a",
               "--top-k", "3")
    assert done.returncode == 2
    assert done.stderr == "reporter: error: the score column is String, not numbers; scores must be numbers\n"


def test_the_cli_draws_a_progress_bar_while_duckdb_aggregates(hive, tmp_path, cli):
    done = cli("build", str(hive), "-o", str(tmp_path / "out"), "--engine", "duckdb", "--model", "model-a",
               "--top-k", "3", "--formats", "", env={"REPORTER_PROGRESS": "1"})
    assert done.returncode == 0, done.stderr
    files = len(list(hive.rglob("*.parquet")))
    lines = done.stderr.replace("\r", "\n").splitlines()
    assert f"aggregating scores from {files:,} files [{'#' * 30}] 100%" in lines
    assert lines[-1] == "reporter: warning: 2 rows have no score and were left out"
    summary = json.loads((tmp_path / "out" / "data" / "summary.json").read_text())
    assert summary == json.loads(summary_of(hive, engine="pandas", model="model-a", top_k=3))


def test_inspect_counts_rows_from_the_footers(hive, rows, cli):
    # A threshold: scores in 1/64 steps tie across a top-k cut, which inspect rightly reports as a problem.
    done = cli("inspect", str(hive), "--engine", "duckdb", "--model", "model-a", "--threshold", "0.5")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    of_a = int((rows["model"] == "model-a").sum())
    assert lines[0] == (f"input: {hive} (parquet-dataset, {len(rows):,} rows in its Parquet footers; "
                        f"read the first {of_a:,} for these checks)")
    assert lines[1] == "models in the table: model-a, model-b"
    assert "model shape: 8 layers x 6 heads (from metadata)" in lines
    assert f"categories (in the {of_a:,} rows read):" in lines


def test_inspect_reads_at_most_a_bounded_number_of_rows(tmp_path):
    from reporter.input.inspect import inspect
    from reporter.options import Options

    big = score_rows(seed=3, n_layers=16, n_heads=16, prompts=8)  # 20,480 rows
    of_b = big["model"] == "model-b"
    big.loc[of_b, "category"] = big.loc[of_b, "category"] + " of b"
    root = write_hive(tmp_path / "scores", big, shape=(16, 16))
    found = inspect(root, Options(engine="duckdb", model="model-b", threshold=0.5), sample_rows=5_000)
    assert (found.rows, found.rows_read) == (len(big), 5_000)
    assert found.ok and found.models == ("model-a", "model-b") and found.model == "model-b"
    # The rows read are model-b's (its partitions come after model-a's, so only a pushed-down filter finds them).
    assert found.categories and all(name.endswith(" of b") for name in found.categories)


# ------------------------------------------------------------------ S3 on a local server


@pytest.fixture(scope="module")
def s3_bucket(hive):
    """A local S3-compatible server (moto) on 127.0.0.1 holding the hive dataset under s3://scores/run-1/."""
    from moto.server import ThreadedMotoServer
    import pyarrow.fs as pafs

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{server._server.server_port}"
    env = {"AWS_ACCESS_KEY_ID": "test-key", "AWS_SECRET_ACCESS_KEY": "test-secret", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": endpoint}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    fs = pafs.S3FileSystem(access_key="test-key", secret_key="test-secret", endpoint_override=endpoint,
                           scheme="http", region="us-east-1", allow_bucket_creation=True)
    fs.create_dir("scores")
    for path in sorted(hive.rglob("*.parquet")):
        with fs.open_output_stream(f"scores/run-1/{path.relative_to(hive).as_posix()}") as out:
            out.write(path.read_bytes())
    yield "s3://scores/run-1"
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    server.stop()


def test_an_s3_dataset_gives_the_report_of_the_same_files_on_disk(s3_bucket, hive):
    remote = json.loads(summary_of(s3_bucket, model="model-a", top_k=3))
    local = json.loads(summary_of(hive, engine="pandas", model="model-a", top_k=3))
    assert remote["source"]["name"] == "s3://scores/run-1"
    assert len(remote["source"]["sha256"]) == 64
    assert {**remote, "source": None} == {**local, "source": None}


def test_a_missing_s3_prefix_is_a_one_line_error(s3_bucket):
    with pytest.raises(InputError, match=r"^s3://scores/run-9: no \.parquet files there; give a file, folder or glob"):
        reporter.build("s3://scores/run-9", formats="", top_k=3)


def test_a_dataset_of_two_models_builds_the_same_site_from_duckdb_and_pandas(hive, tmp_path, cli):
    for engine in ("duckdb", "pandas"):
        done = cli("build", str(hive), "-o", str(tmp_path / engine), "--engine", engine, "--top-k", "3", "--formats", "")
        assert done.returncode == 0, done.stderr
    for page in ("data/comparison.json", "model-a/data/summary.json", "model-b/data/summary.json"):
        assert (tmp_path / "duckdb" / page).read_bytes() == (tmp_path / "pandas" / page).read_bytes()


def test_one_parquet_file_through_duckdb_gives_the_pandas_report_and_leaves_no_spill_files(tmp_path, rows, cli):
    path = tmp_path / "scores.parquet"
    rows.to_parquet(path, index=False)
    work = tmp_path / "cwd"
    work.mkdir()
    for engine in ("duckdb", "pandas"):
        done = cli("build", str(path), "-o", str(tmp_path / engine), "--engine", engine, "--model", "model-b",
                   "--aggregate", "median", "--top-percent", "10", "--formats", "", cwd=work)
        assert done.returncode == 0, done.stderr
    summary = (tmp_path / "duckdb" / "data" / "summary.json").read_bytes()
    assert summary == (tmp_path / "pandas" / "data" / "summary.json").read_bytes()
    assert list(work.iterdir()) == []  # DuckDB's temporary folder is private and removed, not ./.tmp


def test_a_median_beyond_the_memory_limit_is_a_one_line_error(tmp_path, cli):
    root = write_hive(tmp_path / "scores", score_rows(seed=2, n_layers=32, n_heads=32, prompts=20), shape=(32, 32))
    done = cli("build", str(root), "-o", str(tmp_path / "out"), "--engine", "duckdb", "--model", "model-a",
               "--aggregate", "median", "--top-k", "3", env={"REPORTER_MEMORY_LIMIT": "2MB"})
    assert done.returncode == 2
    assert done.stderr == (
        f"reporter: error: {root}: the median of these scores does not fit DuckDB's memory limit (2MB; a median "
        "keeps every score, a mean or max one per head); raise REPORTER_MEMORY_LIMIT (e.g. "
        "REPORTER_MEMORY_LIMIT=8GB) or use --aggregate mean or max\n")
    assert not (tmp_path / "out").exists()

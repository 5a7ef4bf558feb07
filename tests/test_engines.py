"""The same report from a pandas frame and from the frames of other engines, each aggregating where it runs.

Polars lazy frames and DuckDB relations run in process; Dask runs on a real
local distributed cluster and PySpark on a real local Spark session, both
started here (Spark needs Java 17, from Debian's default-jre-headless).
"""

from __future__ import annotations

import os
import shutil
import warnings

import pandas as pd
import pytest

import reporter
from reporter.errors import InputError, UsageError
from tests.engine_data import score_rows, summary_of

RULES = {
    "mean, top-k": dict(aggregate="mean", top_k=3),
    "median, top-percent": dict(aggregate="median", top_percent=12.5),
    "max, threshold": dict(aggregate="max", threshold=0.9),
}


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    """The scores table every engine gets."""
    return score_rows()


@pytest.fixture(scope="module")
def expected(rows) -> dict[str, str]:
    """summary.json of each rule, built from the pandas frame (today's path)."""
    return {name: summary_of(rows, model="model-a", **rule) for name, rule in RULES.items()}


@pytest.mark.parametrize("rule", RULES)
def test_a_polars_lazy_frame_gives_the_same_report(rows, expected, rule):
    import polars as pl

    lazy = pl.from_pandas(rows).lazy()
    assert summary_of(lazy, model="model-a", **RULES[rule]) == expected[rule]


@pytest.mark.parametrize("rule", RULES)
def test_a_duckdb_relation_gives_the_same_report(rows, expected, rule):
    import duckdb

    con = duckdb.connect()
    relation = con.from_df(rows)
    assert summary_of(relation, model="model-a", **RULES[rule]) == expected[rule]


def test_the_rows_without_a_score_are_counted_before_aggregation(rows):
    import polars as pl

    report = reporter.build(pl.from_pandas(rows).lazy(), formats="", model="model-b", top_k=3)
    missing = int(rows[rows["model"] == "model-b"]["score"].isna().sum())
    assert report.table.warnings == (f"{missing} rows have no score and were left out",)
    assert report.table.warnings == reporter.build(rows, formats="", model="model-b", top_k=3).table.warnings


def test_model_names_match_as_in_memory_and_only_that_model_is_aggregated(rows):
    import polars as pl

    report = reporter.build(pl.from_pandas(rows).lazy(), formats="", model="MODEL-B", top_k=3)
    assert report.table.model == "model-b"  # the table's spelling, as for a pandas frame
    assert report.table.model == reporter.build(rows, formats="", model="MODEL-B", top_k=3).table.model
    with pytest.raises(UsageError, match=r"^model= 'model-c' is not in the table; it holds: model-a, model-b$"):
        reporter.build(pl.from_pandas(rows).lazy(), formats="", model="model-c", top_k=3)


def test_a_relation_with_rows_of_two_categories_keeps_both(rows):
    import polars as pl

    one = rows[rows["model"] == "model-a"].drop(columns="model")
    twice = pd.concat([one, one[one["relation"] == "successor"].assign(category="Knowledge")], ignore_index=True)
    # Each score row of 'successor' now appears under two categories; its aggregate is unchanged.
    lazy = summary_of(pl.from_pandas(twice).lazy(), top_k=3)
    assert lazy == summary_of(twice, top_k=3)
    assert '"successor": [\n        "Algorithmic",\n        "Knowledge"\n      ]' in lazy


def test_rows_without_a_category_still_count_in_their_relations_aggregate(rows):
    import polars as pl

    one = rows[rows["model"] == "model-a"].drop(columns="model").reset_index(drop=True)
    one.loc[one.index[one["relation"] == "plural_of"][:5], "category"] = None
    assert summary_of(pl.from_pandas(one).lazy(), top_k=3) == summary_of(one, top_k=3)


def test_a_text_score_column_is_refused_before_reading_rows(rows):
    import polars as pl

    text = pl.from_pandas(rows.assign(score=rows["score"].astype(str))).lazy()
    with pytest.raises(InputError, match=r"^the score column is String, not numbers; scores must be numbers$"):
        reporter.build(text, formats="", model="model-a", top_k=3)


def test_a_frame_without_a_rule_is_read_whole_as_memberships():
    import polars as pl

    long = pd.DataFrame({"layer": [0, 1, 1], "head": [1, 0, 1], "category": ["A", "B", "A"]})
    assert summary_of(pl.from_pandas(long).lazy(), layers=2, heads=2) == summary_of(long, layers=2, heads=2)


def test_inspect_reads_only_the_first_rows_of_a_frame(rows, cli):
    import polars as pl
    from reporter.input.inspect import inspect
    from reporter.options import Options

    found = inspect(pl.from_pandas(rows).lazy(), Options(model="model-a", top_k=3))
    of_a = int((rows["model"] == "model-a").sum())  # the model filter is pushed down before the rows are read
    assert found.lines()[0] == f"input: LazyFrame (dataframe, read the first {of_a:,} for these checks)"
    assert found.ok and found.categories == inspect(rows, Options(model="model-a", top_k=3)).categories


@pytest.fixture(scope="module")
def dask_client():
    """A real Dask distributed cluster of two worker processes on 127.0.0.1, and a client of it."""
    from distributed import Client, LocalCluster

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None)
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.mark.parametrize("rule", RULES)
def test_a_dask_dataframe_on_a_distributed_cluster_gives_the_same_report(rows, expected, rule, dask_client):
    import dask.dataframe as dd
    from distributed import get_task_stream

    frame = dd.from_pandas(rows, npartitions=4)
    with warnings.catch_warnings(), get_task_stream(dask_client) as tasks:
        warnings.simplefilter("ignore", FutureWarning)  # Narwhals' notice that Dask support moves to a plug-in
        summary = summary_of(frame, model="model-a", **RULES[rule])
    assert summary == expected[rule]
    workers = {task["worker"] for task in tasks.data}
    assert workers and workers <= set(dask_client.scheduler_info()["workers"])  # the cluster did the work


@pytest.fixture(scope="module")
def spark():
    """A real local Spark session (one core, bound to 127.0.0.1)."""
    if shutil.which("java") is None and os.environ.get("CI"):
        pytest.fail("PySpark needs Java 17 under CI (apt-get install default-jre-headless)")
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = (SparkSession.builder.master("local[1]").appName("reporter-test")
               .config("spark.driver.host", "127.0.0.1").config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "2").getOrCreate())
    yield session
    session.stop()


@pytest.mark.parametrize("rule", RULES)
def test_a_pyspark_dataframe_gives_the_same_report(rows, expected, rule, spark):
    frame = spark.createDataFrame(rows)
    spark.sparkContext.setJobGroup("reporter", "aggregate scores")
    assert summary_of(frame, model="model-a", **RULES[rule]) == expected[rule]
    assert spark.sparkContext.statusTracker().getJobIdsForGroup("reporter")  # Spark ran the aggregation

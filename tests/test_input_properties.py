"""Random and corrupted tables end in a summary or a one-line ReporterError, never another exception."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inputs_data import long_frame, scores_frame, wide_frame, write
from reporter.errors import ReporterError
from reporter.input.load import load
from reporter.observe.categories import observe
from reporter.options import Options
from reporter.analysis.summarize import summarize
from reporter.output.summary_json import summary_dict

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                            HealthCheck.too_slow])

# Values a messy table might hold in any cell. Huge whole numbers are left out: limits on
# the model size are a separate feature (resource limits), not this one's.
cells = st.one_of(
    st.integers(min_value=-3, max_value=12),
    st.floats(min_value=-3, max_value=20),
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.sampled_from(["", " ", "A", "Knowledge", "L1H2", "(3, 1)", "3.1", "x", "true", "0", "1", "nan"]),
    st.none(),
    st.booleans(),
)
column_names = st.sampled_from(["layer", "head", "category", "relation", "score", "head_id", "model", "task",
                                "is_algorithmic", "is_knowledge", "Layer", "HEAD_IDX", "template", "extra"])
options = st.fixed_dictionaries({}, optional={
    "threshold": st.floats(min_value=-1, max_value=2),
    "top_k": st.integers(min_value=1, max_value=5),
    "aggregate": st.sampled_from(["mean", "max", "median"]),
    "model": st.sampled_from(["gpt2", "a", "meta-llama/Llama-3.1-8B"]),
    "layers": st.integers(min_value=1, max_value=14),
})


@st.composite
def random_tables(draw) -> pd.DataFrame:
    """A table of random columns and cells."""
    names = draw(st.lists(column_names, min_size=1, max_size=6, unique=True))
    n = draw(st.integers(min_value=0, max_value=8))
    return pd.DataFrame({name: draw(st.lists(cells, min_size=n, max_size=n)) for name in names})


rules = st.one_of(
    st.fixed_dictionaries({"threshold": st.floats(min_value=-1, max_value=2)}),
    st.fixed_dictionaries({"top_k": st.integers(min_value=1, max_value=5)}),
    st.fixed_dictionaries({"top_percent": st.floats(min_value=0.5, max_value=100)}),
)


@st.composite
def corrupted_tables(draw) -> tuple[pd.DataFrame, dict]:
    """A valid table of some shape with a few cells overwritten and maybe a column dropped, and fitting options."""
    make = draw(st.sampled_from([long_frame, wide_frame, scores_frame]))
    opts = draw(rules) if make is scores_frame else {}
    frame = make().astype(object)
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        row = draw(st.integers(min_value=0, max_value=len(frame) - 1))
        column = draw(st.sampled_from(list(frame.columns)))
        frame.at[row, column] = draw(cells)
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        frame = frame.drop(columns=draw(st.sampled_from(list(frame.columns))))
    return frame, opts


def outcome(table: object, opts: dict) -> str:
    """'ok' or the ReporterError message; any other exception fails the test."""
    try:
        if "layers" in opts:
            opts = {**opts, "heads": opts["layers"]}
        stats = summarize(load(table, Options.from_kwargs(**opts)))
        document = summary_dict(stats, observe(stats))
    except ReporterError as exc:
        message = str(exc)
        assert message and "\n" not in message, repr(message)
        return message
    assert document["totals"]["heads"] == document["model"]["n_layers"] * document["model"]["n_heads"]
    assert all(math.isfinite(c["share_of_heads"]) for c in document["categories"])
    return "ok"


@SETTINGS
@given(frame=random_tables(), opts=options)
def test_random_tables(frame, opts):
    outcome(frame, opts)


@SETTINGS
@given(case=corrupted_tables())
def test_corrupted_tables(case):
    outcome(*case)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fmt=st.sampled_from(["parquet", "csv", "jsonl", "feather", "json-records"]),
       cut=st.floats(min_value=0.0, max_value=1.0), flip=st.integers(min_value=0, max_value=255),
       where=st.floats(min_value=0.0, max_value=1.0))
def test_corrupted_files(tmp_path_factory, fmt, cut, flip, where):
    folder = tmp_path_factory.mktemp("files")
    suffix = {"json-records": "json"}.get(fmt, fmt)
    path = write(long_frame(), folder / f"t.{suffix}", fmt)
    data = bytearray(path.read_bytes())
    data = data[: max(1, int(len(data) * cut))] if cut < 0.9 else data
    position = int((len(data) - 1) * where)
    data[position] = flip
    path.write_bytes(bytes(data))
    outcome(path, {})


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=corrupted_tables())
def test_cli_ends_in_a_site_or_one_line(tmp_path_factory, cli, case):
    frame, opts = case
    folder = tmp_path_factory.mktemp("cli")
    path = write(frame, folder / "t.csv", "csv")
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in opts.items()]
    result = cli("build", str(path), "-o", str(folder / "site"), "--formats", "svg", "-q", *flags)
    assert result.returncode in (0, 2), result.stderr
    if result.returncode == 0:
        assert (folder / "site" / "data" / "summary.json").is_file()
    else:
        assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("reporter: error: ")
        assert not (folder / "site").exists()

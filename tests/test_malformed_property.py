"""Property: any malformed table or name builds or is refused in one line, and inspect agrees with build.

Over generated tables (indexes that are negative, fractional, huge, text or
missing; names with control characters, separators, quotes, backslashes and
Object.prototype members; scores that are infinite or text), ``build`` either
returns a report or raises a ReporterError (exit status 2) with a one-line
message, ``inspect`` finds a problem exactly when build refuses, and saving a
built report next to a user's file changes that file not at all and leaves no
staging folder. The Python API runs the examples (a CLI call costs a second or
two); a few fixed cases go through the CLI.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reporter
from reporter.errors import ReporterError, cli_words
from reporter.input.inspect import inspect
from reporter.options import Options

NAMES = st.one_of(
    st.sampled_from(["A", "B", "constructor", "toString", "__proto__", 'b\\"s', "x\\", "=1+1", " ", "",
                     "Unclassified", "2 categories", "a\nb", "n\x00", "e\x1b", "s\u2028", "f\ufffe", "é🧠"]),
    st.text(min_size=0, max_size=12),
)
INDEXES = st.one_of(st.integers(0, 9), st.sampled_from([-1, 1.5, 10**9, 2**63, float("nan"), float("inf"), "x", None, True]))
SCORES = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(["high", None]))


@st.composite
def tables(draw) -> pd.DataFrame:
    """A small long table, sometimes with a score column, with malformed cells mixed in."""
    n = draw(st.integers(1, 12))
    frame = pd.DataFrame({
        "layer": draw(st.lists(INDEXES, min_size=n, max_size=n)),
        "head": draw(st.lists(INDEXES, min_size=n, max_size=n)),
        "category": draw(st.lists(NAMES, min_size=n, max_size=n)),
    })
    if draw(st.booleans()):
        frame["score"] = draw(st.lists(SCORES, min_size=n, max_size=n))
    return frame


def outcome(make):
    """The built thing, or the ReporterError raised; any other exception fails the test."""
    try:
        return make()
    except ReporterError as exc:
        assert exc.exit_code == 2, exc
        assert "\n" not in str(exc) and "\r" not in str(exc) and len(str(exc)) < 1_100
        return exc


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frame=tables())
def test_build_and_inspect_agree_on_malformed_tables(frame, tmp_path_factory):
    built = outcome(lambda: reporter.build(frame, formats=()))
    found = inspect(frame, Options())
    assert found.ok == (not isinstance(built, ReporterError)), (found.problems, built)
    if isinstance(built, ReporterError):
        assert all("\n" not in p for p in found.problems)
        return
    assert all(math.isfinite(c["heads"]) for c in built.summary["categories"])
    folder = tmp_path_factory.mktemp("site")
    out = built.save(folder / "site")
    (out / "notes.txt").write_text("mine")
    built.save(out)  # a rebuild beside the user's file
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in folder.iterdir()) == ["site"]  # no staging folder left


def names_table(name: str) -> pd.DataFrame:
    return pd.DataFrame({"layer": [0, 1, 1], "head": [0, 0, 1], "category": [name, "B", name]})


@settings(max_examples=30, deadline=None)
@given(name=NAMES)
def test_any_name_builds_or_is_refused_alike(name):
    frame = names_table(name)
    with cli_words():  # inspect speaks the CLI's words; the API build would say keywords
        built = outcome(lambda: reporter.build(frame, formats=()))
    found = inspect(frame, Options())
    assert found.ok == (not isinstance(built, ReporterError))
    if isinstance(built, ReporterError):
        assert found.problems[-1] == str(built)
    else:
        assert built.to_html().count("</script>") == 3  # the name did not end a script element


CLI_CASES = {
    "control character": names_table("bad\x07bell"),
    "infinite score": names_table("A").assign(score=[float("inf"), 1.0, 2.0]),
    "fractional layer": pd.DataFrame({"layer": [0.5], "head": [0], "category": ["A"]}),
}


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_cli_refuses_in_one_line_and_keeps_the_users_files(case, cli, tmp_path):
    path = tmp_path / "t.parquet"
    CLI_CASES[case].to_parquet(path)
    out = tmp_path / "site"
    ok = tmp_path / "ok.csv"
    names_table("A").to_csv(ok, index=False)
    assert cli("build", str(ok), "-o", str(out), "--formats", "svg").returncode == 0
    (out / "notes.txt").write_text("mine")
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    r = cli("build", str(path), "-o", str(out))
    assert r.returncode == 2 and r.stderr.startswith("reporter: error: ") and r.stderr.count("\n") == 1
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.csv", "site", "t.parquet"]
    inspected = cli("inspect", str(path))
    assert inspected.returncode == 2 and inspected.stdout.splitlines()[-1] == "problem: " + r.stderr[17:-1]

"""The public API as users meet it: errors at the top level, the keywords in help(), real types for mypy."""

from __future__ import annotations

import importlib.util
import os
import pydoc
import subprocess
import sys
from dataclasses import fields

import pytest

import reporter
from conftest import ROOT
from reporter import errors
from reporter.options import API_KEYWORDS, BuildOptions, Options


def test_reporter_error_and_its_subclasses_are_at_the_top_level():
    assert reporter.ReporterError is errors.ReporterError
    for name in ("InputError", "UsageError", "OutputError", "TrackerError"):
        assert getattr(reporter, name) is getattr(errors, name) and issubclass(getattr(reporter, name), reporter.ReporterError)
        assert name in reporter.__all__
    with pytest.raises(reporter.UsageError, match="unknown option 'treshold': did you mean 'threshold'"):
        reporter.build("heads.csv", treshold=0.2)


def test_the_typed_keywords_are_every_option():
    assert set(BuildOptions.__annotations__) == {f.name for f in fields(Options)} | API_KEYWORDS


def test_help_of_build_lists_every_keyword_on_a_line_of_its_own():
    text = pydoc.render_doc(reporter.build, renderer=pydoc.plaintext)
    listed = {}
    for line in text.splitlines():
        names, _, meaning = line.strip().partition("  ")
        for name in names.split(", "):
            if name in BuildOptions.__annotations__ and meaning.strip():
                listed[name] = meaning.strip()
    assert sorted(listed) == sorted(BuildOptions.__annotations__)
    assert listed["threshold"] == "a head joins a category when its score is at least this"
    for entry in (reporter.build_site, reporter.build_diff):
        assert "see build for the keywords" in entry.__doc__.replace("\n", " ")


USER_SCRIPT = '''
from pathlib import Path

import reporter
from reporter.integrations.mlflow import log_report

table = {"A": ["L0H0", "L1H0"], "B": ["L1H1"]}  # {category: [head ids]}
report: reporter.Report = reporter.build(table, threshold=None, categories=["A", "B"], formats="svg")
summary: dict[str, object] = report.summary
heatmaps = report.figures["heatmaps"]
spec: dict[str, object] = heatmaps.full_spec()
html: str = report.to_html(theme="dark")
folder: Path = report.save("site")
site: reporter.SiteReport = reporter.build_site([table, table], layers=2, heads=2)
diff: reporter.DiffReport = reporter.build_diff(table, table)
run_id: str = log_report(site)
try:
    reporter.build("missing.parquet")
except reporter.ReporterError as exc:
    message: str = str(exc)
'''

WRONG_SCRIPT = '''
import reporter

reporter.build("heads.parquet", threshold="high")
reporter.build("heads.parquet", treshold=0.2)
count: int = reporter.build("heads.parquet").summary
'''


def mypy(tmp_path, script: str) -> subprocess.CompletedProcess:
    """mypy --strict on ``script``: the installed reporter's types only (errors inside reporter are its own)."""
    if importlib.util.find_spec("mypy") is None:
        message = "mypy is in the notebook-test extra: pip install -e '.[notebook-test]'"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    (tmp_path / "user.py").write_text(script)
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-error-summary",
         "--cache-dir", str(tmp_path / "cache"), str(tmp_path / "user.py")],
        capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "MYPYPATH": str(ROOT)})


def test_mypy_strict_passes_on_a_user_script_with_real_types(tmp_path):
    result = mypy(tmp_path, USER_SCRIPT)
    assert (result.returncode, result.stdout) == (0, ""), result.stdout + result.stderr


def test_mypy_strict_catches_a_wrong_keyword_type_name_and_result(tmp_path):
    result = mypy(tmp_path, WRONG_SCRIPT)
    lines = [line.split(" error: ", 1)[1] for line in result.stdout.splitlines() if " error: " in line]
    assert result.returncode == 1
    assert any(line.startswith('Argument "threshold" to "build" has incompatible type "str"') for line in lines), lines
    assert any(line.startswith('Unexpected keyword argument "treshold" for "build"') for line in lines), lines
    assert any("Incompatible types in assignment" in line and '"int"' in line for line in lines), lines

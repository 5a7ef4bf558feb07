"""Layer and head values that are not whole numbers are refused, whatever pandas would make of them."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest

import reporter
from reporter.errors import InputError


def refused(table, **options) -> str:
    with pytest.raises(InputError) as caught:
        reporter.build(table, formats=(), **options)
    return str(caught.value)


@pytest.mark.parametrize("text", [
    '[{"layer": true, "head": 0, "category": "A"}, {"layer": 1, "head": 1, "category": "A"}]',
    '{"layer": [true, 1], "head": [0, 1], "category": ["A", "A"]}',
])
def test_json_true_is_not_layer_1(cli, tmp_path, text):
    path = tmp_path / "heads.json"
    path.write_text(text)
    message = "column 'layer' holds True, not a whole number; layer indexes are 0-based integers"
    r = cli("build", str(path), "-o", str(tmp_path / "site"), "--formats", "")
    assert (r.returncode, r.stderr) == (2, f"reporter: error: {message}\n")
    r = cli("inspect", str(path))
    assert (r.returncode, r.stdout.splitlines()[-1]) == (2, f"problem: {message}")


def test_json_lines_false_is_not_head_0(tmp_path):
    path = tmp_path / "heads.jsonl"
    path.write_text('{"layer": 0, "head": false, "category": "A"}\n{"layer": 1, "head": 1, "category": "A"}\n')
    assert refused(path) == "column 'head' holds False, not a whole number; head indexes are 0-based integers"


def test_dates_and_complex_numbers_are_not_layers():
    when = datetime.datetime(2020, 1, 1)
    frame = pd.DataFrame({"layer": [when], "head": [0], "category": ["A"]})
    assert refused(frame) == ("column 'layer' holds Timestamp('2020-01-01 00:00:00'), not a whole number; "
                              "layer indexes are 0-based integers")
    frame = pd.DataFrame({"layer": [1 + 2j, 0], "head": [0, 1], "category": ["A", "A"]})
    assert refused(frame) == "column 'layer' holds (1+2j), not a whole number; layer indexes are 0-based integers"


def test_a_head_key_too_large_for_an_index_is_an_input_error():
    assert refused({(10**30, 0): True}, category="A") == ("column 'layer' holds a number too large to be an index; "
                                                          "fix that column")
    assert refused({(True, 0): True, (1, 1): True}, category="A") == (
        "column 'layer' holds True, not a whole number; layer indexes are 0-based integers")
